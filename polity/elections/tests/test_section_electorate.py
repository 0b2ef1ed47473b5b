"""An election whose voters are the members of a section within a unit (North A's women's officer, elected by
the women members of North A): the roll is the members in good standing on the freeze date who were in the
section on that date, and a member who is not on it reads why in words."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from polity.common.errors import InvalidInput
from polity.elections import clock
from polity.elections.models import Electorate, RollEntry
from polity.elections.roll import voter_standing
from polity.elections.services import election_create, election_freeze
from polity.members.models import SectionMembership
from polity.members.sections import section_declare

FREEZE_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def womens_officer(walk, org):
    return election_create(
        actor=org.actor("national"),
        title="North A women's officer",
        office="Women's officer of North A",
        unit=org.units["north_a"],
        method="fptp",
        returning_officer=walk.ro,
        electorate_section="women",
    )


def _declared(person, since, until=None):
    return SectionMembership.objects.create(person=person, section="women", since=since, until=until)


def test_the_roll_is_the_section_on_the_freeze_date_in_good_standing(womens_officer, org):
    people = org.people
    _declared(people["member"], date(2025, 1, 1))  # in the section all along: on the roll
    _declared(people["secretary"], date(2025, 1, 1), until=date(2026, 2, 1))  # withdrew before: off
    _declared(people["national"], date(2025, 1, 1), until=date(2026, 4, 1))  # withdrew after: on
    _declared(people["outsider"], date(2025, 1, 1))  # in the section, but in South A: off
    people["branchsec"].paid_until = date(2025, 6, 1)  # in the section but in arrears on the date: off
    people["branchsec"].save()
    _declared(people["branchsec"], date(2025, 1, 1))
    assert womens_officer.electorate == Electorate.SECTION
    with clock.at(FREEZE_AT):
        election = election_freeze(actor=org.actor("ro"), election=womens_officer)
    roll = set(RollEntry.objects.filter(election=election).values_list("person__given_name", flat=True))
    assert roll == {"Mina", "Nora"} and election.roll_size == 2

    # Milo declares today, after the freeze date: not on the roll, and told so in words.
    section_declare(actor=org.actor("member2"), person=people["member2"], section="women")
    milo = voter_standing(election, people["member2"], clock.now())
    assert not milo.eligible and milo.fixed
    assert "you were not a member of the Women's section on 1 March 2026, the freeze date" in milo.reasons
    sam = voter_standing(election, people["secretary"], clock.now())
    assert "you were not a member of the Women's section on 1 March 2026, the freeze date" in sam.reasons
    bea = voter_standing(election, people["branchsec"], clock.now())
    assert any("in arrears on 1 March 2026" in r for r in bea.reasons)
    olu = voter_standing(election, people["outsider"], clock.now())
    assert olu.reasons == ("you are not among the voters: the members of the Women's section in North A",)
    assert voter_standing(election, people["member"], clock.now()).eligible


def test_before_the_freeze_the_forecast_names_the_section(womens_officer, org):
    why = voter_standing(womens_officer, org.people["member"], clock.now())
    assert not why.eligible and "on today's record you are not a member of the Women's section" in why.reasons
    section_declare(actor=org.actor("member"), person=org.people["member"], section="women")
    assert voter_standing(womens_officer, org.people["member"], clock.now()).eligible


def test_the_public_page_says_who_votes(womens_officer, org, login):
    election_freeze(actor=org.actor("ro"), election=womens_officer)  # public from its freeze
    page = login("member").get(f"/elections/{womens_officer.pk}/").content.decode()
    assert "Members of the Women&#x27;s section in North A" in page


def test_a_section_the_rulebook_lacks_or_a_body_with_a_section_is_refused(walk, org):
    with pytest.raises(InvalidInput, match="no section 'choir'"):
        election_create(
            actor=org.actor("national"),
            title="Choir",
            office="Choir master",
            unit=org.units["north_a"],
            method="fptp",
            returning_officer=walk.ro,
            electorate_section="choir",
        )
    with pytest.raises(InvalidInput, match="within a unit, not a body"):
        election_create(
            actor=org.actor("national"),
            title="GC women",
            office="GC women's rep",
            unit=org.units["north_a"],
            method="fptp",
            returning_officer=walk.ro,
            electorate_body=org.units["north_a_gc"],
            electorate_section="women",
        )


def test_the_database_refuses_a_section_electorate_without_its_section(womens_officer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        type(womens_officer).objects.filter(pk=womens_officer.pk).update(electorate_section="")


def test_a_section_election_through_the_api(client, walk, org):
    from polity.accounts.tokens import token_create
    from polity.common.actor import Actor

    token = token_create(actor=Actor.system(), user=org.users["national"], name="t")[1]
    body = {
        "title": "North A women's officer",
        "office": "Women's officer",
        "unit": org.units["north_a"].pk,
        "method": "fptp",
        "returning_officer": walk.ro.membership_number,
        "electorate_section": "women",
    }
    headers = {"Authorization": f"Bearer {token}"}
    made = client.post(
        "/api/v1/elections", json.dumps(body), content_type="application/json", headers=headers
    )
    assert made.status_code == 201, made.content
    electorate = made.json()["electorate"]
    assert electorate["kind"] == "section" and electorate["section"] == "women"
    assert electorate["words"] == "the members of the Women's section in North A"
    body["electorate_section"] = "choir"
    bad = client.post("/api/v1/elections", json.dumps(body), content_type="application/json", headers=headers)
    assert bad.status_code == 422 and "choir" in bad.json()["detail"]


def test_calling_a_section_election_on_the_web(walk, org, login):
    """The unit by name or code and the returning officer by membership number; who votes is a choice of words.
    Someone who may call no election gets 404, and a unit outside one's scope is named in the error."""
    from polity.elections.models import Election

    form = {
        "title": "North A women's officer",
        "office": "Women's officer",
        "unit": "north-a",
        "method": "fptp",
        "seats": "1",
        "electorate": "women",
        "returning_officer": walk.ro.membership_number,
    }
    assert login("member").get("/elections/new/").status_code == 404
    assert login("member").post("/elections/new/", form).status_code == 404
    assert "/elections/new/" not in login("member").get("/elections/").content.decode()
    regional = login("regional")
    assert "/elections/new/" in regional.get("/elections/").content.decode()
    page = regional.get("/elections/new/").content.decode()
    assert "The members of the Women&#x27;s section in the unit" in page
    outside = regional.post("/elections/new/", {**form, "unit": "South A"})
    assert outside.status_code == 422 and "no unit where you may call an election" in outside.content.decode()
    nobody = regional.post("/elections/new/", {**form, "returning_officer": "X0000000"})
    assert nobody.status_code == 422 and "no member has that membership number" in nobody.content.decode()
    done = regional.post("/elections/new/", {**form, "unit": "North A"})
    assert done.status_code == 302
    election = Election.objects.get(title="North A women's officer")
    assert (election.electorate, election.electorate_section, election.unit.code) == (
        "section",
        "women",
        "north-a",
    )
