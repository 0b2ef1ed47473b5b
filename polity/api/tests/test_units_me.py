"""GET /units, /me and /me/access-log."""

from __future__ import annotations

import pytest

from polity.audit.models import Event


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("secretary", {"north_a", "north_a_1", "north_a_2"}),
        ("branchsec", {"north_a_1"}),
        ("regional", {"north", "north_a", "north_b", "north_a_1", "north_a_2", "north_b_1"}),
        ("member", set()),
    ],
)
def test_units_in_scope(org, api, viewer, expected):
    response = api(viewer, "/units")
    assert response.status_code == 200
    assert {u["id"] for u in response.json()} == {org.units[name].pk for name in expected}


def test_units_carry_their_parent_and_level(org, api):
    units = api("national", "/units").json()
    by_id = {u["id"]: u for u in units}
    branch = by_id[org.units["north_a_1"].pk]
    assert branch["level"] == "branch"
    assert branch["parent"] == org.units["north_a"].pk
    assert by_id[org.units["national"].pk]["parent"] is None
    assert units[0]["id"] == org.units["national"].pk  # parents before children


def test_me_shows_account_record_and_scopes(org, api):
    body = api("secretary", "/me").json()
    assert body["username"] == "secretary"
    assert body["person"]["id"] == org.people["secretary"].pk
    assert body["person"]["contact"]["email"] == org.people["secretary"].email
    granted = {(p["permission"], p["unit"]) for p in body["permissions"]}
    assert ("members.view", org.units["north_a"].pk) in granted
    assert not any(p == "members.edit" for p, _ in granted)


def test_me_for_a_plain_member_has_no_permissions(org, api):
    body = api("member", "/me").json()
    assert body["permissions"] == []


def test_my_access_log_shows_who_viewed_my_data(org, api):
    me = org.people["member"]
    assert api("secretary", f"/members/{me.pk}").status_code == 200
    log = api("member", "/me/access-log").json()
    views = [e for e in log if e["verb"] == "member.view"]
    assert views, log
    assert views[0]["who"] == "Sam Secretary, Secretary of North A"  # a name and office, not a login
    assert views[0]["channel"] == "api"
    assert {"seq", "at", "what", "purpose"} <= set(views[0])


def test_reading_my_own_record_and_log_adds_nothing_to_the_log(org, api):
    before = Event.objects.count()
    assert api("member", "/me/access-log").status_code == 200
    assert api("member", "/me").status_code == 200
    assert api("member", f"/members/{org.people['member'].pk}").status_code == 200
    assert Event.objects.count() == before
