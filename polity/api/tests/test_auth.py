"""Bearer tokens: only a live token of an active account gets in; everything else is 401."""

from __future__ import annotations

import pytest

from polity.accounts.models import ApiToken
from polity.accounts.tokens import token_revoke
from polity.api.errors import UNAUTHORISED
from polity.common.actor import Actor

PATHS = ["/units", "/members", "/members/1", "/me", "/me/access-log"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer pol_not-a-real-token",
        "Bearer not-even-our-prefix",
        "Basic c2VjcmV0YXJ5OnBvbGl0eQ==",
        "Token pol_x",
    ],
)
def test_anonymous_and_bad_tokens_get_401(client, org, path, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get(f"/api/v1{path}", headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORISED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_session_is_not_enough(client, org):
    """The API takes bearer tokens only: a signed-in browser (maybe without 2FA) gets nothing."""
    client.force_login(org.users["secretary"])
    assert client.get("/api/v1/members").status_code == 401


def test_revoked_token_gets_401(client, org, tokens):
    headers = {"Authorization": f"Bearer {tokens['secretary']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = ApiToken.objects.get(digest=ApiToken.digest_of(tokens["secretary"]))
    token_revoke(actor=Actor.system(), token_id=token.pk, reason="left office")
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORISED


def test_deactivated_account_gets_401(client, org, tokens):
    user = org.users["secretary"]
    user.is_active = False
    user.save()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['secretary']}"})
    assert response.status_code == 401


def test_token_use_is_recorded_on_the_token(client, org, tokens):
    token = ApiToken.objects.get(digest=ApiToken.digest_of(tokens["member"]))
    assert token.last_used_at is None
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['member']}"})
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_lowercase_scheme_is_accepted(client, org, tokens):
    response = client.get("/api/v1/me", headers={"Authorization": f"bearer {tokens['member']}"})
    assert response.status_code == 200


def _operations() -> list[tuple[str, str]]:
    import re

    from polity.api.urls import api

    schema = api.get_openapi_schema()
    found = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return sorted(found)


# Public on purpose: the transparency statistics, which carry no personal data (docs/transparency.md).
PUBLIC = {
    ("GET", "/api/v1/statistics"),
    ("GET", "/api/v1/statistics/series"),
    ("GET", "/api/v1/statistics/reports"),
    ("GET", "/api/v1/statistics/reports/1"),
}
OPERATIONS = [op for op in _operations() if op not in PUBLIC]


def test_the_walk_sees_the_whole_api():
    assert {("GET", "/api/v1/members/1"), ("GET", "/api/v1/me/access-log")} <= set(OPERATIONS)


@pytest.mark.parametrize(("method", "url"), OPERATIONS, ids=[f"{m} {u}" for m, u in OPERATIONS])
def test_every_api_operation_refuses_anonymous_callers(client, org, method, url):
    """Every operation any app adds to the API answers 401 without a token, and records nothing."""
    from polity.audit.models import Event

    before = Event.objects.count()
    response = client.generic(method, url, data="{}", content_type="application/json")
    assert response.status_code == 401, (method, url, response.content[:200])
    assert response.json() == UNAUTHORISED
    assert Event.objects.count() == before


@pytest.mark.parametrize(("method", "url"), sorted(PUBLIC))
def test_the_public_operations_answer_without_a_token_and_record_nothing(client, org, method, url):
    from polity.audit.models import Event

    assert (method, url) in set(_operations())
    before = Event.objects.count()
    response = client.generic(method, url)
    assert response.status_code in {200, 404}, (method, url, response.content[:200])
    assert Event.objects.count() == before
