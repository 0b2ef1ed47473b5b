"""Audiences and messages over the API. Counts, never addresses.

POST /audiences, GET /audiences, GET /audiences/{id}, GET /audiences/{id}/preview
POST /messages, GET /messages, GET /messages/{id}, PUT|DELETE /messages/{id} (drafts, their author),
GET /messages/{id}/plan (what sending would do), POST /messages/{id}/send|approve|refuse|test
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from polity.api.auth import actor_of
from polity.comms.continuity import governance_notice_request
from polity.comms.drafts import message_delete, message_test_send, message_update
from polity.comms.models import Audience, Message
from polity.comms.plan import send_plan
from polity.comms.selectors import (
    audience_get,
    audience_list,
    audience_preview,
    body_by_id,
    body_get,
    meeting_get,
    message_delivery,
    message_get,
    message_list,
    message_report,
    message_status,
    send_unit_get,
)
from polity.comms.services import (
    audience_create,
    message_approve,
    message_create,
    message_refuse,
    message_send,
)

audiences = Router(tags=["comms"])
messages = Router(tags=["comms"])


class ErrorOut(Schema):
    detail: str


class AudienceIn(Schema):
    name: str
    unit: int
    units: list[int] = []
    body: int | None = None
    body_part: str = ""
    statuses: list[str] = []
    min_days_in_arrears: int | None = None
    joined_since: date | None = None
    offices: list[str] = []


class AudienceOut(Schema):
    id: int
    name: str
    unit: int
    unit_name: str
    units: list[int]
    body: int | None
    body_part: str
    statuses: list[str]
    min_days_in_arrears: int | None
    joined_since: date | None
    offices: list[str]
    created_by: str
    created_at: datetime


class PreviewOut(Schema):
    audience: int
    purpose: str
    channel: str
    total: int
    reachable: int
    no_consent: int
    suppressed: int
    no_address: int


class MessageIn(Schema):
    audience: int
    purpose: str
    channel: str = "email"
    subject: str = ""
    body: str
    scheduled_for: datetime | None = None
    meeting: int | None = None


class RefuseIn(Schema):
    reason: str


class TestIn(Schema):
    to: str = ""  # refused when given: a test goes only to the sender's own address


class TestOut(Schema):
    sent_to: str


class PlanOut(Schema):
    message: int
    purpose: str
    channel: str
    total: int
    reachable: int
    excluded: dict[str, int]
    approver_unit: int | None
    approval_due: datetime | None
    scheduled_for: datetime | None


class MessageOut(Schema):
    id: int
    unit: int
    audience: int
    purpose: str
    channel: str
    subject: str
    body: str
    state: str
    scheduled_for: datetime | None
    approver_unit: int | None
    refusal_reason: str
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    recipients: int
    excluded: dict[str, int]
    delivery: dict[str, int]
    status: str


ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def audience_out(a: Audience) -> dict[str, object]:
    return {
        "id": a.pk,
        "name": a.name,
        "unit": a.unit_id,
        "unit_name": a.unit.name,
        "units": a.unit_ids,
        "body": a.body_id,
        "body_part": a.body_part,
        "statuses": a.statuses,
        "min_days_in_arrears": a.min_days_in_arrears,
        "joined_since": a.joined_since,
        "offices": a.offices,
        "created_by": a.created_by_label,
        "created_at": a.created_at,
    }


def message_out(m: Message, *, with_delivery: bool = True) -> dict[str, object]:
    """A message with counts; `delivery` (from the outbox) only on single-message answers."""
    return {
        "id": m.pk,
        "unit": m.unit_id,
        "audience": m.audience_id,
        "purpose": m.purpose,
        "channel": m.channel,
        "subject": m.subject,
        "body": m.body,
        "state": m.state,
        "scheduled_for": m.scheduled_for,
        "approver_unit": m.approver_unit_id,
        "refusal_reason": m.refusal_reason,
        "created_by": m.created_by_label,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
        "recipients": m.recipients,
        "excluded": m.excluded,
        "delivery": message_delivery(m) if with_delivery else {},
        "status": message_status(m, message_report(m) if with_delivery else None),
    }


@audiences.post("", response={201: AudienceOut, **ERRORS}, summary="Save an audience")
def audiences_create(request: HttpRequest, payload: AudienceIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    audience = audience_create(
        actor=actor,
        unit=send_unit_get(actor=actor, unit_id=payload.unit),
        name=payload.name,
        units=[send_unit_get(actor=actor, unit_id=u) for u in payload.units],
        body=body_get(actor=actor, body_id=payload.body) if payload.body is not None else None,
        body_part=payload.body_part,
        statuses=payload.statuses,
        min_days_in_arrears=payload.min_days_in_arrears,
        joined_since=payload.joined_since,
        offices=payload.offices,
    )
    return Status(201, audience_out(audience))


@audiences.get("", response=list[AudienceOut], summary="Audiences of units in scope")
def audiences_list(request: HttpRequest) -> list[dict[str, object]]:
    return [audience_out(a) for a in audience_list(actor=actor_of(request))]


@audiences.get("/{int:audience_id}", response={200: AudienceOut, 404: ErrorOut}, summary="One audience")
def audiences_get(request: HttpRequest, audience_id: int) -> dict[str, object]:
    return audience_out(audience_get(actor=actor_of(request), audience_id=audience_id))


@audiences.get("/{int:audience_id}/preview", response={200: PreviewOut, **ERRORS}, summary="Counts only")
def audiences_preview(
    request: HttpRequest, audience_id: int, purpose: str = "", channel: str = "email"
) -> dict[str, object]:
    """How many the audience reaches for a purpose and channel, and how many are excluded and why.
    Without a purpose: the audience's own (governance for a body's members, else service messages)."""
    preview = audience_preview(
        actor=actor_of(request), audience_id=audience_id, purpose=purpose, channel=channel
    )
    return {"audience": audience_id, **vars(preview)}


@messages.post("", response={201: MessageOut, **ERRORS}, summary="Compose a message")
def messages_create(request: HttpRequest, payload: MessageIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    message = message_create(
        actor=actor,
        audience=audience_get(actor=actor, audience_id=payload.audience),
        purpose=payload.purpose,
        channel=payload.channel,
        subject=payload.subject,
        body=payload.body,
        scheduled_for=payload.scheduled_for,
        meeting=meeting_get(actor=actor, meeting_id=payload.meeting) if payload.meeting is not None else None,
    )
    return Status(201, message_out(message))


@messages.get("", response=list[MessageOut], summary="Messages in scope and awaiting my approval")
# Delivery counts are in GET /messages/{id}; the list stays a constant number of queries.
def messages_list(request: HttpRequest, state: str = "") -> list[dict[str, object]]:
    return [
        message_out(m, with_delivery=False)
        for m in message_list(actor=actor_of(request), state=state or None)
    ]


@messages.get(
    "/{int:message_id}",
    response={200: MessageOut, 404: ErrorOut},
    summary="One message, with delivery counts",
)
def messages_get(request: HttpRequest, message_id: int) -> dict[str, object]:
    return message_out(message_get(actor=actor_of(request), message_id=message_id))


@messages.post(
    "/{int:message_id}/send", response={200: MessageOut, **ERRORS}, summary="Send, or queue for approval"
)
def messages_send(request: HttpRequest, message_id: int) -> dict[str, object]:
    """Sends now, schedules, or queues for the approving unit when the rulebook says so (see `state`)."""
    actor = actor_of(request)
    return message_out(message_send(actor=actor, message=message_get(actor=actor, message_id=message_id)))


@messages.post(
    "/{int:message_id}/approve", response={200: MessageOut, **ERRORS}, summary="Approve (approving unit)"
)
def messages_approve(request: HttpRequest, message_id: int) -> dict[str, object]:
    actor = actor_of(request)
    return message_out(message_approve(actor=actor, message=message_get(actor=actor, message_id=message_id)))


@messages.post(
    "/{int:message_id}/refuse", response={200: MessageOut, **ERRORS}, summary="Refuse, with a reason"
)
def messages_refuse(request: HttpRequest, message_id: int, payload: RefuseIn) -> dict[str, object]:
    actor = actor_of(request)
    message = message_get(actor=actor, message_id=message_id)
    return message_out(message_refuse(actor=actor, message=message, reason=payload.reason))


@messages.put(
    "/{int:message_id}", response={200: MessageOut, **ERRORS}, summary="Change a draft (its author)"
)
def messages_update(request: HttpRequest, message_id: int, payload: MessageIn) -> dict[str, object]:
    actor = actor_of(request)
    message = message_get(actor=actor, message_id=message_id)
    updated = message_update(
        actor=actor,
        message=message,
        audience=audience_get(actor=actor, audience_id=payload.audience),
        purpose=payload.purpose,
        channel=payload.channel,
        subject=payload.subject,
        body=payload.body,
        scheduled_for=payload.scheduled_for,
        meeting=meeting_get(actor=actor, meeting_id=payload.meeting) if payload.meeting is not None else None,
    )
    return message_out(updated)


@messages.api_operation(
    ["DELETE"], "/{int:message_id}", response={204: None, **ERRORS}, summary="Delete a draft (its author)"
)
def messages_delete(request: HttpRequest, message_id: int) -> Status[None]:
    actor = actor_of(request)
    message_delete(actor=actor, message=message_get(actor=actor, message_id=message_id))
    return Status(204, None)


@messages.get("/{int:message_id}/plan", response={200: PlanOut, **ERRORS}, summary="What sending would do")
def messages_plan(request: HttpRequest, message_id: int) -> dict[str, object]:
    """Counts only: who receives it by its channel, who is left out and why, who approves and by when."""
    actor = actor_of(request)
    plan = send_plan(actor=actor, message=message_get(actor=actor, message_id=message_id))
    return {
        "message": message_id,
        "purpose": plan.message.purpose,
        "channel": plan.channel,
        "total": plan.total,
        "reachable": plan.reachable,
        "excluded": plan.excluded,
        "approver_unit": plan.approver.pk if plan.approver else None,
        "approval_due": plan.approval_due,
        "scheduled_for": plan.scheduled_for,
    }


@messages.post("/{int:message_id}/test", response={200: TestOut, **ERRORS}, summary="Send a test to myself")
def messages_test(request: HttpRequest, message_id: int, payload: TestIn) -> dict[str, object]:
    """To the caller's own address on the register only, marked as a test, counted nowhere."""
    actor = actor_of(request)
    message = message_get(actor=actor, message_id=message_id)
    return {"sent_to": message_test_send(actor=actor, message=message, to=payload.to or None)}


class NoticeRequestIn(Schema):
    body: int
    subject: str
    text: str
    meeting: int | None = None


@messages.post(
    "/notice-requests",
    response={201: MessageOut, **ERRORS},
    summary="Ask the region to send a governance notice (continuity)",
)
def messages_notice_request(request: HttpRequest, payload: NoticeRequestIn) -> Status[dict[str, object]]:
    """For an officer of the body's unit whose unit cannot send itself (e.g. its officers lost data access):
    the region must send it within the rulebook's deadline, or it escalates."""
    actor = actor_of(request)
    body = body_by_id(payload.body)
    meeting = meeting_get(actor=actor, meeting_id=payload.meeting) if payload.meeting is not None else None
    message = governance_notice_request(
        actor=actor, body=body, subject=payload.subject, text=payload.text, meeting=meeting
    )
    return Status(201, message_out(message))
