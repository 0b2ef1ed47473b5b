"""Data subject requests in a real Chromium, at desktop width and at 390 px: a member asks for her data from
"My data" and follows it; the data protection officer finds it in the queue by days left, reviews what is
withheld (another member named in her complaint) and why, discloses nothing, and sends the package; the
member downloads the PDF. Every page passes axe-core and nothing runs off a phone's screen."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.test_cases_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = (
    "(document.documentElement.scrollWidth > document.documentElement.clientWidth ? ['page'] : [])"
    ".concat(Array.from(document.querySelectorAll('body *')).filter(e => !e.closest('table.stack thead') && "
    "!e.closest('.visually-hidden') && e.getClientRects().length > 0 && "
    "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
    ".map(e => e.tagName + '.' + e.className + '#' + e.id))"
)


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's violations on the page as it is (axe-core from the axe-playwright-python dev dependency)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v.get('impact')}): {v['nodes'][0]['target'] if v.get('nodes') else ''} {v['help']}"
        for v in results.response.get("violations", [])
    ]


def check(page, width: int) -> None:  # type: ignore[no-untyped-def]
    assert axe_violations(page) == [], page.url
    if width <= 390:
        assert page.evaluate(OVERFLOW) == [], page.url


@pytest.mark.parametrize("width", [1200, 390])
def test_a_member_asks_for_her_data_and_the_dpo_sends_it(org, new_page, screenshot, width):
    import re

    from polity.cases.services import case_open
    from polity.outbox.transports import memory_outbox

    case_open(
        actor=org.actor("member"), kind="complaint", summary="Milo Member shouted at the branch meeting.",
        respondents=[org.people["member2"]],
    )  # fmt: skip
    suffix = "" if width > 390 else "-390"

    member = new_page()
    member.set_default_timeout(30_000)  # a shared, loaded machine
    member.set_viewport_size({"width": width, "height": 900})
    sign_in(member, "member")
    member.get_by_role("navigation", name="Main").get_by_role("link", name="My data").click()
    check(member, width)
    member.get_by_label("Access to my data (subject access)").check()
    member.get_by_label("Details").fill("Everything you hold, including my complaint.")
    member.get_by_role("button", name="Send my request").click()
    expect(member.get_by_test_id("state")).to_have_text("Received: the clock is running")
    check(member, width)
    screenshot(member, f"50-my-data-request{suffix}")

    device = TOTPDevice.objects.create(user=org.users["dpo"], name="phone", confirmed=True)
    dpo = new_page()
    dpo.set_default_timeout(30_000)
    dpo.set_viewport_size({"width": width, "height": 900})
    sign_in(dpo, "dpo", device)
    dpo.get_by_role("navigation", name="Main").get_by_role("link", name="Data requests").click()
    expect(dpo.get_by_test_id("overdue")).to_have_text("0")
    check(dpo, width)
    screenshot(dpo, f"51-dpo-queue{suffix}")
    dpo.locator("table.stack a").first.click()
    expect(dpo.get_by_test_id("withheld")).to_contain_text("another person's data")
    expect(dpo.locator("main")).not_to_contain_text("Milo Member shouted")
    check(dpo, width)
    screenshot(dpo, f"52-dpo-request{suffix}")
    memory_outbox.clear()
    dpo.get_by_label("I have read what this does").check()
    dpo.get_by_role("button", name="Send the package").click()
    expect(dpo.get_by_test_id("state")).to_have_text("Answered")
    check(dpo, width)

    from polity.outbox import delivery

    delivery.deliver_due()
    body = next(e.body for e in memory_outbox.emails if "Your data" in e.subject)
    link = re.search(r"(/data/download/[^/\s]+/)", body)
    assert link is not None
    member.goto(link.group(1))
    check(member, width)
    with member.expect_download() as got:
        member.get_by_role("link", name="Your data as a PDF").click()
    assert got.value.suggested_filename.endswith(".pdf")
