"""Selections in a real Chromium: a member applies (and must confirm), the organiser puts a panel member on the
panel with the person picker, the panel publishes a longlist (refused without reasons, what was typed kept),
and the member left out reads her reasons and appeals from her phone (390 px, nothing off the screen). axe-core
finds no violation on any of these pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from polity.selections.tests.conftest import person_actor, story  # noqa: F401  (the selection's fixture)
from tests.browser.conftest import axe_violations, overflow
from tests.browser.test_person_picker import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _member_sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def test_an_applicant_and_the_panel_through_a_selection(org, story, new_page, screenshot):  # noqa: F811
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.accounts.models import User
    from polity.selections import services as s
    from polity.selections.models import Appeal, Application, Selection, Stage

    selection = story.selection
    # 1. The member applies from her phone, and is asked to confirm first.
    member = new_page()
    member.set_viewport_size({"width": 390, "height": 900})
    _member_sign_in(member, "member")
    member.get_by_role("link", name="Selections").click()
    member.get_by_role("link", name="Parliamentary candidate for North A").click()
    member.get_by_role("link", name="Apply").click()
    member.get_by_label("Your statement").fill("I have run the branch's casework surgery for five years.")
    member.get_by_role("button", name="Apply").click()
    expect(member.get_by_text("Tick the box to confirm.")).to_be_visible()
    expect(member.get_by_label("Your statement")).to_have_value(
        "I have run the branch's casework surgery for five years."
    )
    assert overflow(member) == [] and axe_violations(member) == []
    member.get_by_label("I apply.").check()
    screenshot(member, "60-selection-apply-390")
    member.get_by_role("button", name="Apply").click()
    expect(member.get_by_text("Your application is received")).to_be_visible()
    expect(member.get_by_test_id("stage")).to_have_text("Application received")

    # 2. The secretary puts Pia on the panel by typing her name and picking her.
    devices = {}
    for name, person in (("secretary", None), ("pia", story.panel[0])):
        user = org.users.get(name) or User.objects.create_user(
            username=name, password=PASSWORD, person=person
        )
        devices[name] = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    secretary = new_page()
    _sign_in(secretary, "secretary", devices["secretary"])
    secretary.goto(f"/selections/{selection.pk}/workspace/")
    secretary.locator("summary", has_text="Appoint a member of the panel").click()
    field = secretary.locator("#id_panel-person")
    field.press_sequentially("Pia", delay=30)
    match = secretary.locator("#id_panel-person-matches .picker-pick")
    expect(match).to_have_count(1)
    match.click()
    expect(field).to_have_value(story.panel[0].membership_number)
    secretary.get_by_role("button", name="Appoint").click()
    expect(secretary.get_by_text("They are on the shortlisting panel.")).to_be_visible()
    assert axe_violations(secretary) == []
    screenshot(secretary, "61-selection-workspace-panel")

    # Applications close; two more sit on the panel.
    Selection.objects.filter(pk=selection.pk).update(
        applications_close_at=timezone.now() - timedelta(minutes=1)
    )
    selection.refresh_from_db()
    s.applications_close(actor=org.actor("secretary"), selection=selection)
    for person in story.panel[1:]:
        s.panel_appoint(actor=org.actor("secretary"), selection=selection, person=person)

    # 3. Pia publishes the longlist: refused without reasons, with what she typed kept; then published.
    mina = Application.objects.get(selection=selection, person=org.people["member"])
    pia = new_page()
    _sign_in(pia, "pia", devices["pia"])
    pia.goto(f"/selections/{selection.pk}/workspace/")
    pia.locator("summary", has_text="Read the statement").first.click()
    expect(pia.get_by_text("I am Ann, and I would serve well.")).to_be_visible()
    pia.get_by_label("Ann Applicant: on the longlist").check()
    pia.get_by_label("Ben Applicant: on the longlist").check()
    pia.get_by_label("Reasons for Mina Member (only they receive these)").fill(
        "A good statement; the panel wanted more campaign experience."
    )
    pia.get_by_label("Publish the longlist: every applicant").check()
    pia.get_by_role("button", name="Publish the longlist").click()
    expect(pia.get_by_text("the longlist needs written reasons")).to_be_visible()
    expect(pia.get_by_label("Reasons for Mina Member (only they receive these)")).to_have_value(
        "A good statement; the panel wanted more campaign experience."
    )
    pia.get_by_label("Reasons for the decision").fill("Experience of campaigning in the constituency.")
    pia.get_by_label("Publish the longlist: every applicant").check()
    pia.get_by_role("button", name="Publish the longlist").click()
    expect(pia.get_by_text("The longlist is published")).to_be_visible()
    assert axe_violations(pia) == []
    screenshot(pia, "62-selection-longlist-published")
    mina.refresh_from_db()
    assert mina.stage == Stage.NOT_LONGLISTED

    # 4. The member reads why, on her phone, and appeals to the body above.
    member.goto(f"/selections/{selection.pk}/mine/")
    expect(member.get_by_test_id("standing")).to_contain_text("the panel wanted more campaign experience")
    member.get_by_label("Why the decision should change").fill("My casework is campaign experience.")
    member.get_by_role("button", name="Appeal").click()
    expect(member.get_by_text("Tick the box to confirm.")).to_be_visible()
    member.get_by_label("I appeal to the body above.").check()
    assert overflow(member) == [] and axe_violations(member) == []
    screenshot(member, "63-selection-my-application-390")
    member.get_by_role("button", name="Appeal").click()
    expect(member.get_by_text("Your appeal is lodged")).to_be_visible()
    member.goto(f"/selections/{selection.pk}/")  # the public page, on the phone
    assert overflow(member) == [] and axe_violations(member) == []
    assert Appeal.objects.get(application=mina).body == story.bodies["north_exec"]
    assert person_actor  # the story's actors are the same people the pages show


def test_the_organiser_calls_hustings_and_the_member_ballot(org, story, new_page, screenshot):  # noqa: F811
    """After the final shortlist: the hustings (a general committee meeting) and the member ballot (an
    election whose ballot paper is the shortlist), called from the workspace; members see both on their phone."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor
    from polity.selections.models import Selection
    from polity.selections.tests.conftest import close, pass_window, shortlist

    close(org, story)
    pass_window(shortlist(org, story, keys=("ann", "ben")))
    rita = make_person(org.units["south_a_1"], "Rita", "Returning")
    office_appoint(actor=Actor.system(), person=rita, office="returning_officer", unit=org.units["national"])
    device = TOTPDevice.objects.create(user=org.users["secretary"], name="phone", confirmed=True)
    secretary = new_page()
    _sign_in(secretary, "secretary", device)
    selection = story.selection
    secretary.goto(f"/selections/{selection.pk}/workspace/")
    starts = timezone.localtime() + timedelta(days=14)
    secretary.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    secretary.get_by_label("Place").fill("North A community centre")
    secretary.get_by_label("Call the hustings as a meeting").check()
    secretary.get_by_role("button", name="Call the hustings", exact=True).click()
    expect(secretary.get_by_text("The hustings are called")).to_be_visible()
    secretary.get_by_label("Method").select_option("sv")
    field = secretary.locator("#id_ballot-returning_officer")
    field.press_sequentially("Rita", delay=30)
    match = secretary.locator("#id_ballot-returning_officer-matches .picker-pick")
    expect(match).to_have_count(1)
    match.click()
    secretary.get_by_label("Call the member ballot: the roll").check()
    secretary.get_by_role("button", name="Call the member ballot", exact=True).click()
    expect(secretary.get_by_text("The member ballot is called")).to_be_visible()
    assert axe_violations(secretary) == []
    screenshot(secretary, "64-selection-ballot-called")
    selection.refresh_from_db()
    assert selection.election_id is not None and selection.hustings_id is not None

    member = new_page()
    member.set_viewport_size({"width": 390, "height": 900})
    _member_sign_in(member, "member")
    member.goto(f"/selections/{selection.pk}/")
    expect(member.get_by_test_id("hustings")).to_contain_text("North A community centre")
    expect(member.get_by_test_id("ballot")).to_contain_text("Supplementary vote")
    assert overflow(member) == [] and axe_violations(member) == []
    screenshot(member, "65-selection-hustings-and-ballot-390")
    member.get_by_role("link", name="Member ballot: Parliamentary candidate for North A").click()
    expect(member.get_by_text("Ann Applicant")).to_be_visible()
    assert Selection.objects.get(pk=selection.pk).state == "ballot"
