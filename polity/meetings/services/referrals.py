"""Motions sent to another body (invariant 1): acknowledged and answered within the rulebook's deadlines.

Sending a carried motion of a valid meeting opens two deadlines owned by the receiving body's unit
(`deadlines.motion_acknowledgement` and `deadlines.motion_response`; an emergency motion has the shorter
`meetings.emergency_motion_*`). A missed deadline escalates up the tree through the deadlines app. The
sending body's members see the state and deadlines at any time; the answer is published to them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.deadlines.models import Deadline
from polity.deadlines.services import deadline_meet, deadline_open
from polity.meetings.gate import require_body, require_manage
from polity.meetings.models import Motion, MotionState, Referral, ReferralState
from polity.meetings.rules import (
    ACKNOWLEDGEMENT,
    EMERGENCY_ACKNOWLEDGEMENT,
    EMERGENCY_RESPONSE,
    RESPONSE,
    MeetingRefused,
)
from polity.org.models import Body

SOURCE = "meetings.referral"


def _audit(actor: Actor, verb: str, referral: Referral, **data: object) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        purpose="governance",
        object_type=SOURCE,
        object_id=referral.pk,
        data=dict(data),
    )


def motion_refer(*, actor: Actor, motion: Motion, to_body: Body, is_emergency: bool = False) -> Referral:
    """Send a carried motion to another body; its deadlines to acknowledge and answer start now."""
    meeting = motion.meeting
    require_manage(actor, meeting.body)
    require_body(actor, to_body)
    if motion.state != MotionState.CARRIED:
        raise MeetingRefused("referral", "only a motion the body carried is sent to another body")
    if not (meeting.notice_is_valid and meeting.was_quorate):
        raise MeetingRefused(
            "late_notice", "a motion of a meeting that was not validly held is not a decision of the body"
        )
    if to_body.pk == meeting.body_id:
        raise InvalidInput("to_body: send the motion to another body")
    if Referral.objects.filter(motion=motion, to_body=to_body).exists():
        raise MeetingRefused("referral", f"motion {motion.number} was already sent to {to_body.name}")
    now = timezone.now()
    ack_rule, response_rule = (
        (EMERGENCY_ACKNOWLEDGEMENT, EMERGENCY_RESPONSE) if is_emergency else (ACKNOWLEDGEMENT, RESPONSE)
    )
    with transaction.atomic():
        referral = Referral.objects.create(
            motion=motion,
            from_body=meeting.body,
            to_body=to_body,
            is_emergency=is_emergency,
            sent_at=now,
            sent_by_label=actor.label,
        )
        what = f"motion '{motion.title[:80]}' of {meeting.body.name}"
        ack = deadline_open(
            actor=actor,
            rule_key=ack_rule,
            start=now,
            owner_unit=to_body.unit,
            subject_type=SOURCE,
            subject_id=referral.pk,
            title=f"{to_body.name}: acknowledge the {what}"[:200],
        )
        response = deadline_open(
            actor=actor,
            rule_key=response_rule,
            start=now,
            owner_unit=to_body.unit,
            subject_type=SOURCE,
            subject_id=referral.pk,
            title=f"{to_body.name}: answer the {what}"[:200],
        )
        referral.acknowledgement_deadline_id, referral.response_deadline_id = ack.pk, response.pk
        referral.save(update_fields=["acknowledgement_deadline_id", "response_deadline_id"])
        _audit(actor, "meetings.motion_refer", referral, to_body=to_body.pk, emergency=is_emergency)
    return referral


def _meet(actor: Actor, deadline_id: int | None) -> bool:
    """Meet the deadline; True when it had been missed (met late)."""
    deadline = Deadline.objects.filter(pk=deadline_id).first() if deadline_id else None
    if deadline is None or deadline.state == "met":
        return False
    deadline_meet(actor=actor, deadline=deadline)
    return deadline.missed_at is not None or deadline.due_at < timezone.now()


def referral_acknowledge(*, actor: Actor, referral: Referral) -> Referral:
    require_manage(actor, referral.to_body)
    if referral.state != ReferralState.SENT:
        raise MeetingRefused("referral", "this motion was already acknowledged")
    with transaction.atomic():
        _meet(actor, referral.acknowledgement_deadline_id)
        referral.state, referral.acknowledged_at = ReferralState.ACKNOWLEDGED, timezone.now()
        referral.acknowledged_by_label = actor.label
        referral.save(update_fields=["state", "acknowledged_at", "acknowledged_by_label"])
        _audit(actor, "meetings.referral_acknowledge", referral)
    return referral


def referral_answer(*, actor: Actor, referral: Referral, answer: str) -> Referral:
    """The receiving body's answer, published to the sending body; acknowledges it too if not yet done."""
    require_manage(actor, referral.to_body)
    if referral.state == ReferralState.ANSWERED:
        raise MeetingRefused("referral", "this motion was already answered")
    if not answer.strip():
        raise InvalidInput("answer: write the body's answer")
    now = timezone.now()
    with transaction.atomic():
        if referral.state == ReferralState.SENT:
            _meet(actor, referral.acknowledgement_deadline_id)
            referral.acknowledged_at, referral.acknowledged_by_label = now, actor.label
        referral.answered_late = _meet(actor, referral.response_deadline_id)
        referral.state, referral.answer, referral.answered_at = ReferralState.ANSWERED, answer.strip(), now
        referral.answered_by_label = actor.label
        referral.save()
        _audit(actor, "meetings.referral_answer", referral, late=referral.answered_late)
    return referral
