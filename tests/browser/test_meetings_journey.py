"""A general committee's meeting end to end in a real Chromium, as the people in the room would run it.

The secretary calls the meeting and sends its notice (the confirmation step says to how many and whether it is
late); a delegate moves a motion with a seconder picked by name; at the meeting the secretary records
attendance with the person picker while the projector's page shows the quorum change live; two delegates sign
in and vote in a secret vote from 390 px phones; the projector shows how many voted, then the result; the
secretary closes the meeting, drafts and circulates minutes, and a later meeting approves them before they
are published. Every page passes axe-core and nothing runs off a phone's screen. The refusals (late notice,
inquorate business, not entitled, after the motions deadline) are attacked over HTTP in
`polity/meetings/tests/test_refusals_http.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_person
from tests.browser.conftest import axe_violations, overflow
from tests.browser.conftest import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _clean(page, *, phone: bool = False) -> None:  # type: ignore[no-untyped-def]
    assert axe_violations(page) == [], page.url
    if phone:
        assert overflow(page) == [], page.url


def _committee(org):  # type: ignore[no-untyped-def]
    """North A's general committee: member, member2 and ten more delegates (quorum 10)."""
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    body = org.units["north_a_gc"]
    people = [org.people["member"], org.people["member2"]]
    for n, given in enumerate(["Ada", "Ben", "Cai", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo"]):
        people.append(make_person(org.units["north_a_1" if n % 2 else "north_a_2"], given, "Delegate"))
    for person in people:
        office_appoint(
            actor=Actor.system(), person=person, office="delegate", unit=org.units["north_a"], body=body
        )
    return body, people


def test_a_general_committee_meeting_from_call_to_approved_minutes(org, new_page, screenshot):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.common.actor import Actor
    from polity.meetings.models import Meeting, Minutes, Motion, NoticeGiven, SecretTally, SecretVoteReceipt
    from polity.meetings.services import attendance as att
    from polity.meetings.services import meetings as mtg

    body, delegates = _committee(org)
    device = TOTPDevice.objects.create(user=org.users["secretary"], name="phone", confirmed=True)
    starts = timezone.localtime(timezone.now() + timedelta(days=14)).replace(hour=19, minute=30, second=0)

    # The secretary calls the meeting from the body's page and sends the notice after the confirmation step.
    sec = new_page()
    _sign_in(sec, "secretary", device)
    sec.goto(f"/meetings/bodies/{body.pk}/")
    _clean(sec)
    sec.get_by_role("link", name="Call a meeting").click()
    sec.get_by_label("Kind of meeting").select_option("ordinary")
    sec.get_by_label("Title").fill("General committee, spring")
    sec.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    sec.get_by_label("Place").fill("Community hall, Station Road")
    sec.get_by_label("Agenda").fill("Apologies\nMotions\nAny other business")
    _clean(sec)
    sec.get_by_role("button", name="Call the meeting").click()
    meeting = Meeting.objects.get(title="General committee, spring")
    sec.get_by_role("link", name="Send the notice").click()
    expect(sec.get_by_text("12 people entitled to attend who have not had it")).to_be_visible()
    _clean(sec)
    sec.get_by_role("button", name="Send the notice now").click()
    expect(sec.get_by_text("Notice queued for 12 people.")).to_be_visible()
    assert NoticeGiven.objects.filter(meeting=meeting).count() == 12

    # A delegate moves a motion before the deadline, naming her seconder with the person picker (a phone).
    mina = new_page()
    mina.set_viewport_size({"width": 390, "height": 844})
    _sign_in(mina, "member")
    mina.goto(f"/meetings/{meeting.pk}/")
    mina.get_by_label("Title").fill("Save the library")
    mina.get_by_label("Motion", exact=True).fill("This committee asks the council to keep the library open.")
    mina.get_by_label("Seconder").press_sequentially("Milo", delay=30)
    pick = mina.locator(".picker-pick").filter(has_text="Milo Member")
    expect(pick).to_have_count(1)
    pick.click()
    _clean(mina, phone=True)
    mina.get_by_role("button", name="Submit", exact=True).click()
    expect(mina.get_by_text("Motion 1 is submitted.")).to_be_visible()
    motion = Motion.objects.get(meeting=meeting)
    assert motion.mover == org.people["member"] and motion.seconder == org.people["member2"]

    # The day comes (the meeting's time is moved to now: the notice went out in time, 14 days before).
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(minutes=5))
    sec.goto(f"/meetings/{meeting.pk}/")
    sec.get_by_role("button", name="Open the meeting").click()
    expect(sec.get_by_text("inquorate, no business can be recorded")).to_be_visible()

    projector = new_page()
    projector.set_viewport_size({"width": 1280, "height": 720})
    # The projector's laptop is signed in as another officer of the constituency (the branch secretary).
    _sign_in(
        projector,
        "branchsec",
        TOTPDevice.objects.create(user=org.users["branchsec"], name="p", confirmed=True),
    )
    projector.goto(f"/meetings/{meeting.pk}/results/")
    expect(projector.get_by_text("0 present · quorum 10 · inquorate")).to_be_visible()
    _clean(projector)

    # Attendance: the secretary records one delegate with the picker; seven more were booked in at the door.
    sec.get_by_label("Person").press_sequentially("Ada", delay=30)
    sec.locator(".picker-pick").filter(has_text="Ada Delegate").click()
    sec.get_by_role("button", name="Record", exact=True).click()
    expect(sec.get_by_text("Recorded: Ada Delegate.")).to_be_visible()
    _clean(sec)
    for person in delegates[3:10]:
        att.attendance_record(
            actor=org.actor("secretary"),
            meeting=Meeting.objects.get(pk=meeting.pk),
            person=person,
            presence="present",
        )
    expect(projector.get_by_text("8 present · quorum 10 · inquorate")).to_be_visible(timeout=10_000)
    # Business while inquorate is refused in words.
    sec.goto(f"/meetings/{meeting.pk}/")
    sec.get_by_label("For", exact=True).fill("8")
    sec.get_by_label("Against", exact=True).fill("0")
    sec.get_by_role("button", name="Record the result").click()
    expect(sec.get_by_text("is inquorate: 8 entitled present, the quorum is 10")).to_be_visible()

    # Two delegates sign in from their phones: the projector turns quorate without a reload.
    milo = new_page()
    milo.set_viewport_size({"width": 390, "height": 844})
    _sign_in(milo, "member2")
    for phone in (mina, milo):
        phone.goto(f"/meetings/{meeting.pk}/vote/")
        _clean(phone, phone=True)
        phone.get_by_role("button", name="I am here: sign me in").click()
        expect(phone.get_by_text("You are signed in as present.")).to_be_visible()
    expect(projector.get_by_text("10 present · quorum 10 · quorate")).to_be_visible(timeout=10_000)

    # The chair opens a secret vote; the phones show it within seconds, and each votes once.
    sec.goto(f"/meetings/{meeting.pk}/")
    sec.get_by_label("Or a vote from phones").select_option("secret")
    sec.get_by_role("button", name="Open the vote").click()
    expect(sec.get_by_text("The vote on motion 1 is open")).to_be_visible()
    for phone, choice in ((mina, "For"), (milo, "Against")):
        expect(phone.get_by_role("heading", name="Motion 1: Save the library")).to_be_visible(timeout=10_000)
        phone.get_by_label(choice, exact=True).check()
        # The page polls every few seconds for new votes; a poll must not wipe the choice being made.
        with phone.expect_response(lambda r: r.request.method == "GET" and "/vote/" in r.url, timeout=10_000):
            pass
        expect(phone.get_by_label(choice, exact=True)).to_be_checked()
        _clean(phone, phone=True)
        phone.get_by_role("button", name="Cast my vote").click()
        expect(phone.get_by_text("Your vote is recorded.").first).to_be_visible()
        _clean(phone, phone=True)
    screenshot(mina, "60-meeting-vote-390")
    expect(projector.get_by_text("2 voted so far")).to_be_visible(timeout=10_000)
    assert SecretVoteReceipt.objects.filter(motion=motion).count() == 2
    assert sorted(SecretTally.objects.filter(motion=motion).values_list("choice", "count")) == [
        ("abstain", 0),
        ("against", 1),
        ("for", 1),
    ]
    sec.get_by_role("button", name="Close the vote and record the result").click()
    expect(sec.get_by_text("Motion 1 lost: 1 for, 1 against.")).to_be_visible()
    expect(projector.locator("table.results")).to_contain_text("Lost", timeout=10_000)
    _clean(projector)
    screenshot(projector, "61-meeting-results-projector")
    # The pages that poll (the projector, the phones' vote pages) are left, as people leave the room.
    projector.close()
    milo.close()
    mina.goto("/meetings/")

    # Close, draft and circulate the minutes.
    sec.get_by_role("button", name="Close the meeting").click()
    sec.get_by_label("Draft minutes").fill(
        "Present: ten delegates. Motion 1 (Save the library) lost, 1 to 1."
    )
    sec.get_by_role("button", name="Save the draft").click()
    expect(sec.get_by_text("Minutes saved as version 1.")).to_be_visible()
    sec.get_by_role("button", name="Circulate to the body").click()
    expect(sec.get_by_text("The minutes are circulated to the body.")).to_be_visible()
    _clean(sec)

    # The next meeting, validly called and quorate, approves them with a correction; then they are published.
    system = Actor.system()
    nxt = mtg.meeting_call(
        actor=system,
        body=body,
        title="General committee, summer",
        starts_at=timezone.now() + timedelta(minutes=5),
        place="Community hall",
        now=timezone.now() - timedelta(days=20),
    )
    mtg.meeting_notice_send(actor=system, meeting=nxt, now=timezone.now() - timedelta(days=19))
    nxt = mtg.meeting_open(actor=system, meeting=nxt)
    for person in delegates[:10]:
        att.attendance_record(actor=system, meeting=nxt, person=person, presence="present")
    sec.goto(f"/meetings/{nxt.pk}/")
    first = Minutes.objects.get(meeting=meeting, version=1)
    sec.get_by_label("Minutes of").select_option(value=str(first.pk))
    sec.get_by_label("Corrections (the corrected text; optional)").fill(
        "Present: ten delegates. Motion 1 (Save the library) lost on a tie, 1 to 1."
    )
    sec.get_by_role("button", name="Approve").click()
    expect(sec.get_by_text("The minutes are approved.")).to_be_visible()
    versions = list(
        Minutes.objects.filter(meeting=meeting).order_by("version").values_list("version", "state")
    )
    assert versions[0][0] == 1 and versions[-1][1] == "approved" and len(versions) == 2
    sec.goto(f"/meetings/{meeting.pk}/")
    sec.get_by_role("button", name="Publish to the members").click()
    expect(sec.get_by_text("The minutes are published to the members.")).to_be_visible()
    _clean(sec)
    # A member reads the published minutes on the body's page from her phone.
    mina.goto(f"/meetings/bodies/{body.pk}/")
    mina.locator("li", has_text="General committee, spring").locator("summary").first.click()
    expect(mina.get_by_text("lost on a tie")).to_be_visible()
    _clean(mina, phone=True)
