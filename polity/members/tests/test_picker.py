"""The person picker: names and numbers as people type them, only people in scope, every result logged."""

from __future__ import annotations

import pytest

from conftest import make_person
from polity.audit.models import Event
from polity.members.picker import PickError, people_resolve, person_pick, person_resolve
from polity.members.search import parse_person_query


def test_parser_reads_names_and_numbers():
    assert parse_person_query("Owen, Jane").family == "Owen"
    assert parse_person_query("Owen, Jane").given == "Jane"
    assert parse_person_query(" jane   owen ").terms == ("jane", "owen")
    number = parse_person_query("M0000045")
    assert (number.prefix, number.digits) == ("M", "0000045")
    assert parse_person_query("45").digits == "45"
    assert parse_person_query("").is_empty


@pytest.fixture
def janes(org):  # type: ignore[no-untyped-def]
    u = org.units
    return {
        "north": make_person(u["north_a_1"], "Jane", "Owen"),
        "north2": make_person(u["north_a_2"], "Jane", "Owen"),
        "south": make_person(u["south_a_1"], "Jane", "Owen-South"),
    }


def test_family_comma_given_finds_the_person(org, janes):
    found = person_pick(actor=org.actor("secretary"), q="Owen, Jane")
    assert {p.pk for p in found} == {janes["north"].pk, janes["north2"].pk}


def test_given_family_and_number_without_prefix(org, janes):
    secretary = org.actor("secretary")
    assert {p.pk for p in person_pick(actor=secretary, q="jane owen")} == {
        janes["north"].pk,
        janes["north2"].pk,
    }
    number = janes["north"].membership_number  # e.g. T0000012
    digits = str(int(number[1:]))
    assert person_resolve(actor=secretary, text=digits) == janes["north"]
    assert person_resolve(actor=secretary, text=number.lower()) == janes["north"]
    assert person_resolve(actor=secretary, text=number[1:]) == janes["north"]


def test_out_of_scope_never_appears_nor_resolves(org, janes):
    secretary = org.actor("secretary")  # north_a only
    assert janes["south"] not in person_pick(actor=secretary, q="Jane")
    with pytest.raises(PickError, match=f"No member {janes['south'].membership_number} in your area"):
        person_resolve(actor=secretary, text=janes["south"].membership_number)
    with pytest.raises(PickError, match="No member"):
        person_resolve(actor=secretary, text="Owen-South")
    outsider = org.actor("outsider")  # no office: nobody to pick
    assert person_pick(actor=outsider, q="Jane") == []


def test_namesakes_are_told_apart_by_branch_and_number(org, janes):
    with pytest.raises(PickError) as raised:
        person_resolve(actor=org.actor("secretary"), text="Jane Owen")
    text = str(raised.value)
    assert text.startswith("Several match:")
    for key, branch in (("north", "North A 1"), ("north2", "North A 2")):
        assert f"({branch}, {janes[key].membership_number})" in text


def test_every_search_shown_is_logged(org, janes):
    before = Event.objects.filter(verb="members.pick").count()
    found = person_pick(actor=org.actor("secretary"), q="Owen")
    event = Event.objects.filter(verb="members.pick").order_by("-seq").first()
    assert Event.objects.filter(verb="members.pick").count() == before + 1
    assert event is not None
    assert sorted(event.subject_ids) == sorted(p.pk for p in found)


def test_several_people_name_every_wrong_entry(org, janes):
    secretary = org.actor("secretary")
    numbers = f"{janes['north'].membership_number}, {janes['north2'].membership_number}"
    assert people_resolve(actor=secretary, text=numbers) == [janes["north"], janes["north2"]]
    with pytest.raises(PickError, match="No member Z999"):
        people_resolve(actor=secretary, text=f"{janes['north'].membership_number}, Z999")
