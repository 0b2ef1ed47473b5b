"""GET /members and /members/{id}: scope, 404 identical to missing, contact details, recorded reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from polity.access.services import grant_give
from polity.audit.models import Event
from polity.common.actor import Actor

# (viewer, member opened, allowed). Not allowed means 404, exactly as for a member that does not exist.
RECORD_TABLE = [
    ("national", "outsider", True),
    ("national", "member", True),
    ("regional", "member", True),
    ("regional", "member2", True),
    ("regional", "outsider", False),
    ("secretary", "member", True),
    ("secretary", "member2", True),
    ("secretary", "outsider", False),
    ("branchsec", "member2", True),
    ("branchsec", "member", False),
    ("dpo", "member", True),
    ("member", "member", True),
    ("member", "member2", False),
    ("member", "secretary", False),
    ("outsider", "member", False),
]


@pytest.mark.parametrize(("viewer", "target", "allowed"), RECORD_TABLE)
def test_member_record_permission_table(org, api, viewer, target, allowed):
    person = org.people[target]
    response = api(viewer, f"/members/{person.pk}")
    if allowed:
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == person.pk
        assert body["family_name"] == person.family_name
        assert body["home_unit"] == person.home_unit_id
        assert body["periods"][0]["started_on"] == "2020-01-01"
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_out_of_scope_answers_exactly_like_a_missing_member(org, api):
    hidden = api("branchsec", f"/members/{org.people['outsider'].pk}")
    missing = api("branchsec", "/members/99999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert hidden.headers["Content-Type"] == missing.headers["Content-Type"]


def test_opening_a_record_leaves_an_audit_event(org, api):
    target = org.people["member"]
    before = Event.objects.count()
    assert api("secretary", f"/members/{target.pk}").status_code == 200
    event = Event.objects.get(seq__gt=before, verb="member.view")
    assert event.subject_ids == [target.pk]
    assert event.actor_user_id == org.users["secretary"].pk
    assert event.details["channel"] == "api"
    assert event.purpose.startswith("api")


def test_a_refused_read_leaves_no_view_event(org, api):
    before = Event.objects.count()
    assert api("outsider", f"/members/{org.people['member'].pk}").status_code == 404
    assert not Event.objects.filter(seq__gt=before, verb="member.view").exists()


def test_officers_get_no_contact_details_without_the_permission(org, api):
    body = api("secretary", f"/members/{org.people['member'].pk}").json()
    assert body["contact"] is None
    assert "email" not in str(body)
    assert org.people["member"].email not in api("secretary", "/members").content.decode()


def test_contact_details_with_members_view_contact_over_the_unit(org, api):
    grant_give(
        actor=Actor.system(),
        person=org.people["secretary"],
        permissions=["members.view_contact"],
        unit=org.units["north_a_2"],
        purpose="phone round for the AGM",
        expires_at=timezone.now() + timedelta(days=7),
    )
    in_grant = api("secretary", f"/members/{org.people['member'].pk}").json()
    assert in_grant["contact"]["email"] == org.people["member"].email
    # member2 is in north_a_1: the secretary may see them, but the grant does not reach there.
    outside_grant = api("secretary", f"/members/{org.people['member2'].pk}").json()
    assert outside_grant["contact"] is None
    rows = {m["id"]: m for m in api("secretary", "/members").json()["items"]}
    assert rows[org.people["member"].pk]["contact"]["phone"] == org.people["member"].phone
    assert rows[org.people["member2"].pk]["contact"] is None


def test_a_member_sees_their_own_contact_details(org, api):
    body = api("member", f"/members/{org.people['member'].pk}").json()
    assert body["contact"]["email"] == org.people["member"].email


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (
            "national",
            {"national", "regional", "secretary", "branchsec", "dpo", "member", "member2", "outsider"},
        ),
        ("regional", {"national", "regional", "secretary", "branchsec", "member", "member2"}),
        ("secretary", {"national", "regional", "secretary", "branchsec", "member", "member2"}),
        ("branchsec", {"national", "regional", "branchsec", "member2"}),
        ("member", set()),
        ("outsider", set()),
    ],
)
def test_list_returns_exactly_the_members_in_scope(org, api, viewer, expected):
    response = api(viewer, "/members")
    assert response.status_code == 200
    ids = {m["id"] for m in response.json()["items"]}
    assert ids == {org.people[name].pk for name in expected}


def test_list_page_is_recorded_with_the_members_shown(org, api):
    before = Event.objects.count()
    items = api("branchsec", "/members").json()["items"]
    event = Event.objects.get(seq__gt=before, verb="members.list")
    assert sorted(event.subject_ids) == sorted(m["id"] for m in items)
    assert event.details["channel"] == "api"


def test_list_filters_by_unit_query_and_status(org, api):
    body = api("regional", "/members", unit=org.units["north_a_2"].pk).json()
    assert {m["id"] for m in body["items"]} == {org.people["secretary"].pk, org.people["member"].pk}
    body = api("regional", "/members", q="Mina").json()
    assert [m["id"] for m in body["items"]] == [org.people["member"].pk]
    body = api("regional", "/members", status="active").json()
    assert all(m["status"] == "active" for m in body["items"])
    assert api("regional", "/members", status="lapsed").json()["items"] == []


def test_unit_outside_scope_answers_404_like_a_missing_unit(org, api):
    hidden = api("secretary", "/members", unit=org.units["south_a"].pk)
    missing = api("secretary", "/members", unit=99999999)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


@pytest.mark.parametrize(
    "params",
    [{"status": "emperor"}, {"page": 0}, {"page": "x"}, {"unit": "north"}, {"q": "x" * 101}],
)
def test_bad_parameters_answer_422(org, api, params):
    response = api("national", "/members", **params)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_paging(org, api, monkeypatch):
    monkeypatch.setattr("polity.api.members.PAGE_SIZE", 3)
    first = api("national", "/members").json()
    second = api("national", "/members", page=2).json()
    third = api("national", "/members", page=3).json()
    assert first["has_next"] and second["has_next"] and not third["has_next"]
    seen = [m["id"] for page in (first, second, third) for m in page["items"]]
    assert len(seen) == len(set(seen)) == 8
