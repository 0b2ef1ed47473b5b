from __future__ import annotations

import pytest

from polity.accounts.tokens import token_create
from polity.common.actor import Actor
from polity.web.tests.conftest import login  # noqa: F401


@pytest.fixture
def tokens(org):  # type: ignore[no-untyped-def]
    """A bearer token for every persona."""
    return {
        name: token_create(actor=Actor.system(), user=user, name="test")[1]
        for name, user in org.users.items()
    }


@pytest.fixture
def api(client, tokens):  # type: ignore[no-untyped-def]
    """`api("secretary", "/members")` → the response of GET /api/v1/members with secretary's token."""

    def get(who: str | None, path: str, **params: object):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        return client.get(f"/api/v1{path}", params, headers=headers)

    return get
