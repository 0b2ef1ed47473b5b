"""The person picker in a real Chromium: a complaints officer adds a witness to a case by typing part of her
name and picking her from the matches (name, branch, membership number), on a desktop and at 390 px."""

import pytest
from playwright.sync_api import expect

from conftest import make_person
from tests.browser.conftest import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1200, 390])
def test_a_witness_is_picked_by_typing_her_name(org, new_page, screenshot, width):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.access.services import office_appoint
    from polity.cases import services as s
    from polity.cases.models import Participant
    from polity.common.actor import Actor

    office_appoint(
        actor=Actor.system(),
        person=org.people["regional"],
        office="complaints_officer",
        unit=org.units["north"],
    )
    device = TOTPDevice.objects.create(user=org.users["regional"], name="phone", confirmed=True)
    witness = make_person(org.units["north_b_1"], "Quentin", "Quill")
    make_person(org.units["south_a_1"], "Quincy", "Quill")  # out of the officer's area: never offered
    case = s.case_open(actor=org.actor("member"), kind="complaint", summary="Shouted down at the meeting.")
    s.case_acknowledge(actor=org.actor("regional"), case=case)

    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, "regional", device)
    page.goto(f"/cases/{case.pk}/")
    page.locator("summary", has_text="Add a complainant, respondent or witness").click()
    field = page.locator("#add_party-person")
    field.press_sequentially("quil", delay=30)
    match = page.locator("#add_party-person-matches .picker-pick")
    expect(match).to_have_count(1)
    expect(match).to_contain_text("Quentin Quill")
    expect(match).to_contain_text("North B 1")
    expect(match).to_contain_text(witness.membership_number)
    # Nothing of the form or the picker runs off the screen. (The case page's tables are made to reflow
    # on phones with the other lists, outside the picker's change: they are left out of this measure.)
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => !e.closest('table') && "
        "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id)"
    )
    assert wide == [], f"horizontal overflow at {width}px: {wide}"
    if width == 390:
        screenshot(page, "40-person-picker-390")
    match.click()
    expect(field).to_have_value(witness.membership_number)
    page.locator("#add_party-role").select_option("witness")
    page.get_by_role("button", name="Add a complainant, respondent or witness").click()
    expect(page.get_by_text("Done: add a complainant, respondent or witness.")).to_be_visible()
    assert Participant.objects.filter(case=case, person=witness, role="witness").exists()
