"""A member votes on the web ballot as a person would, by keyboard, at desktop width and on a 390 px phone:
a repeated number is refused with both names and the numbers kept, then the ballot is checked, confirmed and
cast, and the receipt shown. Nothing runs off a phone's screen; no script is needed."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser.test_phone_lists import OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _polling_election(org):  # type: ignore[no-untyped-def]
    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor
    from polity.elections import clock
    from polity.elections.services import (
        candidate_add,
        election_create,
        election_freeze,
        election_open_nominations,
        election_open_poll,
    )

    rita = make_person(org.units["south_a_1"], "Rita", "Returning")
    office_appoint(actor=Actor.system(), person=rita, office="returning_officer", unit=org.units["national"])
    e = election_create(
        actor=Actor.system(), title="North A: chair", office="Chair of North A", unit=org.units["north_a"],
        method="stv-scottish", seats=1, returning_officer=rita,
    )  # fmt: skip
    e = election_freeze(actor=Actor.system(), election=e)
    e = election_open_nominations(actor=Actor.system(), election=e)
    for name in ("secretary", "member2", "branchsec"):
        candidate_add(actor=Actor.system(), election=e, person=org.people[name], statement=f"I am {name}.")
    assert e.poll_opens_at is not None
    with clock.at(e.poll_opens_at + timedelta(minutes=1)):
        return election_open_poll(actor=Actor.system(), election=e)


@pytest.mark.parametrize("width", [1200, 390])
def test_a_member_votes_on_the_web_ballot(org, new_page, screenshot, width):
    from polity.elections.models import Ballot

    election = _polling_election(org)
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Elections", exact=True).first.click()
    page.get_by_role("link", name="Vote now").click()
    expect(page.get_by_role("heading", name="Your ballot")).to_be_visible()
    # By keyboard: each candidate's box is labelled with the name.
    page.get_by_label("Sam Secretary").fill("1")
    page.get_by_label("Milo Member").fill("1")
    page.get_by_role("button", name="Check my ballot").press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("more than one candidate (Milo Member and Sam Secretary)")
    expect(page.get_by_label("Milo Member")).to_have_value("1")
    if width == 390:
        assert page.evaluate(OVERFLOW) == []
        screenshot(page, "51-ballot-error-390")
    page.get_by_label("Milo Member").fill("2")
    page.get_by_label("Bea Branchsec").fill("3")
    page.get_by_role("button", name="Check my ballot").click()
    expect(page.get_by_role("heading", name="Is this your ballot?")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Milo Member")).to_be_visible()
    assert Ballot.objects.count() == 0
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_role("heading", name="Your ballot is cast")).to_be_visible()
    code = page.locator("#receipt-code").inner_text()
    assert len(code) == 19
    assert list(Ballot.objects.values_list("ranking", flat=True)) == ["3 2 1"]  # positions by family name
    if width == 390:
        assert page.evaluate(OVERFLOW) == []
    screenshot(page, "52-ballot-receipt-390" if width == 390 else "50-ballot-receipt")
    page.goto(f"/elections/{election.pk}/")
    expect(page.get_by_text("Your ballot is cast.")).to_be_visible()
    if width == 390:
        assert page.evaluate(OVERFLOW) == []
