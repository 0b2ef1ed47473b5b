"""GET/POST /me/consents: a member sees and changes their own consents. Every change is logged."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from polity.api.auth import actor_of
from polity.consent.models import Method
from polity.consent.selectors import consent_states, my_person
from polity.consent.services import consent_record, consent_wording

router = Router(tags=["consent"])


class ConsentOut(Schema):
    purpose: str
    purpose_label: str
    basis: str
    channel: str
    state: str
    may_refuse: bool
    since: datetime | None
    wording: str


class ConsentIn(Schema):
    purpose: str
    channel: str
    action: Literal["given", "withdrawn"]


class ErrorOut(Schema):
    detail: str


def _states(request: HttpRequest) -> list[dict[str, object]]:
    actor = actor_of(request)
    person = my_person(actor=actor)
    return [
        {**vars(s), "wording": consent_wording(s.purpose, s.channel) if s.may_refuse else ""}
        for s in consent_states(actor=actor, person=person)
    ]


@router.get("", response=list[ConsentOut], summary="My consents")
def my_consents(request: HttpRequest) -> list[dict[str, object]]:
    """Every purpose and channel, with its lawful basis and your current choice."""
    return _states(request)


@router.post(
    "",
    response={200: list[ConsentOut], 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Change a consent",
)
def change_consent(request: HttpRequest, payload: ConsentIn) -> list[dict[str, object]]:
    """Give or withdraw consent for one purpose and channel; the wording shown is the one returned by GET."""
    actor = actor_of(request)
    consent_record(
        actor=actor,
        person=my_person(actor=actor),
        purpose=payload.purpose,
        channel=payload.channel,
        action=payload.action,
        method=Method.API,
    )
    return _states(request)
