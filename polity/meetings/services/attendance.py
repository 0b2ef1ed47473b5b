"""Attendance and apologies: recorded by the secretary, or by a member signing in from their phone.

Each row says whether the person was entitled that day (a seat and good standing), so quorum is a count
of those present who are entitled, live.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.meetings.entitlement import is_entitled
from polity.meetings.gate import require_body, require_manage
from polity.meetings.models import Attendance, Meeting, Presence, State
from polity.meetings.rules import MeetingRefused
from polity.meetings.services.common import actor_person_id, present_count
from polity.members.models import Person


def _record(
    actor: Actor, meeting: Meeting, person: Person, presence: str, *, self_signed: bool
) -> Attendance:
    if presence not in Presence.values:
        raise InvalidInput(f"presence: one of {', '.join(Presence.values)}")
    entitled = is_entitled(meeting.body, person.pk, meeting.starts_at)
    now = timezone.now()
    with transaction.atomic():
        row, _created = Attendance.objects.update_or_create(
            meeting=meeting,
            person=person,
            defaults={
                "presence": presence,
                "is_entitled": entitled,
                "self_signed": self_signed,
                "recorded_by_label": actor.label,
                "recorded_at": now,
            },
        )
        quorum = meeting.quorum
        if meeting.state == State.OPEN and quorum is not None and not meeting.was_quorate:  # noqa: SIM102
            if present_count(meeting) >= quorum:
                Meeting.objects.filter(pk=meeting.pk).update(was_quorate=True)
                meeting.was_quorate = True
        audit_record(
            actor=actor,
            verb="meetings.attendance_record",
            purpose="governance",
            subjects=[person.pk],
            object_type="meetings.meeting",
            object_id=meeting.pk,
            data={"presence": presence, "entitled": entitled, "self": self_signed},
        )
    return row


def attendance_record(*, actor: Actor, meeting: Meeting, person: Person, presence: str) -> Attendance:
    """The secretary records someone present, sending apologies, or leaving (observers too: not entitled)."""
    require_manage(actor, meeting.body)
    if meeting.state in (State.CLOSED, State.CANCELLED):
        raise MeetingRefused("state", f"{meeting.title} is {meeting.get_state_display().lower()}")
    if presence == Presence.PRESENT and meeting.state != State.OPEN:
        raise MeetingRefused("not_in_session", "people are recorded present once the meeting is open")
    return _record(actor, meeting, person, presence, self_signed=False)


def attendance_sign_in(*, actor: Actor, meeting: Meeting) -> Attendance:
    """A member signs themself in from their phone: only someone entitled, only while it is open."""
    require_body(actor, meeting.body)
    person_id = actor_person_id(actor)
    if meeting.state != State.OPEN:
        raise MeetingRefused("not_in_session", f"{meeting.title} is not in session: sign in when it opens")
    if not is_entitled(meeting.body, person_id, meeting.starts_at):
        raise MeetingRefused(
            "not_entitled",
            f"you are not entitled to take part in {meeting.title}: a seat on {meeting.body.name} and good "
            "standing (membership active, not in arrears beyond the rulebook's grace) on the day are needed",
        )
    person = Person.objects.get(pk=person_id)
    try:
        return _record(actor, meeting, person, Presence.PRESENT, self_signed=True)
    except IntegrityError:  # pragma: no cover - update_or_create races on a double tap
        return Attendance.objects.get(meeting=meeting, person_id=person_id)


def apologies_send(*, actor: Actor, meeting: Meeting) -> Attendance:
    """A member sends their own apologies before the meeting."""
    require_body(actor, meeting.body)
    person_id = actor_person_id(actor)
    if meeting.state in (State.CLOSED, State.CANCELLED):
        raise MeetingRefused("state", f"{meeting.title} is {meeting.get_state_display().lower()}")
    return _record(actor, meeting, Person.objects.get(pk=person_id), Presence.APOLOGY, self_signed=True)
