"""The exports API: a dry run gives the confirmation's figures; a refusal is 409 naming the rule; the file is
the requester's alone; the DPO traces an excerpt."""

from __future__ import annotations

import pytest
from django.test import Client

from polity.accounts.tokens import token_create
from polity.common.actor import Actor
from polity.exports.models import Export


def _client(org, who):  # type: ignore[no-untyped-def]
    token = token_create(actor=Actor.system(), user=org.users[who], name="t")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    global _capture
    _capture = django_capture_on_commit_callbacks


def test_request_dry_run_download_and_trace(world):
    org = world.org
    client = _client(org, "secretary")
    body = {
        "audience": world.audience.pk,
        "purpose": "service",
        "columns": ["name", "membership_number"],
        "reason": "AGM sign-in",
    }
    plan = client.post("/api/v1/exports", dict(body, dry_run=True), content_type="application/json")
    assert plan.status_code == 200 and plan.json()["rows"] > 0 and plan.json()["needs_approval_by"] is None
    assert not Export.objects.exists()
    with _capture(execute=True):
        made = client.post("/api/v1/exports", body, content_type="application/json")
    assert made.status_code == 201
    export_id = made.json()["id"]
    assert client.get(f"/api/v1/exports/{export_id}").json()["state"] == "ready"
    file = client.get(f"/api/v1/exports/{export_id}/file")
    assert file.status_code == 200
    text = b"".join(file.streaming_content).decode("utf-8-sig")
    assert _client(org, "regional").get(f"/api/v1/exports/{export_id}/file").status_code == 404
    traced = _client(org, "dpo").post(
        "/api/v1/exports/attribution", {"excerpt": text}, content_type="application/json"
    )
    assert traced.status_code == 200 and traced.json()["exports"][0]["export"] == export_id
    assert (
        _client(org, "secretary")
        .post("/api/v1/exports/attribution", {"excerpt": text}, content_type="application/json")
        .status_code
        == 403
    )


def test_a_refusal_names_the_rule(world):
    client = _client(world.org, "secretary")
    response = client.post(
        "/api/v1/exports",
        {
            "audience": world.audience.pk,
            "purpose": "governance",
            "columns": ["name", "phone"],
            "channel": "sms",
            "reason": "x",
        },
        content_type="application/json",
    )
    assert response.status_code == 409 and "does not let an export" in response.json()["detail"]


def test_exports_by_purpose_is_a_public_series(world):
    from polity.transparency import quarters

    with _capture(execute=True):
        _client(world.org, "secretary").post(
            "/api/v1/exports",
            {"audience": world.audience.pk, "purpose": "service", "columns": ["name"], "reason": "x"},
            content_type="application/json",
        )
    stats = Client().get(f"/api/v1/statistics?quarter={quarters.current()}").json()
    series = next(s for s in stats["series"] if s["key"] == "exports.by_purpose")
    service = next(f for f in series["figures"] if f["category"].startswith("Membership service"))
    assert service == {"category": service["category"], "value": None, "kind": "count", "suppressed": True}
