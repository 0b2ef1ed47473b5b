"""Signed-in web clients and API callers for the personas, and the memory outbox for the emails sent."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def sent() -> Iterator[Any]:
    from polity.outbox.transports import memory_outbox

    memory_outbox.clear()
    yield memory_outbox
    memory_outbox.clear()


def deliver() -> None:
    """Let the outbox send what is queued, as its worker would."""
    from polity.outbox import delivery

    delivery.deliver_due()


@pytest.fixture
def login(org) -> Callable[..., Client]:  # type: ignore[no-untyped-def]
    def sign_in(name: str) -> Client:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        client = Client()
        user = org.users[name]
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in


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
