"""Temporary restrictions of access to personal data: the "data access cut" (DESIGN invariant 8).

A restriction covers one officer (their offices and grants in a unit's subtree) or a whole unit (every
office holder in its subtree). It always has reasons and a review date no later than the rulebook's
`access.restriction_review_max`; every holder affected is emailed; its review is a deadline owned by the
unit of the officer who imposed it, which escalates up the tree when overdue, like a suspension's review
in a case. A review lifts it or renews it with a new date, with reasons and a notice each time.
`polity.access.policy` is the one place that withholds the permissions; the unit's governance notices
keep going out through the platform (polity.comms.continuity).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from polity.access.models import Grant, OfficeTerm, Restriction
from polity.access.notices import access_notice_send
from polity.access.perms import Perm
from polity.access.policy import require, scopes
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput
from polity.deadlines.models import PENDING_STATES, Deadline
from polity.deadlines.services import deadline_meet, deadline_open
from polity.members.models import Person
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

REVIEW_MAX_RULE = "access.restriction_review_max"
REVIEW_RULE = "access.restriction_review_grace"
NOTICE_RULE = "deadlines.access_revocation_notice"
SUBJECT = "access.restriction"


class RestrictionRefused(DomainError):
    """A rule of restrictions refused: the message starts with the rule's name."""


def _holders_in(unit: Unit, at: datetime) -> set[int]:
    held = set(
        OfficeTerm.objects.in_force(at)
        .filter(unit__path__startswith=unit.path)
        .values_list("person_id", flat=True)
    )
    held |= set(
        Grant.objects.filter(
            unit__path__startswith=unit.path, starts_at__lte=at, expires_at__gt=at, revoked_at__isnull=True
        ).values_list("person_id", flat=True)
    )
    return held


def affected_person_ids(restriction: Restriction, at: datetime | None = None) -> list[int]:
    """Who loses personal-data access under it: the named officer, or every holder in the unit's subtree."""
    if restriction.person_id is not None:
        return [restriction.person_id]
    return sorted(_holders_in(restriction.unit, at or timezone.now()))


def _authority(actor: Actor, unit: Unit) -> Unit:
    """The unit whose officer imposes it (it owns the review): the actor's scope over `unit`."""
    if actor.is_system:
        return unit.parent or unit
    for scope in scopes(actor, Perm.ACCESS_RESTRICT):
        if unit.path.startswith(scope.path):
            return Unit.objects.get(pk=scope.unit_id)
    raise DomainError("no scope")  # require() has already refused this


def _check_review(review_at: datetime | None, now: datetime) -> datetime:
    if review_at is None:
        raise RestrictionRefused(f"{REVIEW_MAX_RULE}: a restriction cannot be made without a review date")
    if timezone.is_naive(review_at):
        raise InvalidInput("review_at: give a time zone")
    latest = get_rulebook().rule(REVIEW_MAX_RULE).add_to(timezone.localtime(now))
    if not now < review_at <= latest:
        raise RestrictionRefused(
            f"{REVIEW_MAX_RULE}: the review date must fall after now and no later than "
            f"{timezone.localtime(latest):%d %B %Y %H:%M}"
        )
    return review_at


def _rule_stamp(key: str) -> str:
    rule = get_rulebook().rule(key)
    return f"{rule.key}@{rule.version}"


def _open_review(actor: Actor, restriction: Restriction) -> None:
    who = "an officer" if restriction.person_id else "every office holder"
    deadline_open(
        actor=actor,
        rule_key=REVIEW_RULE,
        start=restriction.review_at,
        owner_unit=restriction.authority,
        subject_type=SUBJECT,
        subject_id=restriction.pk,
        title=f"Review the restriction of {who}'s access in {restriction.unit.name}",
    )


def _meet_review(actor: Actor, restriction: Restriction) -> None:
    for deadline in Deadline.objects.filter(
        subject_type=SUBJECT, subject_id=str(restriction.pk), rule_key=REVIEW_RULE, state__in=PENDING_STATES
    ):
        deadline_meet(actor=actor, deadline=deadline)


def _tell(
    actor: Actor, restriction: Restriction, person_ids: list[int], subject: str, body: str, why: str
) -> None:
    for person_id in person_ids:
        access_notice_send(actor=actor, person_id=person_id, subject=subject, body=body, reason=why)


def _continuity(unit: Unit) -> str:
    return (
        f"Governance notices of {unit.name} keep going out: any office holder of the unit can ask the region "
        "to send one through Polity (Messages, 'Ask the region to send a notice'), without seeing addresses."
    )


