"""The comms and consent API: counts not addresses, 404 out of scope, approval by the region."""

import json

import pytest

from polity.accounts.tokens import token_create
from polity.audit.models import Event
from polity.common.actor import Actor
from polity.comms.tests.conftest import consent
from polity.consent.checks import contact_permitted


@pytest.fixture
def call(org, client):  # type: ignore[no-untyped-def]
    tokens = {
        name: token_create(actor=Actor.system(), user=user, name="t")[1] for name, user in org.users.items()
    }

    def do(who, method, path, body=None):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            return client.get(f"/api/v1{path}", body or {}, headers=headers)
        if method in ("put", "delete"):
            return getattr(client, method)(
                f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers
            )
        return client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers
        )

    return do


def test_my_consents_get_and_post(org, call):
    response = call("member", "get", "/me/consents")
    assert response.status_code == 200
    rows = {(r["purpose"], r["channel"]): r for r in response.json()}
    assert (
        rows[("campaigning", "email")]["state"] == "not asked" and rows[("campaigning", "email")]["wording"]
    )
    assert rows[("governance", "email")]["may_refuse"] is False
    response = call(
        "member", "post", "/me/consents", {"purpose": "campaigning", "channel": "sms", "action": "given"}
    )
    assert response.status_code == 200
    assert {(r["purpose"], r["channel"]): r["state"] for r in response.json()}[
        ("campaigning", "sms")
    ] == "given"
    assert contact_permitted(person_id=org.people["member"].pk, purpose="campaigning", channel="sms") == (
        True,
        "ok",
    )
    assert Event.objects.filter(verb="consent.record", actor_person_id=org.people["member"].pk).exists()
    refused = call(
        "member", "post", "/me/consents", {"purpose": "governance", "channel": "email", "action": "withdrawn"}
    )
    assert refused.status_code == 409
    bad = call(
        "member", "post", "/me/consents", {"purpose": "campaigning", "channel": "pigeon", "action": "given"}
    )
    assert bad.status_code == 422


def test_audience_message_send_flow(org, call, sent):
    consent(org.people["member"])
    unit = org.units["north_a"].pk
    response = call("secretary", "post", "/audiences", {"name": "All North A", "unit": unit})
    assert response.status_code == 201, response.content
    audience = response.json()["id"]
    preview = call(
        "secretary", "get", f"/audiences/{audience}/preview", {"purpose": "campaigning", "channel": "email"}
    )
    assert preview.status_code == 200 and preview.json()["reachable"] == 1
    assert "@" not in preview.content.decode()
    response = call(
        "secretary",
        "post",
        "/messages",
        {
            "audience": audience,
            "purpose": "campaigning",
            "channel": "email",
            "subject": "Hi",
            "body": "Hi {{ given_name }}",
        },
    )
    assert response.status_code == 201, response.content
    message = response.json()["id"]
    sent_response = call("secretary", "post", f"/messages/{message}/send")
    assert sent_response.status_code == 200 and sent_response.json()["state"] == "sent"
    detail = call("secretary", "get", f"/messages/{message}").json()
    assert detail["recipients"] == 1 and set(detail["delivery"]) >= {"queued", "sent", "failed", "bounced"}


def test_out_of_scope_answers_404_like_missing(org, call):
    south = call("national", "post", "/audiences", {"name": "South", "unit": org.units["south"].pk}).json()[
        "id"
    ]
    for path in (f"/audiences/{south}", f"/audiences/{south}/preview", "/audiences/999999"):
        response = call("secretary", "get", path)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert (
        call("secretary", "post", "/audiences", {"name": "x", "unit": org.units["south"].pk}).status_code
        == 404
    )
    bad = call(
        "secretary",
        "post",
        "/messages",
        {"audience": south, "purpose": "service", "body": "x", "subject": "x"},
    )
    assert bad.status_code == 404


def test_unknown_merge_field_is_a_clear_422(org, call):
    audience = call("secretary", "post", "/audiences", {"name": "A", "unit": org.units["north_a"].pk}).json()[
        "id"
    ]
    response = call(
        "secretary",
        "post",
        "/messages",
        {"audience": audience, "purpose": "service", "subject": "x", "body": "{{ email }}"},
    )
    assert response.status_code == 422 and "unknown merge field" in response.json()["detail"]


@pytest.mark.parametrize(
    ("who", "whom", "evidence", "status"),
    [
        ("regional", "member", "Phone call on 3 May", 201),
        ("regional", "member", "", 422),
        ("secretary", "member", "Phone call", 403),
        ("regional", "outsider", "Phone call", 404),
        ("member", "member2", "Phone call", 404),
    ],
)
def test_officer_records_consent_on_the_members_word(org, call, who, whom, evidence, status):
    body = {
        "person": org.people[whom].pk,
        "purpose": "campaigning",
        "channel": "phone",
        "action": "given",
        "evidence": evidence,
    }
    response = call(who, "post", "/consents", body)
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["method"] == "officer"
        assert Event.objects.filter(verb="consent.record", actor_person_id=org.people[who].pk).exists()


def test_lists_use_a_bounded_number_of_queries(org, call, django_assert_max_num_queries):
    unit = org.units["north_a"].pk
    for i in range(3):
        audience = call("secretary", "post", "/audiences", {"name": f"A{i}", "unit": unit}).json()["id"]
        for j in range(3):
            call(
                "secretary",
                "post",
                "/messages",
                {"audience": audience, "purpose": "service", "subject": "s", "body": f"b{j}"},
            )
    with django_assert_max_num_queries(12):
        assert len(call("secretary", "get", "/messages").json()) == 9
    with django_assert_max_num_queries(12):
        assert len(call("secretary", "get", "/audiences").json()) == 3


def test_drafts_plan_and_test_over_the_api(org, call, delegates, sent):
    audience = call(
        "secretary",
        "post",
        "/audiences",
        {
            "name": "GC",
            "unit": org.units["north_a"].pk,
            "body": org.units["north_a_gc"].pk,
            "body_part": "delegates",
        },
    ).json()
    draft = {
        "audience": audience["id"],
        "purpose": "governance",
        "subject": "Papers",
        "body": "Dear {{ given_name }}",
    }
    message = call("secretary", "post", "/messages", draft).json()
    path = f"/messages/{message['id']}"
    assert call("regional", "put", path, {**draft, "subject": "Mine now"}).status_code == 403
    assert call("outsider", "put", path, {**draft, "subject": "Mine now"}).status_code == 404
    changed = call("secretary", "put", path, {**draft, "subject": "Papers for Monday"})
    assert changed.status_code == 200 and changed.json()["subject"] == "Papers for Monday"
    plan = call("secretary", "get", f"{path}/plan").json()
    assert (plan["total"], plan["reachable"], plan["approver_unit"]) == (2, 2, None)
    refused = call("secretary", "post", f"{path}/test", {"to": "elsewhere@example.invalid"})
    assert refused.status_code == 422 and "own address" in refused.json()["detail"]
    assert call("secretary", "post", f"{path}/test").json() == {
        "sent_to": "your email address on the register"
    }
    assert [e.to for e in sent.emails] == [org.people["secretary"].email]
    assert call("secretary", "post", f"{path}/send").json()["state"] == "sent"
    assert call("secretary", "put", path, draft).status_code == 409
    assert call("secretary", "delete", path).status_code == 409
    assert call("secretary", "get", f"{path}/plan").status_code == 409
