"""Writes that change who may see what: office terms and explicit grants.

An office ends in one of four ways only: its term runs out, the holder resigns, the appointing body
decides (recorded with the body, the date and the reasons), or a case decides (the cases workflow calls
`office_remove_by_case` after notice, reply and a reasoned decision). Removal against the holder's will
is never a form of its own. Every ending is recorded in the log and emailed to the holder (invariant 8).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from polity.access.eligibility import require_eligible
from polity.access.models import Ending, Grant, OfficeTerm
from polity.access.notices import access_notice_send
from polity.access.perms import Perm
from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.deadlines.services import due_from
from polity.members.models import Person
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook


def office_appoint(
    *,
    actor: Actor,
    person: Person,
    office: str,
    unit: Unit,
    body: Body | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> OfficeTerm:
    """Give a person an office in a unit (or one of its bodies) for a term."""
    if not actor.is_system:
        require(actor, Perm.OFFICES_MANAGE, scope=unit, visible=False)
    office_type = get_rulebook().offices.get(office)
    if office_type is None:
        raise InvalidInput(f"office: the rulebook has no office {office!r}")
    if unit.level not in office_type.levels:
        raise InvalidInput(
            f"a {office_type.label.lower()} is an office of a {' or '.join(office_type.levels)}"
        )
    if body is not None and body.unit_id != unit.pk:
        raise InvalidInput("body: that body belongs to another unit")
    if office_type.body and (body is None or body.kind != office_type.body):
        raise InvalidInput(f"body: a {office_type.label.lower()} sits on a {office_type.body}")
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput("ends_at: a term must end after it starts")
    person.refresh_from_db()
    require_eligible(person, office_type, timezone.localtime(starts_at).date())
    with transaction.atomic():
        term = OfficeTerm.objects.create(
            person=person, office=office, unit=unit, body=body, starts_at=starts_at, ends_at=ends_at
        )
        audit_record(
            actor=actor,
            verb="office.appoint",
            subjects=[person.pk],
            object_type="office_term",
            object_id=term.pk,
            data={"office": office, "unit": unit.pk},
        )
    return term


def _label(term: OfficeTerm) -> str:
    office = get_rulebook().offices.get(term.office)
    return office.label if office is not None else term.office


def _end(
    *,
    actor: Actor,
    term: OfficeTerm,
    how: str,
    reason: str,
    at: datetime,
    subject: str,
    body: str,
    **recorded: object,
) -> OfficeTerm:
    """End a term (inside the caller's checks): record how and why, email the holder, audit."""
    with transaction.atomic():
        term = OfficeTerm.objects.select_for_update().select_related("unit").get(pk=term.pk)
        if term.ends_at is not None and term.ends_at <= at:
            raise DomainError("that term has already ended")
        term.planned_ends_at = term.ends_at
        term.ends_at = max(at, term.starts_at + timedelta(microseconds=1))
        term.ended_reason, term.ended_by, term.ended_how = reason[:500], actor.label, how
        term.end_notified_at = timezone.now()
        for name, value in recorded.items():
            setattr(term, name, value)
        term.save()
        access_notice_send(actor=actor, person_id=term.person_id, subject=subject, body=body, reason=reason)
        audit_record(
            actor=actor,
            verb=f"office.{how}",
            subjects=[term.person_id],
            object_type="office_term",
            object_id=term.pk,
            data={"office": term.office, "unit": term.unit_id, "reason": reason[:500], "how": how},
        )
    return term


def office_resign(*, actor: Actor, term: OfficeTerm, confirm: bool, reason: str = "") -> OfficeTerm:
    """The holder resigns their own office, with effect now. Nobody else can resign it for them."""
    if actor.person_id is None or actor.person_id != term.person_id:
        raise NotVisible("not found")
    if not confirm:
        raise InvalidInput("confirm: resigning ends your office and its access at once; confirm to go ahead")
    label, unit = _label(term), term.unit
    return _end(
        actor=actor,
        term=term,
        how=Ending.RESIGNATION,
        reason=reason.strip() or "resigned by the holder",
        at=timezone.now(),
        subject=f"You resigned as {label} of {unit.name}",
        body=(
            f"You resigned as {label} of {unit.name}; the office and the access it gave ended at once. "
            "If you did not mean to resign, ask the unit to appoint you again: an appointment checks the "
            "rulebook's eligibility as for anyone."
        ),
    )


def appointing_bodies(term: OfficeTerm) -> list[Body]:
    """Bodies that may decide to end this term: those of its unit, and of the unit above that appoints to it."""
    units = [term.unit_id] + ([term.unit.parent_id] if term.unit.parent_id else [])
    return list(Body.objects.filter(unit_id__in=units).select_related("unit").order_by("unit__path", "name"))


def office_end_by_decision(
    *,
    actor: Actor,
    term: OfficeTerm,
    body: Body | None,
    decided_on: date | None,
    reasons: str,
) -> OfficeTerm:
    """Record the appointing body's decision to end a term: the body, the date and the reasons, always.

    Until meetings are in Polity, the decision is recorded by an officer who manages offices there; the
    holder is emailed the decision and how to contest it (a complaint, which the case team must take up).
    """
    if not actor.is_system:
        require(actor, Perm.OFFICES_MANAGE, scope=term.unit, visible=False)
    if body is None:
        raise InvalidInput("body: name the appointing body that decided")
    if body.pk not in {b.pk for b in appointing_bodies(term)}:
        raise InvalidInput("body: only a body of the office's unit, or of the unit above it, appoints to it")
    if not reasons.strip():
        raise InvalidInput("reasons: a body's decision to end an office is recorded with its reasons")
    today = timezone.localdate()
    if decided_on is None:
        raise InvalidInput("decided_on: give the date of the body's decision")
    if decided_on > today:
        raise InvalidInput("decided_on: a decision cannot be recorded before it is taken")
    if decided_on < timezone.localtime(term.starts_at).date():
        raise InvalidInput("decided_on: the decision predates the term it would end")
    label, unit = _label(term), term.unit
    _start, until = due_from("deadlines.appeal_window", timezone.now())
    return _end(
        actor=actor,
        term=term,
        how=Ending.BODY_DECISION,
        reason=reasons.strip(),
        at=timezone.now(),
        subject=f"Your term as {label} of {unit.name} was ended by {body.name}",
        body=(
            f"{body.name} ({body.unit.name}) decided on {decided_on:%d %B %Y} to end your term as {label} "
            f"of {unit.name}; it was recorded by {actor.label}. The office and its access have ended.\n\n"
            "How to contest it: file a complaint on the Complaints page of Polity (or reply to the case team "
            f"of {body.unit.parent.name if body.unit.parent else body.unit.name}) by "
            f"{timezone.localtime(until):%d %B %Y}, saying why the decision was wrong. The case team must "
            "acknowledge it within the rulebook's deadline; its decision can be appealed."
        ),
        ended_body=body,
        ended_decided_on=decided_on,
    )


def office_remove_by_case(*, actor: Actor, term: OfficeTerm, case_reference: str, reasons: str) -> OfficeTerm:
    """A case decision removes the holder (called by the cases workflow, as the system, after due process)."""
    if not actor.is_system:
        raise Forbidden("removal from office against the holder's will is the outcome of a case")
    if not case_reference or not reasons.strip():
        raise InvalidInput("a removal names its case and the decision's reasons")
    label, unit = _label(term), term.unit
    return _end(
        actor=actor,
        term=term,
        how=Ending.CASE,
        reason=reasons.strip(),
        at=timezone.now(),
        subject=f"{case_reference}: removed as {label} of {unit.name}",
        body=(
            f"The decision in case {case_reference} removed you as {label} of {unit.name}; the office and its "
            "access have ended. The decision notice of the case gives the appeal route and its deadline."
        ),
        ended_case=case_reference,
    )


def office_reinstate_by_case(*, actor: Actor, case_reference: str, reasons: str) -> list[OfficeTerm]:
    """An appeal allowed against a removal: each office the case ended is held again, for the rest of the
    term it had (called by the cases workflow as the system). No eligibility check: the removal is undone,
    not a new appointment."""
    if not actor.is_system:
        raise Forbidden("reinstatement after an appeal is the outcome of a case")
    now = timezone.now()
    restored: list[OfficeTerm] = []
    with transaction.atomic():
        ended = OfficeTerm.objects.filter(ended_how=Ending.CASE, ended_case=case_reference).select_related(
            "unit"
        )
        for old in ended:
            if old.planned_ends_at is not None and old.planned_ends_at <= now:
                continue  # the term would have run out by now anyway
            if (
                OfficeTerm.objects.in_force(now)
                .filter(person_id=old.person_id, office=old.office, unit_id=old.unit_id, body=old.body)
                .exists()
            ):
                continue
            term = OfficeTerm.objects.create(
                person_id=old.person_id,
                office=old.office,
                unit_id=old.unit_id,
                body_id=old.body_id,
                starts_at=now,
                ends_at=old.planned_ends_at,
            )
            label = _label(old)
            access_notice_send(
                actor=actor,
                person_id=old.person_id,
                subject=f"{case_reference}: you hold the office of {label} of {old.unit.name} again",
                body=(
                    f"The appeal in case {case_reference} was allowed: your removal as {label} of "
                    f"{old.unit.name} is set aside and the office, with its access, is yours again."
                ),
                reason=reasons,
            )
            audit_record(
                actor=actor,
                verb="office.reinstate",
                subjects=[old.person_id],
                object_type="office_term",
                object_id=term.pk,
                data={
                    "office": old.office,
                    "unit": old.unit_id,
                    "case": case_reference,
                    "ended_term": old.pk,
                },
            )
            restored.append(term)
    return restored


def office_terms_notify_ended(*, actor: Actor, now: datetime | None = None) -> int:
    """Tell every holder whose term ran out (its end date passed) that the office and its access ended."""
    if not actor.is_system:
        raise Forbidden("only the system sends the notices of terms that ran out")
    now = now or timezone.now()
    count = 0
    for term in OfficeTerm.objects.filter(ends_at__lte=now, end_notified_at__isnull=True).select_related(
        "unit"
    ):
        with transaction.atomic():
            claimed = OfficeTerm.objects.filter(pk=term.pk, end_notified_at__isnull=True).update(
                end_notified_at=now, ended_how=term.ended_how or Ending.TERM
            )
            if not claimed:
                continue
            label = _label(term)
            access_notice_send(
                actor=actor,
                person_id=term.person_id,
                subject=f"Your term as {label} of {term.unit.name} has ended",
                body=(
                    f"Your term as {label} of {term.unit.name} ended on "
                    f"{timezone.localtime(term.ends_at):%d %B %Y}, and the access it gave "
                    "ended with it. If you were re-elected or re-appointed, the new term is on your page."
                ),
                reason=term.ended_reason or "the term ran its course",
            )
            audit_record(
                actor=actor,
                verb="office.term",
                subjects=[term.person_id],
                object_type="office_term",
                object_id=term.pk,
                data={"office": term.office, "unit": term.unit_id},
            )
            count += 1
    return count


def grant_check(
    *,
    actor: Actor,
    permissions: list[str],
    unit: Unit,
    purpose: str,
    expires_at: datetime,
    starts_at: datetime | None = None,
) -> None:
    """Everything `grant_give` refuses, without giving anything (asked before "are you sure?")."""
    require(actor, Perm.GRANTS_MANAGE, scope=unit, visible=False)
    known = {p.value for p in Perm}
    bad = [p for p in permissions if p not in known]
    if bad or not permissions:
        raise InvalidInput(f"permissions: unknown or empty {bad}")
    for perm in permissions:
        require(actor, Perm(perm), scope=unit, visible=False)
    if not purpose.strip():
        raise InvalidInput("purpose: a grant must name its purpose")
    if expires_at <= (starts_at or timezone.now()):
        raise InvalidInput("expires_at: a grant must expire after it starts")


def grant_give(
    *,
    actor: Actor,
    person: Person,
    permissions: list[str],
    unit: Unit,
    purpose: str,
    expires_at: datetime,
    starts_at: datetime | None = None,
) -> Grant:
    """An explicit, purpose-bound grant that expires. The granter must hold every permission granted there."""
    starts_at = starts_at or timezone.now()
    grant_check(
        actor=actor,
        permissions=permissions,
        unit=unit,
        purpose=purpose,
        expires_at=expires_at,
        starts_at=starts_at,
    )
    with transaction.atomic():
        grant = Grant.objects.create(
            person=person,
            permissions=sorted(set(permissions)),
            unit=unit,
            purpose=purpose,
            starts_at=starts_at,
            expires_at=expires_at,
            granted_by=actor.label,
        )
        audit_record(
            actor=actor,
            verb="grant.give",
            subjects=[person.pk],
            object_type="grant",
            object_id=grant.pk,
            purpose=purpose,
            data={"permissions": grant.permissions, "unit": unit.pk},
        )
    return grant


def grant_revoke(*, actor: Actor, grant: Grant, reason: str) -> Grant:
    """Revoke a grant before it expires. Needs a reason; the holder is told."""
    require(actor, Perm.GRANTS_MANAGE, scope=grant.unit, visible=False)
    if not reason.strip():
        raise InvalidInput("reason: revoking access needs a recorded reason")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise DomainError("that grant was already revoked")
        grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), actor.label, reason
        grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        access_notice_send(
            actor=actor,
            person_id=grant.person_id,
            subject="Your access was revoked",
            body=f'Your access for "{grant.purpose}" over {grant.unit.name} was revoked by {actor.label}.',
            reason=reason,
        )
        audit_record(
            actor=actor,
            verb="grant.revoke",
            subjects=[grant.person_id],
            object_type="grant",
            object_id=grant.pk,
            data={"reason": reason},
        )
    return grant
