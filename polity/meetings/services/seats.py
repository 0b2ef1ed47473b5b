"""Seats on bodies: delegates of branches (or affiliates) within the rulebook's allowance, co-opted members.

A seat is an office term tied to the body (so comms audiences, offices pages and access all see it) with
a `Seat` row saying where it came from. Ending a seat ends the term; history is never overwritten.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.services import office_appoint
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.meetings.entitlement import in_good_standing, seat_offices
from polity.meetings.gate import require_manage
from polity.meetings.models import Seat, SeatBasis
from polity.meetings.rules import DELEGATE_TERM, MeetingRefused, delegate_allowance
from polity.members.models import Person
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook


def branch_allowance(branch: Unit, on: datetime) -> int:
    members = in_good_standing(
        Person.objects.filter(home_unit__path__startswith=branch.path), on.date()
    ).count()
    return delegate_allowance(members)


def seat_appoint(
    *,
    actor: Actor,
    body: Body,
    person: Person,
    basis: str,
    from_unit: Unit | None = None,
    from_affiliate: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Seat:
    """Seat a delegate (of a branch within the body's unit, or of an affiliate) or a co-opted member."""
    require_manage(actor, body)
    offices = seat_offices(body)
    if not offices:
        raise InvalidInput(f"{body.name} has no seats: the rulebook ties no office to a {body.kind}")
    if basis not in SeatBasis.values:
        raise InvalidInput(f"basis: one of {', '.join(SeatBasis.values)}")
    starts_at = starts_at or timezone.now()
    if basis == SeatBasis.DELEGATE:
        if from_unit is None and not from_affiliate.strip():
            raise InvalidInput("from: a delegate is sent by a branch or an affiliate")
        if from_unit is not None and not (
            from_unit.path.startswith(body.unit.path) and from_unit.pk != body.unit_id
        ):
            raise InvalidInput(
                f"from_unit: a delegate to {body.name} comes from a unit within {body.unit.name}"
            )
        if ends_at is None:
            ends_at = get_rulebook().rule(DELEGATE_TERM).add_to(timezone.localtime(starts_at))
    if from_unit is not None and basis == SeatBasis.DELEGATE:
        allowance = branch_allowance(from_unit, timezone.localtime(starts_at))
        held = (
            OfficeTerm.objects.in_force(starts_at)
            .filter(seat__body=body, seat__from_unit=from_unit, seat__basis=SeatBasis.DELEGATE)
            .count()
        )
        if held >= allowance:
            raise MeetingRefused(
                "delegate_limit",
                f"{from_unit.name} may send {allowance} delegate{'s' if allowance != 1 else ''} to {body.name} "
                f"(the rulebook's allowance for its members in good standing); {held} already sit",
            )
    with transaction.atomic():
        term = office_appoint(
            actor=actor if actor.is_system else Actor.system(label=actor.label),
            person=person,
            office=offices[0],
            unit=body.unit,
            body=body,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        seat = Seat.objects.create(
            term=term,
            body=body,
            basis=basis,
            from_unit=from_unit if basis == SeatBasis.DELEGATE else None,
            from_affiliate=from_affiliate.strip()[:200] if basis == SeatBasis.DELEGATE else "",
            created_by_label=actor.label,
            created_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            verb="meetings.seat_appoint",
            purpose="governance",
            subjects=[person.pk],
            object_type="org.body",
            object_id=body.pk,
            data={"basis": basis, "from_unit": from_unit.pk if from_unit else None, "term": term.pk},
        )
    return seat
