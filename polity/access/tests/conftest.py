"""API callers for the personas (signed-in web clients and the memory outbox: the root conftest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


def deliver() -> None:
    """Let the outbox send what is queued, as its worker would."""
    from polity.outbox import delivery

    delivery.deliver_due()


@pytest.fixture
def api(org, client) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """api("secretary", "get" | "post", "/members", body) → the response, with that persona's token."""
    from polity.accounts.tokens import token_create
    from polity.common.actor import Actor

    tokens: dict[str, str] = {}

    def call(who: str, method: str, path: str, body: object = None) -> Any:
        if who not in tokens:
            tokens[who] = token_create(actor=Actor.system(), user=org.users[who], name="t")[1]
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            return client.get(f"/api/v1{path}", headers=headers)
        return client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers
        )

    return call
