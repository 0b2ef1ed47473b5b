"""Helpers shared by the meetings services: the rules a write must meet before it records business."""

from __future__ import annotations

from django.db.models import QuerySet

from polity.common.actor import Actor
from polity.meetings.models import Attendance, Meeting, Presence, State
from polity.meetings.rules import MeetingRefused


def present_entitled(meeting: Meeting) -> QuerySet[Attendance]:
    return Attendance.objects.filter(meeting=meeting, presence=Presence.PRESENT, is_entitled=True)


def present_count(meeting: Meeting) -> int:
    return present_entitled(meeting).count()


def require_in_session(meeting: Meeting) -> None:
    if meeting.state != State.OPEN:
        raise MeetingRefused("not_in_session", f"{meeting.title} is not in session: open it first")


def require_business(meeting: Meeting) -> None:
    """Invariant 7: business is recorded only at a meeting in session, validly noticed, and quorate."""
    require_in_session(meeting)
    if not meeting.notice_is_valid:
        raise MeetingRefused(
            "late_notice",
            f"{meeting.title} was not validly called: notice did not reach everyone entitled in time "
            "(the rulebook's notice period), and late notice was not waived. Its business cannot be recorded.",
        )
    present = present_count(meeting)
    if meeting.quorum is None or present < meeting.quorum:
        raise MeetingRefused(
            "inquorate",
            f"{meeting.title} is inquorate: {present} entitled present, the quorum is {meeting.quorum}. "
            "No business can be recorded until it is quorate.",
        )


def actor_person_id(actor: Actor) -> int:
    if actor.person_id is None:
        raise MeetingRefused("not_entitled", "only a member on the register takes part in a meeting")
    return actor.person_id
