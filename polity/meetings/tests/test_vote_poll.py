"""The phone's vote page polls cheaply: nothing new answers 204 with no page, at intervals the rulebook sets."""

from __future__ import annotations

import re

import pytest

from polity.rulebook.loader import get_rulebook

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def voting(org, gc, called):
    """A meeting in session, the member signed in as present, and a motion ready for a secret vote."""
    from polity.meetings.services.attendance import attendance_record, attendance_sign_in
    from polity.meetings.services.business import motion_submit
    from polity.meetings.services.meetings import meeting_open
    from polity.meetings.tests.conftest import person_actor

    meeting = meeting_open(actor=org.actor("secretary"), meeting=called)
    motion = motion_submit(
        actor=person_actor(gc.delegates[2]),
        meeting=meeting,
        title="Buses",
        text="Better buses.",
        seconder=gc.delegates[3],
        now=meeting.created_at,
    )
    attendance_sign_in(actor=org.actor("member"), meeting=meeting)
    for person in gc.delegates[1:10]:  # quorate
        attendance_record(actor=org.actor("secretary"), meeting=meeting, person=person, presence="present")
    return meeting, motion


def _poll_address(page: bytes) -> str:
    found = re.search(rb'hx-get="([^"]+\?seen=[0-9a-f]+)"', page)
    assert found, page
    return found.group(1).decode()


def _every(page: bytes) -> int:
    found = re.search(rb'hx-trigger="every (\d+)s"', page)
    assert found, page
    return int(found.group(1))


def test_a_poll_that_finds_nothing_new_gets_no_page_and_a_new_vote_shows(org, login, voting):
    from polity.meetings.services.business import motion_vote_open

    meeting, motion = voting
    member = login("member")
    page = member.get(f"/meetings/{meeting.pk}/vote/")
    assert b"No vote is open" in page.content
    address = _poll_address(page.content)
    nothing = member.get(address, **HX)
    assert nothing.status_code == 204 and nothing.content == b""
    motion_vote_open(actor=org.actor("secretary"), motion=motion, method="secret")
    news = member.get(address, **HX)
    assert news.status_code == 200 and b"Cast my vote" in news.content
    # The fragment replaces the polling element with one that carries what it now shows.
    assert news.content.startswith(b'<div id="open-votes"') and _poll_address(news.content) != address
    assert member.get(_poll_address(news.content), **HX).status_code == 204
    # Without htmx (no script, or a reload) the whole page comes, whatever was seen.
    assert b"Cast my vote" in member.get(address).content


def test_the_page_polls_less_often_once_the_phone_has_voted(org, login, voting):
    from polity.meetings.services.business import motion_vote_open

    meeting, motion = voting
    rulebook = get_rulebook()
    member = login("member")
    motion_vote_open(actor=org.actor("secretary"), motion=motion, method="secret")
    before = member.get(f"/meetings/{meeting.pk}/vote/")
    assert _every(before.content) == rulebook.number("meetings.vote_page_poll_seconds")
    address = _poll_address(before.content)
    cast = member.post(f"/meetings/{meeting.pk}/cast/", {"motion": motion.pk, "choice": "for"})
    assert cast.status_code == 302
    after = member.get(address, **HX)  # the page seen before voting is out of date
    assert after.status_code == 200 and b"Your vote is recorded" in after.content
    assert _every(after.content) == rulebook.number("meetings.vote_page_poll_after_voting_seconds")
    assert _every(after.content) > _every(before.content)


def test_the_projector_polls_as_often_as_the_rulebook_says(login, voting):
    meeting, _motion = voting
    page = login("secretary").get(f"/meetings/{meeting.pk}/results/")
    assert _every(page.content) == get_rulebook().number("meetings.results_poll_seconds")


def test_a_poll_of_a_meeting_one_may_not_see_answers_like_a_missing_page(login, voting):
    meeting, _motion = voting
    assert login("outsider").get(f"/meetings/{meeting.pk}/vote/?seen=0", **HX).status_code == 404


def test_a_poll_asks_few_queries(org, login, voting, django_assert_max_num_queries):
    """Session, user, the second factor's device (this member has one), offices and grants, the meeting, the
    member's home unit, the open votes, the receipts: 8, where the page before asked 11."""
    from polity.meetings.services.business import motion_vote_open

    meeting, motion = voting
    member = login("member")
    motion_vote_open(actor=org.actor("secretary"), motion=motion, method="secret")
    address = _poll_address(member.get(f"/meetings/{meeting.pk}/vote/").content)
    with django_assert_max_num_queries(8):
        assert member.get(address, **HX).status_code == 204
    with django_assert_max_num_queries(8):
        assert member.get(f"/meetings/{meeting.pk}/vote/?seen=old", **HX).status_code == 200
