"""Writes of comms: audiences, messages (compose, send or queue for approval, approve, refuse).

Sending hands the resolved, consent-checked recipients to the outbox in ONE place, `_hand_to_outbox`.
The outbox checks consent and suppression again for each recipient at delivery.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from polity.access.policy import has_perm, require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput
from polity.comms.merge import check_fields, shared_context, to_outbox
from polity.comms.models import Audience, BodyPart, Message, MessageState, UnitSender
from polity.comms.plan import APPROVAL_RULE, SENDABLE, approval_needed
from polity.comms.plan import approver_unit_for as approver_unit_for  # continuity imports it from here
from polity.comms.selectors import APPROVE_PERM, SEND_PERM, audience_members, reach_counts
from polity.deadlines.services import deadline_open, deadlines_meet_for
from polity.meetings.models import Meeting
from polity.members.models import Status
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook

CONTINUITY_RULE = "deadlines.regional_notice_handling"
SOURCE = "comms.message"


def audience_create(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    units: list[Unit] | None = None,
    body: Body | None = None,
    body_part: str = "",
    statuses: list[str] | None = None,
    min_days_in_arrears: int | None = None,
    joined_since: date | None = None,
    offices: list[str] | None = None,
) -> Audience:
    """Save a scoped query. Every unit it names must lie in the actor's scope and in `unit`."""
    require(actor, SEND_PERM, scope=unit)
    for sub in units or []:
        require(actor, SEND_PERM, scope=sub)
        if not unit.contains(sub):
            raise InvalidInput(f"units: {sub.name} is not within {unit.name}")
    if body is not None:
        require(actor, SEND_PERM, scope=body.unit)
        if not unit.contains(body.unit):
            raise InvalidInput(f"body: {body.name} is not within {unit.name}")
        body_part = body_part or BodyPart.MEMBERS
        if body_part not in (BodyPart.MEMBERS, BodyPart.DELEGATES):
            raise InvalidInput("body_part: 'members' or 'delegates'")
    elif body_part:
        raise InvalidInput("body_part: needs a body")
    bad = set(statuses or []) - set(Status.values)
    if bad:
        raise InvalidInput(f"statuses: unknown {sorted(bad)}; known: {Status.values}")
    bad = set(offices or []) - set(get_rulebook().offices)
    if bad:
        raise InvalidInput(f"offices: unknown {sorted(bad)}")
    if not name.strip():
        raise InvalidInput("name: give the audience a name")
    with transaction.atomic():
        audience = Audience.objects.create(
            name=name.strip()[:200],
            unit=unit,
            unit_ids=[u.pk for u in units or []],
            body=body,
            body_part=body_part if body is not None else "",
            statuses=list(statuses or []),
            min_days_in_arrears=min_days_in_arrears,
            joined_since=joined_since,
            offices=list(offices or []),
            created_by_person_id=actor.person_id,
            created_by_label=actor.label,
            created_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            verb="comms.audience_create",
            object_type="comms.audience",
            object_id=audience.pk,
            data={"unit": unit.pk},
        )
    return audience


def _outbox_channels() -> set[str]:
    from polity.outbox.models import Channel

    return set(Channel.values)


def message_check(
    *, audience: Audience, purpose: str, channel: str, subject: str, body: str, meeting: Meeting | None
) -> None:
    """Refuse what could not be sent as written: purpose, channel, body-only rule, merge fields."""
    rule = get_rulebook().purposes.get(purpose)
    if rule is None:
        raise InvalidInput(f"purpose: unknown; known: {sorted(get_rulebook().purposes)}")
    if channel not in rule.channels:
        raise InvalidInput(f"channel: {rule.label} go by {', '.join(rule.channels)}")
    if channel not in _outbox_channels():
        raise InvalidInput(f"channel: Polity delivers {', '.join(sorted(_outbox_channels()))} only")
    if rule.body_only and audience.body_id is None:
        raise InvalidInput(f"audience: {rule.label} go only to the members of a body")
    if meeting is not None and meeting.body_id != audience.body_id:
        raise InvalidInput("meeting: it is not a meeting of the audience's body")
    if channel == "email" and not subject.strip():
        raise InvalidInput("subject: an email needs a subject")
    if not body.strip():
        raise InvalidInput("body: the message is empty")
    check_fields(subject=subject, body=body, has_meeting=meeting is not None)


