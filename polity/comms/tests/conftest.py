"""Fixtures of the comms tests: mail kept in memory, signed-in clients with a second factor, delegates."""

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
def delegates(org):  # type: ignore[no-untyped-def]
    """member and member2 sit on North A's general committee as delegates."""
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    for name in ("member", "member2"):
        office_appoint(
            actor=Actor.system(),
            person=org.people[name],
            office="delegate",
            unit=org.units["north_a"],
            body=org.units["north_a_gc"],
        )
    return [org.people["member"], org.people["member2"]]


def consent(person, purpose: str = "campaigning", channel: str = "email", action: str = "given"):  # type: ignore[no-untyped-def]
    from polity.common.actor import Actor
    from polity.consent.services import consent_record

    actor = Actor(user_id=None, person_id=person.pk, label="member")
    return consent_record(
        actor=actor, person=person, purpose=purpose, channel=channel, action=action, method="web_form"
    )
