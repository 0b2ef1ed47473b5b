"""A meeting end to end in a real Chromium, on a desktop and at 390 px: the secretary calls it, sends its
notice (confirming who gets it), opens it and records attendance with the person picker; a delegate signs
in on the vote page and submits a motion; the secretary opens a secret vote; delegates vote from the vote
page; the result is recorded; the secretary writes the minutes. Nothing runs past the screen and axe-core
finds no violation on any of the pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import expect

from conftest import PASSWORD, make_person
from tests.browser.conftest import axe_violations, overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    if "/accounts/verify/" in page.url:
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.get_by_label("Code").fill(f"{code:06d}")
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()


def _check(page) -> None:  # type: ignore[no-untyped-def]
    assert overflow(page) == [], (page.url, overflow(page))
    assert axe_violations(page) == [], (page.url, axe_violations(page))


@pytest.mark.parametrize("width", [1200, 390])
def test_a_meeting_from_call_to_minutes(org, new_page, screenshot, width):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.access.services import office_appoint
    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.meetings.models import Meeting, Minutes, Motion

    TOTPDevice.objects.create(user=org.users["secretary"], name="phone", confirmed=True)
    gc = org.units["north_a_gc"]
    delegates = [org.people["member"], org.people["member2"]]
    delegates += [make_person(org.units["north_a_1"], f"Dele{n}", "Gate") for n in range(9)]
    for person in delegates:
        office_appoint(
            actor=Actor.system(), person=person, office="delegate", unit=org.units["north_a"], body=gc
        )
    User.objects.create_user(username="dele0", password=PASSWORD, person=delegates[2])

    sec = new_page()
    sec.set_default_timeout(60_000)  # a loaded machine: the steps, not the clock, are under test
    sec.set_viewport_size({"width": width, "height": 900})
    _sign_in(sec, "secretary")
    sec.get_by_role("link", name="Meetings", exact=True).click()
    sec.get_by_role("link", name=gc.name).click()
    _check(sec)
    sec.get_by_role("link", name="Call a meeting").click()
    sec.get_by_label("Kind of meeting").select_option("ordinary")
    sec.get_by_label("Title").fill("General committee, spring")
    starts = timezone.localtime() + timedelta(days=21)
    sec.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    sec.get_by_label("Place").fill("Community hall")
    sec.get_by_label("Agenda").fill("Apologies\nMotions")
    _check(sec)
    sec.get_by_role("button", name="Call the meeting").click()
    expect(sec.get_by_role("heading", name="General committee, spring")).to_be_visible()
    meeting = Meeting.objects.get(title="General committee, spring")
    sec.get_by_role("link", name="Send the notice").click()
    expect(sec.get_by_text("11 people entitled")).to_be_visible()
    _check(sec)
    sec.get_by_role("button", name="Send the notice now").click()
    expect(sec.get_by_text("Notice queued for 11 people")).to_be_visible()
    sec.get_by_role("button", name="Open the meeting").click()
    for person in delegates[:10]:
        sec.get_by_label("Person").fill(person.membership_number)
        sec.get_by_role("button", name="Record", exact=True).click()
        expect(sec.get_by_text(re.compile(f"Recorded: {person.given_name}"))).to_be_visible()
    expect(sec.get_by_text("quorate", exact=True)).to_be_visible()
    _check(sec)
    if width == 390:
        screenshot(sec, "60-meeting-in-session-390")

    # A delegate (already present) submits a motion, seconded by another, before the deadline for motions.
    dele = new_page()
    dele.set_default_timeout(60_000)
    dele.set_viewport_size({"width": width, "height": 900})
    _sign_in(dele, "dele0")
    dele.goto(f"/meetings/{meeting.pk}/")
    dele.get_by_label("Title").fill("Buses")
    dele.get_by_label("Motion", exact=True).fill("This committee calls for evening buses.")
    dele.get_by_label("Seconder").fill(delegates[3].membership_number)
    dele.get_by_role("button", name="Submit").click()
    expect(dele.get_by_text("Motion 1 is submitted")).to_be_visible()
    motion = Motion.objects.get(meeting=meeting)

    sec.reload()
    sec.get_by_label("Or a vote from phones").select_option("secret")
    sec.get_by_role("button", name="Open the vote").click()
    expect(sec.get_by_text(re.compile("The vote on motion 1 is open"))).to_be_visible()

    dele.goto(f"/meetings/{meeting.pk}/vote/")
    dele.get_by_label("For").check()
    _check(dele)
    if width == 390:
        screenshot(dele, "61-vote-on-a-phone-390")
    dele.get_by_role("button", name="Cast my vote").click()
    expect(dele.get_by_text("Your vote is recorded").first).to_be_visible()

    sec.goto(f"/meetings/{meeting.pk}/results/")
    expect(sec.get_by_text("1 voted so far")).to_be_visible()
    _check(sec)
    sec.goto(f"/meetings/{meeting.pk}/")
    sec.get_by_role("button", name="Close the vote and record the result").click()
    expect(sec.get_by_text(re.compile("Motion 1 carried"))).to_be_visible()
    motion.refresh_from_db()
    assert (motion.state, motion.votes_for) == ("carried", 1)
    sec.get_by_role("button", name="Close the meeting").click()
    sec.get_by_label(re.compile("Draft minutes")).fill("Present: ten delegates.\nBuses: carried.")
    sec.get_by_role("button", name="Save the draft").click()
    expect(sec.get_by_text("Minutes saved as version 1")).to_be_visible()
    sec.get_by_role("button", name="Circulate to the body").click()
    _check(sec)
    assert Minutes.objects.get(meeting=meeting).state == "circulated"
