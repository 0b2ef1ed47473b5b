"""GET /api/v1/audit/events: the data protection officer's search over the API."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from polity.audit.models import Event
from polity.members.selectors import member_get


@pytest.mark.parametrize("who", ["national", "regional", "secretary", "member", "outsider"])
def test_everyone_but_the_dpo_gets_404(org, api, who):
    before = Event.objects.count()
    response = api(who, "/audit/events", actor=org.people["secretary"].membership_number)
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert Event.objects.count() == before


def test_no_token_is_401(api):
    assert api(None, "/audit/events").status_code == 401


def test_the_dpo_finds_what_an_officer_saw_with_names_and_offices(org, api):
    member_get(actor=org.actor("secretary"), member_id=org.people["member"].pk, channel="api")
    member_get(actor=org.actor("branchsec"), member_id=org.people["member2"].pk)
    number = org.people["secretary"].membership_number
    response = api("dpo", "/audit/events", actor=number, since="2026-01-01", until="2099-12-31")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["pages"], body["page"], body["page_size"], body["has_next"]) == (
        1,
        1,
        1,
        50,
        False,
    )
    assert body["actor"] == {"name": "Sam Secretary", "membership_number": number}
    (item,) = body["items"]
    assert item["actor"] == {
        "who": "Sam Secretary, Secretary of North A",
        "name": "Sam Secretary",
        "membership_number": number,
        "offices": ["Secretary of North A"],
    }
    assert (item["verb"], item["what"], item["channel"]) == (
        "member.view",
        "Opened the member's record",
        "api",
    )
    assert item["subject"] == {
        "name": "Mina Member",
        "membership_number": org.people["member"].membership_number,
    }
    assert "secretary" not in json.dumps(item).replace("Secretary", "")  # no login anywhere
    event = Event.objects.order_by("-seq").first()
    assert (event.verb, event.actor_label, event.details["channel"]) == ("audit.search", "dpo", "api")


def test_filters_by_person_verb_and_purpose_and_pages(org, api, monkeypatch):
    monkeypatch.setattr("polity.audit.search.PAGE_SIZE", 2)
    for purpose in ("casework", "casework", "member record"):
        member_get(actor=org.actor("regional"), member_id=org.people["member"].pk, purpose=purpose)
    body = api("dpo", "/audit/events", person="Mina Member", verb="member.view", purpose="casework").json()
    assert body["total"] == 2 and body["pages"] == 1
    assert {i["actor"]["who"] for i in body["items"]} == {"Rhys Regional, Regional officer of North"}
    two = api("dpo", "/audit/events", person="Mina", verb="member.view", page=2).json()
    assert (two["total"], two["pages"], two["page"], len(two["items"]), two["has_next"]) == (
        3,
        2,
        2,
        1,
        False,
    )


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {"since": "2026-05-01", "until": "2026-04-01"},
            "until: the end date (1 Apr 2026) is before the start date",
        ),
        (
            {"actor": "Nobody Anywhere"},
            "actor: no member has the membership number or name “Nobody Anywhere”",
        ),
        ({"person": "M"}, "person: 2 members match “M”"),
    ],
)
def test_filters_it_cannot_use_answer_422_naming_them(org, api, params, detail):
    response = api("dpo", "/audit/events", **params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail)


def test_a_malformed_date_or_page_is_422(org, api):
    assert api("dpo", "/audit/events", since="2026-02-31").status_code == 422
    assert api("dpo", "/audit/events", page=0).status_code == 422


def test_openapi_documents_the_search(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    operation = schema["paths"]["/api/v1/audit/events"]["get"]
    assert operation["security"]
    assert {p["name"] for p in operation["parameters"]} == {
        "actor", "person", "verb", "purpose", "since", "until", "page",
    }  # fmt: skip
    assert "404" in operation["responses"] and "422" in operation["responses"]


def test_query_count_does_not_grow_with_the_page(org, api):
    api("dpo", "/audit/events")
    with CaptureQueriesContext(connection) as small:
        assert api("dpo", "/audit/events").status_code == 200
    for _ in range(20):
        member_get(actor=org.actor("secretary"), member_id=org.people["member"].pk)
        member_get(actor=org.actor("regional"), member_id=org.people["member2"].pk)
    with CaptureQueriesContext(connection) as large:
        body = api("dpo", "/audit/events").json()
    assert len(body["items"]) == 50
    assert len(large) == len(small) <= 16, "\n".join(q["sql"][:120] for q in large.captured_queries)
