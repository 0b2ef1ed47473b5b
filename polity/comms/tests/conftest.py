"""Fixtures of the comms tests: delegates and consent records (mail and signed-in clients: the root conftest)."""

from __future__ import annotations

import pytest


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
