"""Lists on a phone (390 px wide): the members list, my membership and the case queue stack their rows, and
nothing on those pages runs off the screen."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from conftest import make_person
from tests.browser.test_person_picker import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The page scrolls sideways, or some visible element ends past the screen's edge (the stacked tables' header
# row is visually hidden, clipped to a pixel, and left out).
OVERFLOW = (
    "(document.documentElement.scrollWidth > document.documentElement.clientWidth ? ['page'] : [])"
    ".concat(Array.from(document.querySelectorAll('body *')).filter(e => !e.closest('table.stack thead') && "
    "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
    ".map(e => e.tagName + '.' + e.className + '#' + e.id))"
)


def test_lists_stack_their_rows_at_390px(org, new_page, screenshot):
    from polity.access.services import office_appoint
    from polity.cases import services as s
    from polity.common.actor import Actor

    office_appoint(
        actor=Actor.system(),
        person=org.people["regional"],
        office="complaints_officer",
        unit=org.units["north"],
    )
    for i in range(3):
        make_person(org.units["north_a_1"], f"Wilhelmina{i}", "Featherstonehaugh-Cholmondeley")
    s.case_open(actor=org.actor("member"), kind="complaint", summary="Shouted down at the meeting.")
    pages = {
        "secretary": ("/members/?q=Featherstonehaugh", "41-members-list-390"),
        "regional": ("/cases/queue/", "42-case-queue-390"),
    }
    for username, (url, shot) in pages.items():
        device = TOTPDevice.objects.create(user=org.users[username], name="phone", confirmed=True)
        page = new_page()
        page.set_viewport_size({"width": 390, "height": 900})
        _sign_in(page, username, device)
        page.goto(url)
        expect(page.locator("table.stack tbody tr").first).to_be_visible()
        assert page.evaluate(OVERFLOW) == [], url
        label = page.evaluate(
            "getComputedStyle(document.querySelector('table.stack td[data-label]'), '::before').content"
        )
        assert label.endswith(': "'), label  # each cell names its column
        screenshot(page, shot)

    page = new_page()
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/accounts/login/")
    from conftest import PASSWORD

    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.goto("/me/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    overflow = page.evaluate(OVERFLOW)
    assert overflow == [], overflow
    screenshot(page, "43-my-membership-390")
