"""The tellers' desk (`papers/`, as a teller and as the returning officer with a discrepancy to resolve)
and a candidate's agents (`agents/`) in a real Chromium, at desktop width and on a 390 px phone: no axe
violation, nothing runs off the screen."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser.conftest import axe_violations, overflow
from tests.browser.conftest import sign_in as _sign_in
from tests.browser.test_elections_journey import _polling_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page) -> None:  # type: ignore[no-untyped-def]
    assert axe_violations(page) == []
    assert overflow(page) == []


@pytest.mark.parametrize("width", [1200, 390])
def test_the_tellers_desk_and_the_agents_page_pass_axe_and_fit(org, new_page, width):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.elections.services import paper_enter, teller_appoint

    election = _polling_election(org)
    for name in ("member", "regional"):
        teller_appoint(actor=Actor.system(), election=election, person=org.people[name])
    paper_enter(actor=org.actor("member"), election=election, reference="P1", ranking=[1, 2])
    paper_enter(actor=org.actor("regional"), election=election, reference="P1", ranking=[2, 1])

    teller = new_page()
    teller.set_viewport_size({"width": width, "height": 900})
    _sign_in(teller, "member")
    teller.goto(f"/elections/{election.pk}/papers/")
    expect(teller.get_by_role("heading", name="Paper and postal ballots", exact=True)).to_be_visible()
    _check(teller)

    ro_user = User.objects.create_user(username="ro", password=PASSWORD, person=election.returning_officer)
    device = TOTPDevice.objects.create(user=ro_user, name="phone", confirmed=True)
    ro = new_page()
    ro.set_viewport_size({"width": width, "height": 900})
    _sign_in(ro, "ro", device)
    ro.goto(f"/elections/{election.pk}/papers/")
    expect(ro.get_by_role("heading", name="Papers whose entries differ", exact=True)).to_be_visible()
    _check(ro)

    candidate = new_page()
    candidate.set_viewport_size({"width": width, "height": 900})
    _sign_in(candidate, "member2")
    candidate.goto(f"/elections/{election.pk}/agents/")
    expect(candidate.get_by_role("heading", name="Your agents", exact=True)).to_be_visible()
    _check(candidate)


@pytest.mark.parametrize("width", [1200, 390])
def test_a_body_nomination_by_name_in_the_browser(org, new_page, width):
    """The North A secretary records the general committee's nomination, picking both by name."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor
    from polity.elections.models import Nomination
    from polity.elections.services import (
        candidate_nominate,
        election_create,
        election_freeze,
        election_open_nominations,
    )

    rita = make_person(org.units["south_a_1"], "Rita", "Returning")
    office_appoint(actor=Actor.system(), person=rita, office="returning_officer", unit=org.units["national"])
    e = election_create(
        actor=Actor.system(), title="North A: chair", office="Chair of North A", unit=org.units["north_a"],
        method="av", returning_officer=rita, needs_body_nominations=True,
    )  # fmt: skip
    e = election_freeze(actor=Actor.system(), election=e)
    e = election_open_nominations(actor=Actor.system(), election=e)
    candidate_nominate(actor=org.actor("member2"), election=e)
    device = TOTPDevice.objects.create(user=org.users["secretary"], name="phone", confirmed=True)

    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, "secretary", device)
    page.goto(f"/elections/{e.pk}/nominations/")
    expect(page.get_by_role("heading", name="Record a body's nomination", exact=True)).to_be_visible()
    _check(page)
    page.get_by_label("Nominating body").select_option(label=org.units["north_a_gc"].name)
    page.get_by_role("button", name="Record the nomination").click()
    expect(page.get_by_text("nomination of", exact=False).first).to_be_visible()
    _check(page)
    assert Nomination.objects.get().body == org.units["north_a_gc"]
