"""GET/POST /me/consents: a member sees and changes their own consents. Every change is logged."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from polity.api.auth import actor_of
from polity.consent.models import Method
from polity.consent.selectors import consent_states, my_person, person_for_consent
from polity.consent.services import consent_record, consent_wording

router = Router(tags=["consent"])
officer_router = Router(tags=["consent"])


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


class OfficerConsentIn(Schema):
    person: int
    purpose: str
    channel: str
    action: Literal["given", "withdrawn"]
    evidence: str
    wording: str = ""


class RecordedOut(Schema):
    id: int
    person: int
    purpose: str
    channel: str
    action: str
    method: str
    occurred_at: datetime


@officer_router.post(
    "",
    response={201: RecordedOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Record a consent on the member's word",
)
def record_consent(request: HttpRequest, payload: OfficerConsentIn) -> Status[dict[str, object]]:
    """An officer with `members.edit` over the member records what the member said, with evidence (when and
    how they said it). The wording defaults to the standard wording for the purpose and channel."""
    actor = actor_of(request)
    event = consent_record(
        actor=actor,
        person=person_for_consent(actor=actor, person_id=payload.person),
        purpose=payload.purpose,
        channel=payload.channel,
        action=payload.action,
        method=Method.OFFICER,
        wording=payload.wording,
        evidence=payload.evidence,
    )
    return Status(
        201,
        {
            "id": event.pk,
            "person": event.person_id,
            "purpose": event.purpose,
            "channel": event.channel,
            "action": event.action,
            "method": event.method,
            "occurred_at": event.occurred_at,
        },
    )
