"""Fixtures of the outbox tests: mail kept in memory, signed-in clients, consent for a purpose."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client


@pytest.fixture
def sent() -> Iterator[object]:
    from polity.outbox.transports import memory_outbox

    memory_outbox.clear()
    yield memory_outbox
    memory_outbox.clear()


@pytest.fixture
def login(org, client) -> Callable[..., Client]:  # type: ignore[no-untyped-def]
    def sign_in(name: str) -> Client:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        user = org.users[name]
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in