def restriction_impose(
    *,
    actor: Actor,
    unit: Unit,
    reasons: str,
    review_at: datetime | None,
    person: Person | None = None,
) -> Restriction:
    """Restrict one officer's (or a whole unit's) access to personal data, with reasons and a review date."""
    require(actor, Perm.ACCESS_RESTRICT, scope=unit)
    if not reasons.strip():
        raise RestrictionRefused("reasons: a restriction of access is recorded with its reasons")
    now = timezone.now()
    review_at = _check_review(review_at, now)
    if person is not None and actor.person_id == person.pk:
        raise InvalidInput("person: a restriction of one's own access is not a measure (resign the office)")
    authority = _authority(actor, unit)
    if person is None and authority.pk == unit.pk and not actor.is_system:
        raise InvalidInput(
            "unit: restrict a unit below your own office's unit (ask the unit above for yours)"
        )
    if person is not None and person.pk not in _holders_in(unit, now):
        raise InvalidInput(f"person: holds no office or grant in {unit.name}")
    starts_at = get_rulebook().rule(NOTICE_RULE).add_to(timezone.localtime(now))
    with transaction.atomic():
        restriction = Restriction.objects.create(
            unit=unit,
            person=person,
            authority=authority,
            reasons=reasons.strip(),
            starts_at=starts_at,
            review_at=review_at,
            review_rule=_rule_stamp(REVIEW_MAX_RULE),
            imposed_by=actor.label,
        )
        affected = affected_person_ids(restriction, now)
        scope = f"your access to personal data through offices in {unit.name}"
        _tell(
            actor,
            restriction,
            affected,
            f"Your access to members' personal data in {unit.name} is restricted",
            (
                f"{authority.name} restricted {scope} from {timezone.localtime(starts_at):%d %B %Y %H:%M}, "
                f"pending review by {timezone.localtime(review_at):%d %B %Y}. You keep your offices; you "
                f"cannot open member records, lists or exports there until it is lifted.\n\n"
                f"{_continuity(unit)}\n\nYou may answer the reasons, or complain about the measure, on the "
                "Complaints page; the review must consider what you send."
            ),
            restriction.reasons,
        )
        _open_review(actor, restriction)
        audit_record(
            actor=actor,
            verb="access.restrict",
            subjects=affected,
            object_type="access_restriction",
            object_id=restriction.pk,
            data={
                "unit": unit.pk,
                "person": person.pk if person else None,
                "review_at": review_at.isoformat(),
                "affected": len(affected),
            },
        )
    return restriction


def restriction_review(
    *,
    actor: Actor,
    restriction: Restriction,
    reasons: str,
    lift: bool,
    next_review_at: datetime | None = None,
) -> Restriction:
    """Review a restriction: lift it, or renew it with a new review date within the limit. Reasons always."""
    require(actor, Perm.ACCESS_RESTRICT, scope=restriction.unit)
    if not reasons.strip():
        raise RestrictionRefused("reasons: a review of a restriction records its reasons")
    now = timezone.now()
    if not lift:
        next_review_at = _check_review(next_review_at, now)
    with transaction.atomic():
        restriction = (
            Restriction.objects.select_for_update().select_related("unit", "authority").get(pk=restriction.pk)
        )
        if restriction.lifted_at is not None:
            raise DomainError("this restriction was already lifted")
        affected = affected_person_ids(restriction, now)
        _meet_review(actor, restriction)
        restriction.reviewed_at = now
        restriction.review_count += 1
        restriction.last_review_reasons = reasons.strip()
        unit = restriction.unit
        if lift:
            restriction.lifted_at, restriction.lifted_reasons = now, reasons.strip()
            restriction.lifted_by = actor.label
            subject = f"Your access to members' personal data in {unit.name} is restored"
            body = f"On review, {actor.label} lifted the restriction of your access in {unit.name}."
        else:
            assert next_review_at is not None
            restriction.review_at = next_review_at
            restriction.review_rule = _rule_stamp(REVIEW_MAX_RULE)
            subject = f"The restriction of your access in {unit.name} was renewed"
            body = (
                f"On review, {actor.label} kept the restriction of your access in {unit.name}; it will be "
                f"reviewed again by {timezone.localtime(next_review_at):%d %B %Y}.\n\n{_continuity(unit)}\n\n"
                "You may answer the reasons, or complain about the measure, on the Complaints page."
            )
        restriction.save()
        if not lift:
            _open_review(actor, restriction)
        _tell(actor, restriction, affected, subject, body, reasons.strip())
        audit_record(
            actor=actor,
            verb="access.restriction_review",
            subjects=affected,
            object_type="access_restriction",
            object_id=restriction.pk,
            data={"lifted": lift, "review_at": restriction.review_at.isoformat()},
        )
    return restriction


def restrictions_visible(actor: Actor) -> Q:
    """Restrictions over units where the actor may restrict access (for lists)."""
    found = scopes(actor, Perm.ACCESS_RESTRICT)
    q = Q(pk__in=[])
    for scope in found:
        q |= Q(unit__path__startswith=scope.path)
    return q
