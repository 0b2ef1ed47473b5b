"""GET /members and /members/{id}: the register, scoped by access, every read recorded in the log."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from polity.access.perms import Perm
from polity.access.policy import can_see_member
from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut, MemberDetailOut, MemberOut, MemberPageOut
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.members.models import Person, Status
from polity.members.selectors import PAGE_SIZE, member_get, member_list
from polity.org.selectors import unit_get

router = Router(tags=["members"])


def shows_contact(actor: Actor, person: Person) -> bool:
    """Contact details only for the member themself or holders of MEMBERS_VIEW_CONTACT over their unit."""
    if actor.person_id is not None and actor.person_id == person.pk:
        return True
    return can_see_member(actor, person, Perm.MEMBERS_VIEW_CONTACT)


def member_out(person: Person, actor: Actor) -> dict[str, object]:
    contact = None
    if shows_contact(actor, person):
        contact = {
            "email": person.email,
            "phone": person.phone,
            "address_line": person.address_line,
            "town": person.town,
            "postcode": person.postcode,
        }
    return {
        "id": person.pk,
        "membership_number": person.membership_number,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "status": person.status,
        "home_unit": person.home_unit_id,
        "home_unit_name": person.home_unit.name,
        "joined_on": person.joined_on,
        "paid_until": person.paid_until,
        "contact": contact,
    }


@router.get("", response={200: MemberPageOut, 404: ErrorOut, 422: ErrorOut}, summary="List members in scope")
def members_list(
    request: HttpRequest,
    unit: int | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
    status: str = "",
    page: Annotated[int, Field(ge=1, le=100_000)] = 1,
) -> dict[str, object]:
    """One page (50) of the members you may see, ordered by name; `unit` limits to a unit's subtree.

    Contact details appear only where you hold `members.view_contact`. The page shown is recorded.
    """
    if status and status not in Status.values:
        raise InvalidInput(f"status: one of {', '.join(Status.values)}")
    actor = actor_of(request)
    scope = unit_get(actor=actor, unit_id=unit, perm=Perm.MEMBERS_VIEW) if unit is not None else None
    result = member_list(
        actor=actor,
        unit=scope,
        q=q,
        status=status,
        page=page,
        page_size=PAGE_SIZE,
        purpose="api: members list",
        channel="api",
    )
    return {
        "page": result.page,
        "page_size": PAGE_SIZE,
        "has_next": result.has_next,
        "items": [member_out(p, actor) for p in result.members],
    }


@router.get("/{member_id}", response={200: MemberDetailOut, 404: ErrorOut}, summary="One member's record")
def members_get(request: HttpRequest, member_id: int) -> dict[str, object]:
    """A member's record with membership periods and payments. Out of scope answers 404, like a missing id."""
    actor = actor_of(request)
    person = member_get(actor=actor, member_id=member_id, purpose="api: member record", channel="api")
    out = member_out(person, actor)
    out["periods"] = [
        {"started_on": p.started_on, "ended_on": p.ended_on, "end_status": p.end_status}
        for p in person.periods.all()
    ]
    out["payments"] = [
        {
            "amount_pence": p.amount_pence,
            "paid_on": p.paid_on,
            "covers_until": p.covers_until,
            "method": p.method,
        }
        for p in person.payments.all()
    ]
    return out


__all__ = ["MemberOut", "member_out", "router", "shows_contact"]
