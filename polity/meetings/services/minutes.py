"""Minutes: drafted, circulated to the body, approved (or corrected) at a later meeting, published.

Every write is a new version; none is changed or removed. Approval is business of the later meeting, so
it is refused unless that meeting is in session, validly noticed and quorate.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.deadlines.services import deadlines_meet_for
from polity.meetings.gate import require_manage
from polity.meetings.models import Meeting, Minutes, MinutesState, State
from polity.meetings.rules import MINUTES_CIRCULATION, MeetingRefused
from polity.meetings.services.common import require_business

SOURCE = "meetings.minutes"


def _audit(actor: Actor, verb: str, minutes: Minutes, **data: object) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        purpose="governance",
        object_type=SOURCE,
        object_id=minutes.pk,
        data={"meeting": minutes.meeting_id, "version": minutes.version, **data},
    )


def latest_minutes(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).order_by("-version").first()


def minutes_draft(*, actor: Actor, meeting: Meeting, text: str) -> Minutes:
    """Write a new draft version of the minutes of a meeting that was held."""
    require_manage(actor, meeting.body)
    if meeting.state not in (State.OPEN, State.CLOSED):
        raise MeetingRefused("state", "minutes are written of a meeting that was held")
    if not text.strip():
        raise InvalidInput("text: the minutes are empty")
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        last = latest_minutes(meeting)
        if last is not None and last.state in (MinutesState.APPROVED, MinutesState.PUBLISHED):
            raise MeetingRefused(
                "minutes", "these minutes are approved: a correction is made at a later meeting"
            )
        minutes = Minutes.objects.create(
            meeting=meeting,
            version=(last.version + 1) if last else 1,
            text=text.strip(),
            written_by_label=actor.label,
            written_at=timezone.now(),
        )
        _audit(actor, "meetings.minutes_draft", minutes)
    return minutes


def minutes_circulate(*, actor: Actor, minutes: Minutes) -> Minutes:
    require_manage(actor, minutes.meeting.body)
    if minutes.state != MinutesState.DRAFT or minutes != latest_minutes(minutes.meeting):
        raise MeetingRefused("minutes", "only the latest draft is circulated")
    with transaction.atomic():
        minutes.state, minutes.circulated_at = MinutesState.CIRCULATED, timezone.now()
        minutes.save(update_fields=["state", "circulated_at"])
        deadlines_meet_for(
            actor=actor,
            subject_type="meetings.meeting",
            subject_id=minutes.meeting_id,
            rule_key=MINUTES_CIRCULATION,
        )
        _audit(actor, "meetings.minutes_circulate", minutes)
    return minutes


def minutes_approve(
    *, actor: Actor, minutes: Minutes, at_meeting: Meeting, corrected_text: str = ""
) -> Minutes:
    """The body approves the minutes at a later meeting, as circulated or with corrections (a new version)."""
    meeting = minutes.meeting
    require_manage(actor, meeting.body)
    if at_meeting.body_id != meeting.body_id or at_meeting.starts_at <= meeting.starts_at:
        raise InvalidInput("at_meeting: minutes are approved at a later meeting of the same body")
    require_business(at_meeting)
    if minutes.state != MinutesState.CIRCULATED or minutes != latest_minutes(meeting):
        raise MeetingRefused("minutes", "the body approves the latest minutes circulated to it")
    now = timezone.now()
    with transaction.atomic():
        if corrected_text.strip() and corrected_text.strip() != minutes.text:
            minutes = Minutes.objects.create(
                meeting=meeting,
                version=minutes.version + 1,
                text=corrected_text.strip(),
                written_by_label=actor.label,
                written_at=now,
                circulated_at=now,
            )
        minutes.state, minutes.approved_at, minutes.approved_at_meeting = (
            MinutesState.APPROVED,
            now,
            at_meeting,
        )
        minutes.save(update_fields=["state", "approved_at", "approved_at_meeting"])
        _audit(actor, "meetings.minutes_approve", minutes, at_meeting=at_meeting.pk)
    return minutes


def minutes_publish(*, actor: Actor, minutes: Minutes) -> Minutes:
    """Publish approved minutes to the members of the body's unit."""
    require_manage(actor, minutes.meeting.body)
    if minutes.state != MinutesState.APPROVED:
        raise MeetingRefused("minutes", "only approved minutes are published")
    with transaction.atomic():
        minutes.state, minutes.published_at = MinutesState.PUBLISHED, timezone.now()
        minutes.save(update_fields=["state", "published_at"])
        _audit(actor, "meetings.minutes_publish", minutes)
    return minutes
