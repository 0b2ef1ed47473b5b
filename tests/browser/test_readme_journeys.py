"""README's "Where to click first", driven in Chromium on the demo organisation, on a desktop and on a phone
(390 px): at every step nothing runs past the screen's edge and axe-core finds no violation.

Each journey clicks through the menu as a person would: the secretary finds a member and opens her record;
the member sees that view, by name and office, and files a complaint; the data protection officer searches the
access log by the secretary's name; the complaints officer filters the case queue to the objection and opens
it; the operator reads the mail catcher; someone who forgot their password asks for a link. (Sending a
message is driven in the comms journeys.)
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, overflow
from tests.browser.test_every_screen import DESKTOP, PHONE, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_readme_journeys_on_a_desktop_and_a_phone(live_server, browser, screenshot, settings, tmp_path):
    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.demo.services import demo_generate

    settings.MEDIA_ROOT = str(tmp_path / "media")
    demo_generate(
        actor=Actor.system(), members=300, seed=7, today=date(2026, 11, 24), write_file=False, hooks=True
    )
    secretary = User.objects.get(username="secretary").person
    member = User.objects.get(username="member").person
    problems: list[str] = []

    for size in (DESKTOP, PHONE):
        phone = size is PHONE

        def check(page, step: str, size: dict[str, int] = size) -> None:  # type: ignore[no-untyped-def]
            page.wait_for_load_state()
            where = f"{step} at {size['width']} px ({page.url})"
            problems.extend(f"{where}: past the edge: {e}" for e in overflow(page)[:3])
            problems.extend(f"{where}: axe: {v}" for v in axe_violations(page))

        def person(username: str, size: dict[str, int] = size):  # type: ignore[no-untyped-def]
            context = browser.new_context(base_url=live_server.url, viewport=size)
            context.set_default_timeout(15_000)
            page = context.new_page()
            _sign_in(page, username)
            check(page, f"{username} signed in")
            return context, page

        def menu(page, name: str) -> None:  # type: ignore[no-untyped-def]
            page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()

        # 1–2. The secretary finds a member and opens her record.
        context, page = person("secretary")
        menu(page, "Members")
        check(page, "members list")
        page.get_by_role("searchbox", name="Search").fill(f"{member.family_name}, {member.given_name}")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_test_id("results-summary")).to_contain_text("Showing 1–")
        page.get_by_role("link", name=f"{member.family_name}, {member.given_name}").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(member.full_name)
        check(page, "member record")
        menu(page, "Messages")
        expect(page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
        check(page, "messages")
        context.close()

        # 3. The member sees who viewed her data, by name and office, and files a complaint.
        context, page = person("member")
        expect(page.get_by_test_id("access-log")).to_contain_text(f"{secretary.full_name}, Secretary of")
        menu(page, "Complaints")
        page.get_by_role("link", name="Make a complaint").click()
        page.get_by_label("What happened").fill(
            "The branch meeting on 3 March was closed to me without reason."
        )
        check(page, "complaint form")
        page.get_by_role("button", name="Send the complaint").click()
        expect(page.get_by_role("status")).to_contain_text("Your complaint is received")
        menu(page, "Complaints")
        expect(page.get_by_test_id("next-step").first).to_contain_text("due")
        check(page, "my cases")
        if phone:
            screenshot(page, "60-my-cases-next-step-390")
        context.close()

        # 4. The data protection officer searches the access log by the secretary's name.
        context, page = person("dpo")
        menu(page, "Access log")
        page.get_by_label("Officer", exact=True).fill(secretary.full_name)
        page.get_by_role("button", name="Search").click()
        first = page.get_by_test_id("search-results").get_by_role("row").nth(1)
        expect(first).to_contain_text(f"{secretary.full_name}, Secretary of")
        check(page, "access log search")
        context.close()

        # 5. The complaints officer filters the queue to the objection and opens it.
        context, page = person("regional")
        menu(page, "Complaints")
        page.get_by_role("link", name="Case team's queue").click()
        page.get_by_label("Kind").select_option(label="Objection to membership")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_test_id("results-summary")).to_contain_text("Showing 1–")
        check(page, "queue filtered")
        if phone:
            screenshot(page, "61-case-queue-filtered-390")
        page.locator("table.cases-queue tbody tr").first.get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Objection to membership")
        check(page, "objection case")
        context.close()

        # 6. The operator reads what the demo sent, in the mail catcher.
        context, page = person("operator")
        menu(page, "Mail catcher")
        expect(page.get_by_role("heading", level=1)).to_be_visible()  # empty here: tests deliver to memory
        check(page, "mail catcher")
        context.close()

        # Signing in: a forgotten password, and the complaint form for those who cannot sign in.
        context = browser.new_context(base_url=live_server.url, viewport=size)
        page = context.new_page()
        page.goto("/accounts/login/")
        check(page, "sign-in page")
        page.get_by_role("link", name="Forgotten your password?").click()
        page.get_by_label("Your email address").fill(member.email)
        check(page, "forgotten password")
        page.get_by_role("button", name="Send the link").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        check(page, "link sent")
        if phone:
            screenshot(page, "62-password-link-sent-390")
        page.goto("/accounts/login/")
        page.get_by_role("link", name="Make a complaint without signing in").click()
        check(page, "public complaint form")
        context.close()

    assert problems == [], "\n".join(problems)
