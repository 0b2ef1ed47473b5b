"""Suspensions inside a case, and how decisions take effect on the register (through the member services)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.services import office_reinstate_by_case, office_remove_by_case
from polity.cases.gate import require_action
from polity.cases.models import Case, Role, Suspension
from polity.cases.rules import SUSPENSION, CaseRefused
from polity.cases.services.common import SUBJECT, party_ids, record, save
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.deadlines.models import PENDING_STATES, Deadline
from polity.deadlines.services import deadline_meet, deadline_open
from polity.members.models import Person, Status
from polity.members.services import member_rejoin, member_set_status
from polity.rulebook.loader import get_rulebook

REVIEW_RULE = "cases.suspension_review_grace"
# A refused application (or rejoin) ends the period as refused, with the case reference in the reason.
REFUSAL_STATUS = Status.REFUSED


def register_actor(actor: Actor, case: Case) -> Actor:
    """The case's authority acting on the register: the decision, not the officer's own office, empowers it.
    The label keeps who acted and for which case."""
    return Actor(
        user_id=actor.user_id,
        person_id=actor.person_id,
        label=f"{actor.label} ({case.reference})"[:150],
        is_system=True,
    )


def set_status(actor: Actor, case: Case, person: Person, status: str, why: str) -> None:
    person.refresh_from_db()
    if person.status == status:
        return
    member_set_status(
        actor=register_actor(actor, case),
        person=person,
        status=status,
        reason=f"case {case.reference}: {why}"[:500],
    )


def restore(actor: Actor, case: Case, person: Person, why: str) -> None:
    """Undo an adverse status after an appeal is allowed or a suspension lifted."""
    person.refresh_from_db()
    reason = f"case {case.reference}: {why}"[:500]
    if person.status == Status.SUSPENDED:
        member_set_status(
            actor=register_actor(actor, case), person=person, status=Status.ACTIVE, reason=reason
        )
    elif person.status in (Status.EXPELLED, Status.RESIGNED, Status.REFUSED):
        person = member_rejoin(
            actor=register_actor(actor, case), person=person, joined_on=timezone.localdate(), reason=reason
        )
        if person.status == Status.APPLICANT:
            member_set_status(
                actor=register_actor(actor, case), person=person, status=Status.ACTIVE, reason=reason
            )


def _check_review(review_at: datetime | None, now: datetime) -> datetime:
    if review_at is None:
        raise CaseRefused(SUSPENSION, "a suspension cannot be made without a review date")
    if timezone.is_naive(review_at):
        raise InvalidInput("review_at: give a time zone")
    latest = get_rulebook().rule("cases.suspension_review_max").add_to(timezone.localtime(now))
    if not now < review_at <= latest:
        raise CaseRefused(
            SUSPENSION,
            f"the review date must fall after today and no later than {timezone.localtime(latest):%d %B %Y}",
        )
    return review_at


def _open_review(actor: Actor, case: Case, suspension: Suspension) -> None:
    deadline_open(
        actor=actor,
        rule_key=REVIEW_RULE,
        start=suspension.review_at,
        owner_unit=case.unit,
        subject_type=SUBJECT,
        subject_id=case.pk,
        title=f"{case.reference}: review the suspension",
    )


def _meet_review(actor: Actor, case: Case) -> None:
    for deadline in Deadline.objects.filter(
        subject_type=SUBJECT, subject_id=str(case.pk), rule_key=REVIEW_RULE, state__in=PENDING_STATES
    ):
        deadline_meet(actor=actor, deadline=deadline)


def suspension_create(
    actor: Actor, case: Case, person: Person, reasons: str, review_at: datetime | None
) -> Suspension:
    """Inside a case service's transaction: record the suspension and suspend on the register."""
    now = timezone.now()
    if not reasons.strip():
        raise CaseRefused(SUSPENSION, "a suspension cannot be made without reasons")
    review_at = _check_review(review_at, now)
    suspension = Suspension.objects.create(
        case=case, person=person, reasons=reasons.strip(), starts_at=now, review_at=review_at
    )
    set_status(actor, case, person, Status.SUSPENDED, "suspended pending the case")
    _open_review(actor, case, suspension)
    return suspension


def case_suspend(
    *, actor: Actor, case: Case, person: Person, reasons: str, review_at: datetime | None
) -> Suspension:
    """Suspend a respondent as a measure inside the case: reasons and a review date, always."""
    require_action(actor, case, "suspend")
    if person.pk not in party_ids(case, Role.RESPONDENT):
        raise InvalidInput("person: only a respondent to the case can be suspended in it")
    with transaction.atomic():
        suspension = suspension_create(actor, case, person, reasons, review_at)
        save(case)
        record(
            actor,
            case,
            "case.suspend",
            {"suspension": suspension.pk, "review_at": suspension.review_at.isoformat()},
        )
    return suspension


def case_review_suspension(
    *,
    actor: Actor,
    case: Case,
    suspension: Suspension,
    reasons: str,
    lift: bool,
    next_review_at: datetime | None = None,
) -> Suspension:
    """Review a suspension: lift it, or keep it with a new review date. Either way with reasons."""
    require_action(actor, case, "review_suspension")
    if suspension.case_id != case.pk or suspension.lifted_at is not None:
        raise InvalidInput("suspension: not a current suspension of this case")
    if not reasons.strip():
        raise CaseRefused(SUSPENSION, "a review of a suspension records its reasons")
    now = timezone.now()
    with transaction.atomic():
        suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
        _meet_review(actor, case)
        suspension.reviewed_at = now
        if lift:
            suspension.lifted_at = now
            suspension.lifted_reasons = reasons.strip()
            restore(actor, case, suspension.person, "suspension lifted")
        else:
            suspension.review_at = _check_review(next_review_at, now)
            _open_review(actor, case, suspension)
        suspension.save()
        save(case)
        record(actor, case, "case.review_suspension", {"suspension": suspension.pk, "lifted": lift})
    return suspension


def _offices_in_scope(case: Case, person_id: int, now: datetime) -> list[OfficeTerm]:
    return list(
        OfficeTerm.objects.in_force(now)
        .filter(person_id=person_id, unit__path__startswith=case.unit.path)
        .select_related("unit")
    )


def require_offices_held(case: Case, now: datetime) -> None:
    """A removal from office needs every respondent to hold an office in the case's unit or below."""
    for index, person_id in enumerate(sorted(party_ids(case, Role.RESPONDENT)), start=1):
        if not _offices_in_scope(case, person_id, now):
            raise InvalidInput(
                f"outcome: respondent {index} holds no office in {case.unit.name} to be removed from"
            )


def remove_from_offices(actor: Actor, case: Case, person: Person, now: datetime, reasons: str) -> None:
    """The decision ends the respondent's offices in the case's unit, through the access service."""
    for term in _offices_in_scope(case, person.pk, now):
        office_remove_by_case(
            actor=register_actor(actor, case), term=term, case_reference=case.reference, reasons=reasons
        )


def reinstate_offices(actor: Actor, case: Case, reasons: str) -> None:
    """An appeal allowed against a removal gives each office back for the rest of its term."""
    office_reinstate_by_case(
        actor=register_actor(actor, case), case_reference=case.reference, reasons=reasons
    )
