"""Signed-in test clients for the personas, with or without a verified second factor."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client


def verified_device(user):  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


@pytest.fixture
def login(org, client) -> Callable[..., Client]:  # type: ignore[no-untyped-def]
    """login("secretary") → the test client, now signed in as that persona, second factor verified.

    There is one client: signing in as another persona signs the previous one out.
    """

    def sign_in(name: str, *, verified: bool = True) -> Client:
        from django_otp import DEVICE_ID_SESSION_KEY

        user = org.users[name]
        client.force_login(user)
        if verified:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
            session.save()
        return client

    return sign_in
