"""The API's doors to status and membership: the same refusals and windows as the web."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from polity.members.models import Payment, Person, Resignation, ResignationState, Status


@pytest.fixture
def call(client, tokens):  # type: ignore[no-untyped-def]
    """`call("member", "post", "/me/resignations", {...})` → the response, with that persona's token."""

    def send(who: str, method: str, path: str, body: dict | None = None):  # type: ignore[no-untyped-def, type-arg]
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            return client.get(f"/api/v1{path}", headers=headers)
        return getattr(client, method)(
            f"/api/v1{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[who]}"},
        )

    return send


LETTER = {"name": "letter.txt", "content_base64": base64.b64encode(b"I resign. Mina").decode()}


@pytest.mark.parametrize(
    ("status", "route"), [("resigned", "own page"), ("lapsed", "arrears rule"), ("expelled", "case")]
)
def test_a_regional_officer_cannot_set_a_status_with_its_own_route(org, call, status, route):
    member = org.people["member"]
    response = call("regional", "post", f"/members/{member.pk}/status", {"status": status, "reason": "rival"})
    assert response.status_code == 409 and route in response.json()["detail"]
    assert Person.objects.get(pk=member.pk).status == Status.ACTIVE


def test_status_by_hand_out_of_scope_is_not_found(org, call):
    outsider = org.people["outsider"]
    response = call("regional", "post", f"/members/{outsider.pk}/status", {"status": "active", "reason": "x"})
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_a_member_resigns_over_the_api_and_takes_it_back(org, call):
    assert (
        call("member", "post", "/me/resignations", {"reason": "moving"}).status_code == 422
    )  # not confirmed
    made = call("member", "post", "/me/resignations", {"reason": "moving", "confirm": True})
    assert made.status_code == 201
    body = made.json()
    assert body["state"] == "pending" and body["state_label"] == "Pending"
    assert body["rule"] == "membership.resignation_cooling_off"
    assert call("member2", "post", f"/me/resignations/{body['id']}/withdraw").status_code == 404
    back = call("member", "post", f"/me/resignations/{body['id']}/withdraw")
    assert back.status_code == 200 and back.json()["state"] == "withdrawn"
    assert [r["state"] for r in call("member", "get", "/me/resignations").json()] == ["withdrawn"]


def test_taking_back_after_the_window_is_refused_over_the_api(org, call):
    made = call("member", "post", "/me/resignations", {"confirm": True}).json()
    Resignation.objects.filter(pk=made["id"]).update(window_ends_at=timezone.now() - timedelta(seconds=1))
    late = call("member", "post", f"/me/resignations/{made['id']}/withdraw")
    assert late.status_code == 409 and "window" in late.json()["detail"]


def test_an_officer_records_a_resignation_with_the_letter_and_the_member_disputes_it(org, call):
    member = org.people["member"]
    path = f"/members/{member.pk}/resignations"
    without = call("regional", "post", path, {"received_on": "2026-12-01", "confirm": True})
    assert without.status_code == 422 and "letter" in without.json()["detail"]
    assert (
        call(
            "outsider", "post", path, {"received_on": "2026-12-01", "letter": LETTER, "confirm": True}
        ).status_code
        == 404
    )
    assert (
        call(
            "secretary", "post", path, {"received_on": "2026-12-01", "letter": LETTER, "confirm": True}
        ).status_code
        == 403
    )
    made = call("regional", "post", path, {"received_on": "2026-12-01", "letter": LETTER, "confirm": True})
    assert made.status_code == 201 and made.json()["letter_size"] == 14
    rid = made.json()["id"]
    assert call("member2", "post", f"/me/resignations/{rid}/dispute", {"reason": "x"}).status_code == 404
    disputed = call("member", "post", f"/me/resignations/{rid}/dispute", {"reason": "I never sent it."})
    assert disputed.status_code == 200 and disputed.json()["state_label"] == "Disputed by the member"
    listed = call("regional", "get", path).json()
    assert [r["state"] for r in listed] == [ResignationState.DISPUTED]


def test_a_dispute_after_the_window_is_refused_over_the_api(org, call):
    member = org.people["member"]
    made = call(
        "regional",
        "post",
        f"/members/{member.pk}/resignations",
        {"received_on": "2026-12-01", "letter": LETTER, "confirm": True},
    ).json()
    Resignation.objects.filter(pk=made["id"]).update(window_ends_at=timezone.now() - timedelta(seconds=1))
    late = call("member", "post", f"/me/resignations/{made['id']}/dispute", {"reason": "late"})
    assert late.status_code == 409 and "window to dispute it ended" in late.json()["detail"]


def test_a_member_changes_contact_details_and_renews_over_the_api(org, call):
    changed = call("member", "patch", "/me/contact", {"phone": "07700 900999"})
    assert changed.status_code == 200 and changed.json()["person"]["contact"]["phone"] == "07700 900999"
    assert call("member", "patch", "/me/contact", {"email": "nope"}).status_code == 422
    quote = call("member", "get", "/me/renewal").json()
    assert quote["amount_pence"] == 3600
    assert call("member", "post", "/me/renewal", {}).status_code == 422  # not confirmed
    paid = call("member", "post", "/me/renewal", {"confirm": True})
    assert paid.status_code == 201 and paid.json()["covers_until"] == quote["covers_until"]
    assert Payment.objects.filter(person=org.people["member"], method="self_service").count() == 1
