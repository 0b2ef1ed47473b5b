"""GET /members and /members/{id}: the register, scoped by access, every read recorded in the log."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated

from django.core.files.base import ContentFile
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja import Status as Answer
from pydantic import Field

from polity.access.perms import Perm
from polity.access.policy import can_see_member
from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut, MemberDetailOut, MemberOut, MemberPageOut, ResignationOut
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.members.models import Person, Resignation, Status
from polity.members.resignations import resignation_record
from polity.members.selectors import PAGE_SIZE, member_for_write, member_get, member_list, resignations_for
from polity.members.services import member_set_status
from polity.org.selectors import unit_get

router = Router(tags=["members"])
ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


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
        "status_label": person.get_status_display(),
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


def resignation_out(r: Resignation) -> dict[str, object]:
    return {
        "id": r.pk,
        "person": r.person_id,
        "route": r.route,
        "route_label": r.get_route_display(),
        "state": r.state,
        "state_label": r.get_state_display(),
        "received_on": r.received_on,
        "window_ends_at": r.window_ends_at,
        "rule": r.rule,
        "rule_version": r.rule_version,
        "reason": r.reason,
        "dispute": r.dispute,
        "letter_name": r.letter_name,
        "letter_sha256": r.letter_sha256,
        "letter_size": r.letter_size,
        "created_at": r.created_at,
        "closed_at": r.closed_at,
    }


class StatusIn(Schema):
    status: str
    reason: str


@router.post("/{member_id}/status", response={200: MemberOut, **ERRORS}, summary="Admit an applicant")
def members_set_status(request: HttpRequest, member_id: int, data: StatusIn) -> dict[str, object]:
    """By hand, an officer with `members.edit` only admits an applicant (`status: "active"`). Any other
    status answers 409 naming its route: a resignation comes from the member (or their letter, see
    `POST /members/{id}/resignations`), arrears and lapse from the arrears rule, suspension, expulsion and
    refusal from a case. The member is told by email."""
    actor = actor_of(request)
    person = member_for_write(actor=actor, member_id=member_id)
    person = member_set_status(actor=actor, person=person, status=data.status, reason=data.reason)
    return member_out(member_for_write(actor=actor, member_id=person.pk), actor)


class LetterIn(Schema):
    name: str = "letter"
    content_base64: str


class ResignationRecordIn(Schema):
    received_on: date
    letter: LetterIn | None = None
    note: str = ""
    confirm: bool = False


@router.get(
    "/{member_id}/resignations", response={200: list[ResignationOut], 404: ErrorOut}, summary="Resignations"
)
def members_resignations(request: HttpRequest, member_id: int) -> list[dict[str, object]]:
    """A member's resignations, pending, disputed, taken back or in effect, newest first."""
    actor = actor_of(request)
    person = member_for_write(actor=actor, member_id=member_id)
    return [resignation_out(r) for r in resignations_for(actor=actor, person=person)]


@router.post(
    "/{member_id}/resignations",
    response={201: ResignationOut, **ERRORS},
    summary="Record a resignation the member sent",
)
def members_record_resignation(
    request: HttpRequest, member_id: int, data: ResignationRecordIn
) -> Answer[dict[str, object]]:
    """With `members.edit` over the member, record the resignation they sent: `letter` (their letter or email,
    base64) is required. The member is emailed and may dispute it during the rulebook's
    `membership.resignation_dispute_window`; undisputed, it takes effect when the window ends.
    Send `confirm: true` once you have read this."""
    actor = actor_of(request)
    person = member_for_write(actor=actor, member_id=member_id)
    if not data.confirm:
        raise InvalidInput(
            "confirm: the member will be emailed and their membership ends when the dispute window has passed, "
            "unless they dispute it; send confirm: true"
        )
    letter = None
    if data.letter is not None:
        try:
            content = base64.b64decode(data.letter.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("letter.content_base64: not base64") from None
        letter = ContentFile(content, name=data.letter.name or "letter")
    resignation = resignation_record(
        actor=actor, person=person, letter=letter, received_on=data.received_on, note=data.note
    )
    return Answer(201, resignation_out(resignation))


__all__ = ["MemberOut", "member_out", "resignation_out", "router", "shows_contact"]
