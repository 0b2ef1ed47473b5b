"""The API: a member's own requests, the DPO's queue, actions (409 naming the rule), the package."""

from __future__ import annotations

import json
from datetime import date

import pytest


@pytest.fixture
def api(org, client):  # type: ignore[no-untyped-def]
    from polity.accounts.tokens import token_create
    from polity.common.actor import Actor

    tokens: dict[str, str] = {}

    def call(who, method, path, body=None):  # type: ignore[no-untyped-def]
        if who not in tokens:
            tokens[who] = token_create(actor=Actor.system(), user=org.users[who], name="t")[1]
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            return client.get(f"/api/v1{path}", headers=headers)
        return client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers
        )

    return call


def test_a_member_asks_and_the_dpo_answers_through_the_api(api, org):
    r = api("member", "post", "/me/data-requests", {"kind": "access"})
    assert r.status_code == 201, r.content
    made = r.json()
    assert api("member", "get", "/me/data-requests").json()[0]["reference"] == made["reference"]
    queue = api("dpo", "get", "/data-requests").json()
    assert queue["open"] == 1 and queue["requests"][0]["days_left"] >= 28
    package = api("dpo", "get", f"/data-requests/{made['id']}/package").json()
    assert any(h["key"] == "members.register" for h in package["holdings"])
    r = api(
        "dpo", "post", f"/data-requests/{made['id']}/actions/extend", {"to": "2099-01-01", "reasons": "x"}
    )
    assert r.status_code == 409 and "at the latest" in r.json()["detail"]
    r = api("dpo", "post", f"/data-requests/{made['id']}/actions/send", {})
    assert r.status_code == 200 and r.json()["state"] == "answered"


def test_the_dpo_enters_a_letter_naming_a_member(api, org):
    body = {
        "kind": "erasure",
        "channel": "letter",
        "received_on": date.today().isoformat(),
        "person_id": org.people["member2"].pk,
    }
    r = api("dpo", "post", "/data-requests", body)
    assert r.status_code == 201 and r.json()["state"] == "received"
    r = api("dpo", "post", "/data-requests", {**body, "kind": "nonsense"})
    assert r.status_code == 422


@pytest.mark.parametrize("who", ["member", "national", "secretary"])
def test_the_queue_and_requests_are_the_dpos_only(api, org, who):
    made = api("member2", "post", "/me/data-requests", {"kind": "access"}).json()
    assert api(who, "get", "/data-requests").status_code == 404
    assert api(who, "get", f"/data-requests/{made['id']}").status_code == 404
    assert api(who, "post", f"/data-requests/{made['id']}/actions/send", {}).status_code == 404