def message_create(
    *,
    actor: Actor,
    audience: Audience,
    purpose: str,
    channel: str,
    subject: str,
    body: str,
    scheduled_for: datetime | None = None,
    meeting: Meeting | None = None,
    state: str = MessageState.DRAFT,
) -> Message:
    """Compose a message to an audience. Nothing is sent until `message_send`."""
    require(actor, SEND_PERM, scope=audience.unit)
    message_check(
        audience=audience, purpose=purpose, channel=channel, subject=subject, body=body, meeting=meeting
    )
    with transaction.atomic():
        message = Message.objects.create(
            unit=audience.unit,
            audience=audience,
            purpose=purpose,
            channel=channel,
            subject=subject.strip(),
            body=body,
            meeting=meeting,
            scheduled_for=scheduled_for,
            state=state,
            created_by_person_id=actor.person_id,
            created_by_label=actor.label,
            created_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            verb="comms.message_create",
            purpose=purpose,
            object_type=SOURCE,
            object_id=message.pk,
            data={"audience": audience.pk, "channel": channel},
        )
    return message


def message_send(*, actor: Actor, message: Message) -> Message:
    """Send now, schedule, or queue for approval (campaigning above the rulebook's threshold).

    Governance and statutory notices never wait for approval. A message waiting for the region (see
    continuity) is sent by any officer who may write to its unit.
    """
    require(actor, SEND_PERM, scope=message.unit)
    if message.state not in SENDABLE:
        raise DomainError(f"this message is {message.get_state_display().lower()}")
    people = audience_members(actor=actor, audience=message.audience)
    approver = approval_needed(message, people.count())
    if approver is not None:
        return _queue_for_approval(actor, message, approver)
    if message.scheduled_for is not None and message.scheduled_for > timezone.now():
        return _set_state(actor, message, MessageState.SCHEDULED, "comms.message_schedule")
    return _dispatch(actor, message, people)


def _set_state(actor: Actor, message: Message, state: str, verb: str, **data: Any) -> Message:
    with transaction.atomic():
        message.state = state
        message.save(update_fields=["state", "approver_unit"])
        audit_record(
            actor=actor,
            verb=verb,
            purpose=message.purpose,
            object_type=SOURCE,
            object_id=message.pk,
            data=data,
        )
    return message


def _queue_for_approval(actor: Actor, message: Message, approver: Unit) -> Message:
    with transaction.atomic():
        message.approver_unit = approver
        _set_state(
            actor, message, MessageState.AWAITING_APPROVAL, "comms.message_submit", approver=approver.pk
        )
        deadline_open(
            actor=actor,
            rule_key=APPROVAL_RULE,
            start=timezone.now(),
            owner_unit=approver,
            subject_type=SOURCE,
            subject_id=message.pk,
            title=f"Approve or refuse message {message.pk} from {message.unit.name}",
        )
    return message


def message_approve(*, actor: Actor, message: Message) -> Message:
    """The approver unit (or a unit above it, after escalation) approves; the message goes out."""
    require_approver(actor, message)
    if message.created_by_person_id is not None and message.created_by_person_id == actor.person_id:
        raise Forbidden("you cannot approve your own message")
    with transaction.atomic():
        message.decided_by_label, message.decided_at = actor.label, timezone.now()
        message.save(update_fields=["decided_by_label", "decided_at"])
        deadlines_meet_for(actor=actor, subject_type=SOURCE, subject_id=message.pk, rule_key=APPROVAL_RULE)
        audit_record(
            actor=actor,
            verb="comms.message_approve",
            purpose=message.purpose,
            object_type=SOURCE,
            object_id=message.pk,
        )
        if message.scheduled_for is not None and message.scheduled_for > timezone.now():
            return _set_state(actor, message, MessageState.SCHEDULED, "comms.message_schedule")
        return _dispatch(actor, message, audience_members(actor=actor, audience=message.audience))


def message_refuse(*, actor: Actor, message: Message, reason: str) -> Message:
    require_approver(actor, message)
    if not reason.strip():
        raise InvalidInput("reason: say why the message is refused")
    with transaction.atomic():
        message.decided_by_label, message.decided_at = actor.label, timezone.now()
        message.refusal_reason = reason.strip()[:500]
        message.state = MessageState.REFUSED
        message.save(update_fields=["decided_by_label", "decided_at", "refusal_reason", "state"])
        deadlines_meet_for(actor=actor, subject_type=SOURCE, subject_id=message.pk, rule_key=APPROVAL_RULE)
        audit_record(
            actor=actor,
            verb="comms.message_refuse",
            purpose=message.purpose,
            object_type=SOURCE,
            object_id=message.pk,
            data={"reason": message.refusal_reason},
        )
    return message


