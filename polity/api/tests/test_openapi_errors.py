"""The schema, the docs page, how domain errors answer, and query counts that do not grow with the page."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from conftest import make_person
from polity.api.urls import api as ninja_api
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible

PATHS = {
    "/api/v1/units",
    "/api/v1/members",
    "/api/v1/members/{member_id}",
    "/api/v1/me",
    "/api/v1/me/access-log",
}


def test_openapi_json_loads_and_lists_the_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= PATHS
    schemes = schema["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    for path in PATHS:
        assert schema["paths"][path]["get"]["security"], path


def test_docs_page_uses_no_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"cdn." not in response.content


@pytest.mark.parametrize(
    ("error", "status", "detail"),
    [
        (NotVisible("secret member 42 exists"), 404, "Not found."),
        (
            Forbidden("you need the permission 'members.edit' here"),
            403,
            "you need the permission 'members.edit' here",
        ),
        (InvalidInput("status: one of applicant, active"), 422, "status: one of applicant, active"),
        (
            DomainError("a membership period cannot end before it starts"),
            409,
            "a membership period cannot end before it starts",
        ),
    ],
)
def test_domain_errors_map_to_statuses(error, status, detail):
    response = ninja_api.on_exception(RequestFactory().get("/api/v1/x"), error)
    assert response.status_code == status
    assert json.loads(response.content) == {"detail": detail}


def test_list_query_count_does_not_grow_with_the_page(org, api):
    api("national", "/members")  # warm caches that are not per request (rulebook, content types)
    with CaptureQueriesContext(connection) as small:
        assert api("national", "/members").status_code == 200
    for i in range(30):
        make_person(org.units["north_b_1"], f"Extra{i}", "Person")
    with CaptureQueriesContext(connection) as large:
        body = api("national", "/members").json()
    assert len(body["items"]) == 38
    assert len(large) == len(small) <= 12, [q["sql"] for q in large.captured_queries]


def test_record_query_count_is_bounded(org, api):
    api("secretary", f"/members/{org.people['member'].pk}")
    with CaptureQueriesContext(connection) as queries:
        assert api("secretary", f"/members/{org.people['member'].pk}").status_code == 200
    assert len(queries) <= 20, [q["sql"] for q in queries.captured_queries]
