"""A general committee of North A with twelve delegates (member and member2 among them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest


@dataclass
class Committee:
    body: object
    delegates: list[object] = field(default_factory=list)


@pytest.fixture
def gc(org):  # type: ignore[no-untyped-def]
    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    system = Actor.system()
    body = org.units["north_a_gc"]
    people = [org.people["member"], org.people["member2"]]
    for n in range(10):
        people.append(make_person(org.units["north_a_1" if n % 2 else "north_a_2"], f"Del{n}", "Egate"))
    for person in people:
        office_appoint(actor=system, person=person, office="delegate", unit=org.units["north_a"], body=body)
    return Committee(body=body, delegates=people)


def person_actor(person):  # type: ignore[no-untyped-def]
    from polity.common.actor import Actor

    return Actor(user_id=None, person_id=person.pk, label=f"{person.given_name} {person.family_name}")


@pytest.fixture
def called(org, gc):  # type: ignore[no-untyped-def]
    """An ordinary meeting of the GC in 30 days, called by the secretary, notice sent on time."""
    from django.utils import timezone

    from polity.meetings.services.meetings import meeting_call, meeting_notice_send

    meeting = meeting_call(
        actor=org.actor("secretary"),
        body=gc.body,
        title="General committee, January",
        starts_at=timezone.now() + timedelta(days=30),
        place="Community hall",
        agenda=["Minutes of the last meeting", "Motions"],
    )
    meeting_notice_send(actor=org.actor("secretary"), meeting=meeting)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def in_session(org, gc, called):  # type: ignore[no-untyped-def]
    """The meeting open with ten delegates present: quorate (quorum 10)."""
    from polity.meetings.services.attendance import attendance_record
    from polity.meetings.services.meetings import meeting_open

    meeting = meeting_open(actor=org.actor("secretary"), meeting=called)
    for person in gc.delegates[:10]:
        attendance_record(actor=org.actor("secretary"), meeting=meeting, person=person, presence="present")
    meeting.refresh_from_db()
    return meeting