def require_approver(actor: Actor, message: Message) -> None:
    approver = message.approver_unit
    if approver is None or not (
        has_perm(actor, SEND_PERM, message.unit) or has_perm(actor, APPROVE_PERM, approver)
    ):
        require(actor, SEND_PERM, scope=message.unit)  # raises NotVisible
    if message.state != MessageState.AWAITING_APPROVAL:
        raise DomainError("this message is not waiting for approval")
    assert approver is not None
    require(actor, APPROVE_PERM, scope=approver, visible=False)


def messages_send_due(*, actor: Actor, now: datetime | None = None) -> int:
    """The system sends scheduled messages whose time has come, within each audience's unit."""
    if not actor.is_system:
        raise Forbidden("only the system sends scheduled messages")
    now = now or timezone.now()
    count = 0
    for message in Message.objects.filter(
        state=MessageState.SCHEDULED, scheduled_for__lte=now
    ).select_related("audience__unit", "unit"):
        _dispatch(actor, message, audience_members(actor=actor, audience=message.audience))
        count += 1
    return count


def _dispatch(actor: Actor, message: Message, people: Any, *, ids: list[int] | None = None) -> Message:
    """Apply consent and suppression now, hand the recipients to the outbox, record counts."""
    if ids is None:
        ids, counts = reach_counts(people, purpose=message.purpose, channel=message.channel)
        excluded = {
            "no_consent": counts.no_consent,
            "suppressed": counts.suppressed,
            "no_address": counts.no_address,
        }
    else:
        excluded = {}
    with transaction.atomic():
        audience = message.audience
        ctx = shared_context(
            sender_unit=message.unit.name,
            body_name=audience.body.name if audience.body is not None else "",
            meeting=message.meeting,
        )
        message.dispatch_id = _hand_to_outbox(actor, message, ids, ctx)
        message.state = MessageState.SENT
        message.sent_at, message.sent_by_label = timezone.now(), actor.label
        message.recipients, message.excluded = len(ids), excluded
        message.save(
            update_fields=["dispatch_id", "state", "sent_at", "sent_by_label", "recipients", "excluded"]
        )
        deadlines_meet_for(actor=actor, subject_type=SOURCE, subject_id=message.pk, rule_key=CONTINUITY_RULE)
        audit_record(
            actor=actor,
            verb="comms.message_send",
            purpose=message.purpose,
            object_type=SOURCE,
            object_id=message.pk,
            data={"recipients": len(ids), "excluded": excluded, "dispatch": message.dispatch_id},
        )
    return message


def _hand_to_outbox(actor: Actor, message: Message, person_ids: list[int], ctx: dict[str, str]) -> int:
    """The one call into the delivery side. Returns the outbox dispatch id."""
    from polity.comms.rendering import reply_to_for
    from polity.outbox.services import dispatch_create

    dispatch = dispatch_create(
        actor=actor,
        purpose=message.purpose,
        channel=message.channel,
        subject=to_outbox(message.subject),
        body=to_outbox(message.body),
        person_ids=person_ids,
        source_type=SOURCE,
        source_id=message.pk,
        context=ctx,
        from_name=message.unit.name,
        reply_to=reply_to_for(message.unit),
        attachments=_meeting_files(message),
    )
    return int(dispatch.pk)


def unit_sender_set(*, actor: Actor, unit: Unit, reply_to: str) -> UnitSender:
    """Set where replies to the unit's messages go: a shared address of the unit, for whoever sends."""
    require(actor, SEND_PERM, scope=unit)
    address = reply_to.strip()
    if address and ("@" not in address or any(c.isspace() for c in address)):
        raise InvalidInput("reply_to: write one email address, like secretary@yourbranch.example")
    with transaction.atomic():
        sender, _created = UnitSender.objects.update_or_create(
            unit=unit,
            defaults={"reply_to": address, "updated_by_label": actor.label, "updated_at": timezone.now()},
        )
        audit_record(
            actor=actor,
            verb="comms.unit_sender_set",
            object_type="org.unit",
            object_id=unit.pk,
            data={"reply_to": address},
        )
    return sender


def _meeting_files(message: Message) -> list[tuple[str, str, str]]:
    """A message about a meeting carries the meeting as a calendar file (.ics)."""
    if message.meeting is None or message.channel != "email":
        return []
    from polity.meetings.ics import calendar

    return [
        (
            "meeting.ics",
            "text/calendar",
            calendar([message.meeting], name=message.meeting.title, now=timezone.now()),
        )
    ]
