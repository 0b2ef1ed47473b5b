"""README's "Where to click first", driven in Chromium on the demo organisation, on a desktop and on a phone
(390 px): at every step nothing runs past the screen's edge and axe-core finds no violation.

Each journey clicks through the menu as a person would. Items 1–7: the secretary finds a member and opens her
record; the member sees that view, by name and office, and files a complaint; the data protection officer
searches the access log by the secretary's name; the complaints officer filters the case queue to the
objection and opens it; the operator reads the mail catcher; someone who forgot their password asks for a
link. (Sending a message is driven in the comms journeys.) Items 8–11: the member votes in her
constituency's chair election and the national executive's published ballots are recounted from the page's
own command; the returning officer recounts; the secretary opens the general committee and the member votes
at the meeting in session, whose results show on the projector page; the member asks for her data and the
DPO works the queue; the secretary asks for an export and downloads it, and the DPO traces the demo's leaked
excerpt. Screenshots of these journeys at 390 px go to docs/screens (7x-*).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, overflow
from tests.browser.test_every_screen import DESKTOP, PHONE, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Walk:
    """One screen size's walk: people sign in in their own browser context; every check is collected."""

    def __init__(self, browser, live_server, size: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
        self.browser, self.live_server, self.size = browser, live_server, size
        self.phone = size is PHONE
        self.problems: list[str] = []

    def check(self, page, step: str) -> None:  # type: ignore[no-untyped-def]
        page.wait_for_load_state()
        where = f"{step} at {self.size['width']} px ({page.url})"
        self.problems.extend(f"{where}: past the edge: {e}" for e in overflow(page)[:3])
        self.problems.extend(f"{where}: axe: {v}" for v in axe_violations(page))

    def person(self, username: str):  # type: ignore[no-untyped-def]
        context = self.browser.new_context(base_url=self.live_server.url, viewport=self.size)
        context.set_default_timeout(15_000)
        page = context.new_page()
        _sign_in(page, username)
        self.check(page, f"{username} signed in")
        return context, page

    @staticmethod
    def menu(page, name: str) -> None:  # type: ignore[no-untyped-def]
        page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def _demo(settings, tmp_path, members: int = 300) -> None:  # type: ignore[no-untyped-def]
    from polity.common.actor import Actor
    from polity.demo.services import demo_generate

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VAR_DIR = tmp_path / "var"  # the demo writes its leaked excerpt there
    demo_generate(
        actor=Actor.system(), members=members, seed=7, today=date(2026, 11, 24), write_file=False, hooks=True
    )


def test_readme_journeys_on_a_desktop_and_a_phone(live_server, browser, screenshot, settings, tmp_path):
    from polity.accounts.models import User

    _demo(settings, tmp_path)
    secretary = User.objects.get(username="secretary").person
    member = User.objects.get(username="member").person
    # Her name, then the offices she held (in the demo she also sits on the national executive).
    by_name_and_office = re.compile(rf"{secretary.full_name}, (.+ and )?Secretary of ")
    problems: list[str] = []

    for size in (DESKTOP, PHONE):
        phone = size is PHONE

        walk = Walk(browser, live_server, size)
        check, person, menu = walk.check, walk.person, walk.menu
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
        expect(page.get_by_test_id("access-log")).to_contain_text(by_name_and_office)
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
        expect(first).to_contain_text(by_name_and_office)
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
        problems += walk.problems

    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_readme_journeys_8_to_11(live_server, browser, screenshot, settings, tmp_path, size):
    """Elections, meetings, my data and exports (README items 8–11): a fresh demo per screen size, since the
    member's ballot and vote are cast once."""
    from polity.counting.cli import main as count_main
    from polity.elections.models import Election
    from polity.exports.demo import excerpt_path
    from polity.org.models import Body

    _demo(
        settings, tmp_path, members=5000
    )  # `make run`'s size: a general committee large enough for a quorum
    walk = Walk(browser, live_server, size)
    check, person, menu = walk.check, walk.person, walk.menu
    shot = (lambda page, name: screenshot(page, f"{name}-390")) if walk.phone else (lambda page, name: None)
    chair = Election.objects.get(state="polling", title__endswith=": chair")
    nec = Election.objects.get(state="published", unit__parent__isnull=True)  # the national executive
    gc = Body.objects.get(unit=chair.unit, kind="general_committee")

    # 8. The member votes in her constituency's chair election: numbers, a confirmation, a receipt.
    context, page = person("member")
    menu(page, "Elections")
    check(page, "elections")
    page.get_by_role("row").filter(has_text=chair.title).get_by_role("link", name="Vote now").click()
    names = list(chair.candidates.filter(state="valid").values_list("ballot_name", flat=True))
    assert len(names) == 3, names
    for rank, name in enumerate(names, start=1):
        page.get_by_label(name, exact=True).fill(str(rank))
    check(page, "ballot")
    shot(page, "70-chair-ballot")
    page.get_by_role("button", name="Check my ballot").click()
    expect(page.get_by_role("heading", name="Is this your ballot?")).to_be_visible()
    check(page, "ballot confirmation")
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_role("heading", name="Your ballot is cast")).to_be_visible()
    assert len(page.locator("#receipt-code").inner_text()) == 19
    check(page, "ballot receipt")
    shot(page, "71-chair-receipt")

    # The national executive's result, its stage chart, and its ballots as BLT, recounted by the page's command.
    menu(page, "Elections")
    page.get_by_role("link", name=nec.title, exact=True).first.click()
    expect(page.get_by_role("heading", name="Result", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Stage chart", exact=False)).to_be_visible()
    check(page, "national executive result")
    shot(page, "72-national-executive-result")
    with page.expect_download() as got:
        page.get_by_role("link", name="ballots.blt", exact=True).click()
    blt = tmp_path / "ballots.blt"
    got.value.save_as(blt)
    words = shlex.split(page.locator("main code").last.inner_text())
    assert words[:3] == ["polity", "count", "ballots.blt"], words
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert count_main([str(blt), *words[3:], "--format", "json"]) == 0
    elected = json.loads(out.getvalue())["elected"]
    expect(page.get_by_text("Elected:")).to_have_text(f"Elected: {', '.join(elected)}.")
    context.close()

    # The returning officer (`national`) opens the workspace and recounts.
    context, page = person("national")
    menu(page, "Elections")
    page.get_by_role("link", name=nec.title, exact=True).first.click()
    page.get_by_role("link", name="Returning officer's workspace").click()
    check(page, "returning officer's workspace")
    page.get_by_role("button", name="Recount the sealed ballots").click()
    expect(page.get_by_role("status")).to_contain_text("The recount agrees with the count.")
    check(page, "recounted")
    shot(page, "73-returning-officer-recount")
    context.close()

    # 9. The secretary opens the general committee: meetings in every state, motions sent up the tree.
    context, page = person("secretary")
    menu(page, "Meetings")
    check(page, "my meetings")
    page.get_by_role("link", name=gc.name, exact=True).click()
    expect(page.get_by_role("heading", name=gc.name, level=1)).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("Invalid: notice late")
    expect(main).to_contain_text("Closed: inquorate")
    expect(main).to_contain_text("In session")
    expect(main).to_contain_text("escalated to")
    expect(main).to_contain_text("Answered")
    check(page, "general committee")
    shot(page, "74-general-committee")
    context.close()

    # The member, co-opted onto it, votes at the meeting in session from the vote page; results on a projector.
    context, page = person("member")
    menu(page, "Meetings")
    page.get_by_role("link", name="Sign in and vote").first.click()
    page.get_by_role("button", name="I am here: sign me in").click()
    expect(page.get_by_role("heading", name="Housing campaign", exact=False)).to_be_visible()
    page.get_by_label("For", exact=True).check()
    check(page, "meeting vote")
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.locator("#open-votes")).to_contain_text("Your vote is recorded.")
    check(page, "meeting vote cast")
    shot(page, "75-meeting-vote")
    page.goto(page.url.replace("/vote/", "/"))
    page.get_by_role("link", name="Results (projector)").click()
    expect(page.get_by_role("cell", name="Housing campaign", exact=False)).to_be_visible()
    check(page, "projector results")
    shot(page, "76-meeting-results")

    # 10. The member asks to stop campaigning messages and follows the request.
    menu(page, "My data")
    page.get_by_label("Object to a use of my data", exact=True).check()
    page.get_by_label("Campaigning", exact=True).check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_test_id("state").first).to_be_visible()
    check(page, "my request")
    shot(page, "77-my-data-request")
    menu(page, "My data")
    expect(page.locator("main table")).to_contain_text("Object to a use of my data")
    check(page, "my data requests")
    context.close()

    # The DPO's queue by days left: one overdue and escalated, one paused, one extended; the member's access
    # request with what is withheld and why, then sent.
    context, page = person("dpo")
    menu(page, "Data requests")
    expect(page.get_by_test_id("overdue")).not_to_have_text("0")
    rows = page.locator("table.stack tbody")
    expect(rows).to_contain_text("overdue")
    expect(rows).to_contain_text("stopped")
    expect(rows).to_contain_text("extended")
    expect(rows).to_contain_text("escalated")
    check(page, "data requests queue")
    shot(page, "78-data-requests-queue")
    from polity.dsr.models import Request

    access = Request.objects.get(person__user__username="member", kind="access")
    page.get_by_role("link", name=access.reference, exact=True).click()
    expect(page.get_by_test_id("withheld")).to_be_visible()
    check(page, "access request")
    page.get_by_label("I have read what this does").check()
    page.get_by_role("button", name="Send the package").click()
    expect(page.get_by_test_id("state")).to_have_text("Answered")
    check(page, "package sent")
    context.close()

    # 11. The secretary asks for a list (a confirmation names who, the columns and the rows) and downloads it.
    context, page = person("secretary")
    menu(page, "Exports")
    page.get_by_role("link", name="Ask for an export").click()
    unit = chair.unit.name
    who = page.get_by_label("Who (a saved audience)")
    everyone = who.locator("option", has_text=f"Everyone in {unit}: in {unit}, made ").first.get_attribute(
        "value"
    )
    who.select_option(value=everyone)
    page.get_by_label("Purpose", exact=True).select_option("service")
    page.get_by_label("name", exact=True).check()
    page.get_by_label("membership number", exact=True).check()
    page.get_by_label("What the list is for").fill("Renewal calls by the membership team")
    check(page, "export form")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name="Confirm the export")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Name, membership number")
    check(page, "export confirmation")
    shot(page, "79-export-confirm")
    page.get_by_role("button", name="Make the export").click()
    expect(page.get_by_role("status")).to_contain_text("asked for")
    number = re.search(r"Export (\d+) asked for", page.get_by_role("status").inner_text())
    assert number is not None
    with page.expect_download() as got:
        page.locator(f'a[href="/exports/{number.group(1)}/download/"]').click()
    assert got.value.suggested_filename.endswith(".csv")
    check(page, "my exports")
    shot(page, "80-my-exports")
    context.close()

    # The DPO traces the demo's leaked excerpt to the texting bank it came from and starts the breach clock.
    context, page = person("dpo")
    menu(page, "Exports")
    page.get_by_role("link", name="Trace a leaked list").click()
    page.get_by_label("The leaked rows").fill(excerpt_path().read_text())
    page.get_by_label("Start the clock", exact=False).check()
    page.get_by_label("Where it was found (for the incident)").fill("Posted on a local forum.")
    page.get_by_role("button", name="Trace it").click()
    result = page.get_by_role("region", name="Where it came from")
    expect(result).to_contain_text("Campaigning")
    expect(result).to_contain_text("certain")
    check(page, "traced")
    shot(page, "81-trace-a-leaked-list")
    page.get_by_role("link", name="its clock and report").click()
    check(page, "incident")
    context.close()

    assert walk.problems == [], "\n".join(walk.problems)
