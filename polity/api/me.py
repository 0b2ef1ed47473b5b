"""GET /me and /me/access-log: who you are, what you may do where, and who viewed your data."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from ninja import Status as Answer
from pydantic import Field, model_validator

from polity.access.perms import Perm
from polity.access.policy import scopes
from polity.api.auth import actor_of
from polity.api.members import member_out, resignation_out
from polity.api.schemas import AccessLogEntryOut, ErrorOut, MeOut, PaymentOut, ResignationOut
from polity.audit.selectors import access_log_for_person
from polity.common.actor import Actor
from polity.common.errors import InvalidInput, NotVisible
from polity.members.models import Person
from polity.members.notices import in_words
from polity.members.resignations import (
    COOLING_OFF,
    resignation_dispute,
    resignation_request,
    resignation_withdraw,
)
from polity.members.sections import my_sections, section_declare, section_withdraw
from polity.members.selectors import member_for_write, member_get, my_resignation, resignations_for
from polity.members.self_service import member_renew, member_update_contact, renewal_quote
from polity.rulebook.loader import get_rulebook

router = Router(tags=["me"])


@router.get("", response=MeOut, summary="The token's account")
def me(request: HttpRequest) -> dict[str, object]:
    """Your account, your own record (if you are on the register) and your permissions with their scopes."""
    actor = actor_of(request)
    person = None
    if actor.person_id is not None:
        person = member_out(member_get(actor=actor, member_id=actor.person_id, channel="api"), actor)
    permissions = [
        {"permission": perm.value, "unit": s.unit_id, "source": s.source}
        for perm in Perm
        for s in scopes(actor, perm)
    ]
    return {"username": actor.label, "person": person, "permissions": permissions}


@router.get("/access-log", response=list[AccessLogEntryOut], summary="Who viewed or changed my data")
def my_access_log(request: HttpRequest, limit: Annotated[int, Field(ge=1, le=500)] = 50) -> list[object]:
    """Events of the access log that touched your data, newest first."""
    actor = actor_of(request)
    if actor.person_id is None:
        return []
    return list(access_log_for_person(actor=actor, person_id=actor.person_id, limit=limit))


def _me(actor: Actor) -> Person:
    if actor.person_id is None:
        raise NotVisible("not found")
    return member_for_write(actor=actor, member_id=actor.person_id)


class ObjectIn(Schema):
    """A body whose fields are all optional is still a JSON object (not a list or a string)."""

    @model_validator(mode="before")
    @classmethod
    def an_object(cls, value: object) -> object:
        raw = getattr(value, "_obj", value)  # ninja hands the parsed body over wrapped in a getter
        if not isinstance(raw, dict):
            raise ValueError("send a JSON object")
        return value


class ConfirmIn(ObjectIn):
    confirm: bool = False


class ResignIn(ConfirmIn):
    reason: str = ""


class DisputeIn(Schema):
    reason: str


class ContactIn(ObjectIn):
    email: str | None = None
    phone: str | None = None
    address_line: str | None = None
    town: str | None = None
    postcode: str | None = None


class RenewalOut(Schema):
    amount_pence: int
    covers_until: date
    rejoins: bool


ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/resignations", response={200: list[ResignationOut], 404: ErrorOut}, summary="My resignations")
def my_resignations(request: HttpRequest) -> list[dict[str, object]]:
    actor = actor_of(request)
    return [resignation_out(r) for r in resignations_for(actor=actor, person=_me(actor))]


@router.post("/resignations", response={201: ResignationOut, **ERRORS}, summary="Resign")
def my_resign(request: HttpRequest, data: ResignIn) -> Answer[dict[str, object]]:
    """Resign your membership. Nothing changes during the rulebook's cooling-off window
    (`membership.resignation_cooling_off`): until `window_ends_at` you can take it back with
    `POST /me/resignations/{id}/withdraw`; then your membership ends. You are emailed to confirm.
    Send `confirm: true` once you have read this."""
    actor = actor_of(request)
    person = _me(actor)
    if not data.confirm:
        window = in_words(get_rulebook().rule(COOLING_OFF).duration)
        raise InvalidInput(
            f"confirm: your membership ends {window} from now unless you take the resignation back before then; "
            "send confirm: true"
        )
    return Answer(201, resignation_out(resignation_request(actor=actor, person=person, reason=data.reason)))


@router.post(
    "/resignations/{resignation_id}/withdraw",
    response={200: ResignationOut, **ERRORS},
    summary="Take it back",
)
def my_resignation_withdraw(request: HttpRequest, resignation_id: int) -> dict[str, object]:
    """Take back your own resignation during its cooling-off window (409 once the window has ended)."""
    actor = actor_of(request)
    mine = my_resignation(actor=actor, resignation_id=resignation_id)
    return resignation_out(resignation_withdraw(actor=actor, resignation=mine))


@router.post(
    "/resignations/{resignation_id}/dispute", response={200: ResignationOut, **ERRORS}, summary="Dispute it"
)
def my_resignation_dispute(request: HttpRequest, resignation_id: int, data: DisputeIn) -> dict[str, object]:
    """Dispute a resignation an officer recorded for you, during its dispute window: it then never takes
    effect, and stays on your record as disputed (409 once the window has ended)."""
    actor = actor_of(request)
    mine = my_resignation(actor=actor, resignation_id=resignation_id)
    return resignation_out(resignation_dispute(actor=actor, resignation=mine, reason=data.reason))


@router.patch("/contact", response={200: MeOut, **ERRORS}, summary="Change my contact details")
def my_contact(request: HttpRequest, data: ContactIn) -> dict[str, object]:
    """Change your email, phone or postal address (only the fields you send). Your consents stay as they are."""
    actor = actor_of(request)
    member_update_contact(actor=actor, person=_me(actor), **data.model_dump(exclude_none=True))
    return me(request)


@router.get("/renewal", response={200: RenewalOut, **ERRORS}, summary="What renewing would do")
def my_renewal_quote(request: HttpRequest) -> dict[str, object]:
    actor = actor_of(request)
    return vars(renewal_quote(actor=actor, person=_me(actor)))


@router.post("/renewal", response={201: PaymentOut, **ERRORS}, summary="Renew my membership")
def my_renew(request: HttpRequest, data: ConfirmIn) -> Answer[dict[str, object]]:
    """Record a subscription payment of the rulebook's `membership.subscription_pence` (see GET /me/renewal);
    after a lapse or a resignation you rejoin first, with a new membership period. Send `confirm: true`."""
    actor = actor_of(request)
    person = _me(actor)
    if not data.confirm:
        quote = renewal_quote(actor=actor, person=person)
        raise InvalidInput(
            f"confirm: renewing records a payment of {quote.amount_pence} pence covering you until "
            f"{quote.covers_until.isoformat()}; send confirm: true"
        )
    payment = member_renew(actor=actor, person=person)
    return Answer(
        201,
        {
            "amount_pence": payment.amount_pence,
            "paid_on": payment.paid_on,
            "covers_until": payment.covers_until,
            "method": payment.method,
        },
    )


class SectionOut(Schema):
    key: str
    label: str
    basis: str  # "declaration" (you say so) or "age" (from your date of birth)
    belongs: bool
    since: date | None = None


class SectionIn(Schema):
    section: str  # a key of the rulebook's sections, as GET /me/sections lists them
    belongs: bool  # true declares it from today, false withdraws it from today


def _sections_out(actor: Actor, person: Person) -> list[dict[str, object]]:
    rows = my_sections(actor=actor, person=person)
    return [
        {"key": r.key, "label": r.label, "basis": r.basis, "belongs": r.is_member, "since": r.since}
        for r in rows
    ]


@router.get("/sections", response={200: list[SectionOut], **ERRORS}, summary="My sections")
def my_sections_list(request: HttpRequest) -> list[dict[str, object]]:
    """Every section of the rulebook and whether you belong to it today (declared, or by your age)."""
    actor = actor_of(request)
    return _sections_out(actor, _me(actor))


@router.post("/sections", response={200: list[SectionOut], **ERRORS}, summary="Declare or withdraw a section")
def my_sections_change(request: HttpRequest, data: SectionIn) -> list[dict[str, object]]:
    """Only you declare or withdraw your sections (422 for an age section or one the rulebook lacks)."""
    actor = actor_of(request)
    person = _me(actor)
    service = section_declare if data.belongs else section_withdraw
    service(actor=actor, person=person, section=data.section)
    return _sections_out(actor, person)
