"""Case forms name people with the person picker: a name or a membership number, never an internal id."""

from __future__ import annotations

import re

from django.urls import reverse

from conftest import make_person
from polity.audit.models import Event
from polity.cases.models import Participant as Party
from polity.cases.tests import flows


def _act(c, case, action, data):
    return c.post(reverse("cases:act", args=[case.pk, action]), data)


def test_a_party_is_added_by_membership_number_or_family_comma_given(cases, login):
    case = flows.to_investigation(cases)
    c = login("handler")
    witness = cases.person("member2")
    r = _act(c, case, "add_party", {"person": witness.membership_number, "role": "witness"})
    assert r.status_code == 302, r.content[:500]
    assert Party.objects.filter(case=case, person=witness, role="witness").exists()
    other = make_person(cases.org.units["north_a_2"], "Quentin", "Quill")
    r = _act(c, case, "add_party", {"person": "Quill, Quentin", "role": "witness"})
    assert r.status_code == 302, r.content[:500]
    assert Party.objects.filter(case=case, person=other).exists()


def test_an_out_of_scope_number_is_refused_keeping_what_was_typed(cases, login):
    case = flows.to_investigation(cases)
    outsider = cases.person("outsider")  # south: outside the north complaints officer's area
    r = _act(login("handler"), case, "add_party", {"person": outsider.membership_number, "role": "witness"})
    page = r.content.decode()
    assert r.status_code == 400
    assert f"No member {outsider.membership_number} in your area." in page
    assert f'value="{outsider.membership_number}"' in page
    assert not Party.objects.filter(case=case, person=outsider).exists()


def test_a_bare_number_is_a_membership_number_not_an_id(cases, login):
    case = flows.to_investigation(cases)
    outsider = cases.person("outsider")
    # The outsider's internal id, typed as a number, must never reach them.
    r = _act(login("handler"), case, "add_party", {"person": str(outsider.pk), "role": "witness"})
    assert not Party.objects.filter(case=case, person=outsider).exists()
    assert r.status_code in (302, 400)


def test_namesakes_must_be_told_apart(cases, login):
    case = flows.to_investigation(cases)
    u = cases.org.units
    a = make_person(u["north_a_1"], "Jane", "Owen")
    b = make_person(u["north_b_1"], "Jane", "Owen")
    r = _act(login("handler"), case, "add_party", {"person": "Jane Owen", "role": "witness"})
    page = r.content.decode()
    assert r.status_code == 400 and "Several match:" in page
    assert a.membership_number in page and b.membership_number in page
    assert "North A 1" in page and "North B 1" in page
    assert 'value="Jane Owen"' in page


def test_a_panel_is_named_by_several_numbers(cases, login):
    case = flows.to_notice(cases)
    panel = [cases.person("panel1"), cases.person("member2")]
    data = {"members": ", ".join(p.membership_number for p in panel)}
    r = _act(login("handler"), case, "assign_panel", data)
    assert r.status_code in (302, 409), r.content[:500]  # the service may refuse a panel member with a stake
    if r.status_code == 409:
        return
    r = _act(login("handler"), case, "assign_panel", {"members": "Nobody Here"})
    assert r.status_code == 400


def test_the_matches_endpoint_shows_only_people_in_scope_and_logs_them(cases, login):
    make_person(cases.org.units["north_a_1"], "Wendy", "Walker")
    make_person(cases.org.units["south_a_1"], "Wilma", "Walker")
    c = login("handler")
    before = Event.objects.filter(verb="members.pick").count()
    url = reverse("web:person_matches")
    r = c.get(url, {"field": "person", "person": "Walker", "scope": "cases", "target": "add_party-person"})
    page = r.content.decode()
    assert r.status_code == 200
    assert "Wendy Walker" in page and "Wilma" not in page
    assert Event.objects.filter(verb="members.pick").count() == before + 1
    event = Event.objects.filter(verb="members.pick").order_by("-seq").first()
    assert event is not None and len(event.subject_ids) == 1
    # For several people, only the entry being typed is searched.
    r = c.get(url, {"field": "members", "members": "M1, walk", "multi": "1", "scope": "cases"})
    assert "Wendy Walker" in r.content.decode()
    # Someone with no office sees nobody.
    assert "Wendy" not in login("outsider").get(url, {"field": "q", "q": "Walker"}).content.decode()


def test_no_case_form_asks_for_a_person_id(cases, login):
    case = flows.to_investigation(cases)
    page = login("handler").get(reverse("cases:detail", args=[case.pk])).content.decode()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", page, flags=re.S)
    assert labels
    for label in labels:
        assert not re.search(r"\bids?\b|on the register", label, flags=re.I), label
    assert "hx-get" in page and "picker-input" in page


def test_the_api_takes_a_membership_number_too(cases, call):
    case = flows.to_investigation(cases)
    witness = cases.person("member2")
    r = call(
        "handler",
        "post",
        f"/cases/{case.pk}/actions/add_party",
        {"person": witness.membership_number, "role": "witness"},
    )
    assert r.status_code == 200, r.content
    assert Party.objects.filter(case=case, person=witness, role="witness").exists()
    outsider = cases.person("outsider")
    r = call(
        "handler",
        "post",
        f"/cases/{case.pk}/actions/add_party",
        {"person": outsider.membership_number, "role": "witness"},
    )
    assert r.status_code == 404
