"""Continuity of governance notices (DESIGN invariant 8) and the meetings they announce.

When a unit's officers lose their data access, the unit can still send its governance notices:
- through another officer who may write to the unit (an ordinary `message_send`), or
- by asking the region: any office holder of the unit (a chair, a treasurer, even one whose access was
  cut) files the notice; it waits for the region, which must send it within the rulebook's deadline;
  a missed deadline escalates up the tree like every other deadline.
The requester never sees a recipient: the notice is resolved and sent by whoever handles it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from polity.access.policy import may_request_notice
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput, NotVisible
from polity.comms.merge import check_fields
from polity.comms.models import Audience, BodyPart, Message, MessageState
from polity.comms.services import CONTINUITY_RULE, SOURCE, approver_unit_for
from polity.deadlines.services import deadline_open
from polity.meetings.models import Meeting
from polity.org.models import Body


def _holds_office_in(actor: Actor, body: Body, at: datetime) -> bool:
    """An officer of the body's unit (chair, secretary, treasurer...); seats on a body do not count."""
    return may_request_notice(actor, body.unit, at=at)


def governance_notice_request(
    *, actor: Actor, body: Body, subject: str, text: str, meeting: Meeting | None = None
) -> Message:
    """File a governance notice for the region to send; opens the regional handling deadline."""
    now = timezone.now()
    if not _holds_office_in(actor, body, now):
        raise NotVisible("not found")
    if meeting is not None and meeting.body_id != body.pk:
        raise InvalidInput("meeting: it is not a meeting of this body")
    if not subject.strip() or not text.strip():
        raise InvalidInput("subject and text: a notice needs both")
    check_fields(subject=subject, body=text, has_meeting=meeting is not None)
    handler = approver_unit_for(body.unit) or body.unit
    with transaction.atomic():
        audience = Audience.objects.create(
            name=f"{body.name} (members)",
            unit=body.unit,
            body=body,
            body_part=BodyPart.MEMBERS,
            created_by_person_id=actor.person_id,
            created_by_label=actor.label,
            created_at=now,
        )
        message = Message.objects.create(
            unit=body.unit,
            audience=audience,
            purpose="governance",
            channel="email",
            subject=subject.strip(),
            body=text,
            meeting=meeting,
            state=MessageState.AWAITING_REGION,
            approver_unit=handler,
            created_by_person_id=actor.person_id,
            created_by_label=actor.label,
            created_at=now,
        )
        deadline_open(
            actor=actor,
            rule_key=CONTINUITY_RULE,
            start=now,
            owner_unit=handler,
            subject_type=SOURCE,
            subject_id=message.pk,
            title=f"Send the governance notice of {body.name} ({body.unit.name})",
        )
        audit_record(
            actor=actor,
            verb="comms.governance_notice_request",
            purpose="governance",
            object_type=SOURCE,
            object_id=message.pk,
            data={"body": body.pk, "handler": handler.pk},
        )
    return message


def meeting_create(
    *, actor: Actor, body: Body, title: str, starts_at: datetime, place: str, agenda: str = ""
) -> Meeting:
    """Record an ordinary meeting so its notice goes out on the rulebook's schedule: the meetings app's
    `meeting_call` (its callers: the unit's secretary or chair, or whoever runs its meetings)."""
    from polity.meetings.services.meetings import meeting_call

    if starts_at <= timezone.now():
        raise InvalidInput("starts_at: a meeting to give notice of must be in the future")
    return meeting_call(actor=actor, body=body, title=title, starts_at=starts_at, place=place, agenda=agenda)
