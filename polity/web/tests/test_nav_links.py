"""Navigation shows only what the person may open: every link of the main menu and of the complaints page,
for every persona, answers a page (never a 403 or 404)."""

import re

import pytest
from django.urls import reverse

PERSONAS = ["national", "regional", "secretary", "branchsec", "dpo", "member", "member2", "outsider"]
HREF = re.compile(r'href="(/[^"#]*)"')


def _nav(html: str) -> str:
    found = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert found, "no main navigation"
    return found.group(1)


def _links(html: str) -> set[str]:
    return {h.replace("&amp;", "&") for h in HREF.findall(html) if not h.startswith("/static/")}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_shown_opens(login, persona):
    client = login(persona)
    home = client.get(reverse("web:home"), follow=True)
    cases = client.get(reverse("cases:home"))
    assert home.status_code == cases.status_code == 200
    shown = _links(_nav(home.text)) | _links(cases.text.split("<main", 1)[1])
    assert reverse("cases:home") in shown
    for url in sorted(shown):
        assert client.get(url, follow=True).status_code == 200, (persona, url)


def test_a_member_sees_no_officers_link(login):
    page = login("member").get(reverse("cases:home")).text
    assert "Case team" not in page and reverse("cases:queue") not in page
    assert reverse("deadlines:list") not in page
    assert reverse("web:members") not in _nav(page) and reverse("web:audit") not in _nav(page)


def test_an_officer_sees_the_queue_and_deadlines_she_may_open(login):
    page = login("secretary").get(reverse("cases:home")).text
    assert reverse("deadlines:list") in page
    assert login("secretary").get(reverse("deadlines:list")).status_code == 200


def test_the_case_team_sees_its_queue_and_it_opens(org, login):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    office_appoint(
        actor=Actor.system(),
        person=org.people["member2"],
        office="complaints_officer",
        unit=org.units["north"],
    )
    client = login("member2")
    page = client.get(reverse("cases:home")).text
    assert reverse("cases:queue") in page and reverse("deadlines:list") in page
    assert client.get(reverse("cases:queue")).status_code == 200


def test_a_seat_on_a_body_does_not_link_its_units_page(org, login):
    """The branch secretary co-opted onto the constituency's general committee: her home page names the
    constituency but links only the branch page she may open, and every link on it opens."""
    from datetime import timedelta

    from django.utils import timezone

    from polity.common.actor import Actor
    from polity.meetings.services.seats import seat_appoint

    seat_appoint(
        actor=Actor.system(), body=org.units["north_a_gc"], person=org.people["branchsec"], basis="co_opted",
        starts_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    client = login("branchsec")
    home = client.get(reverse("web:home"))
    assert home.status_code == 200 and "North A" in home.text
    assert reverse("web:unit", args=[org.units["north_a_1"].pk]) in home.text
    assert reverse("web:unit", args=[org.units["north_a"].pk]) not in home.text
    assert client.get(reverse("web:unit", args=[org.units["north_a"].pk])).status_code == 404
    for url in sorted(_links(home.text.split("<main", 1)[1])):
        assert client.get(url, follow=True).status_code == 200, url
