"""Exports personas: the shared small party, with a few more members in North A 1 and an audience of the
secretary's constituency."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import make_person


@dataclass
class World:
    org: object
    audience: object
    extra: list


@pytest.fixture
def world(org, settings, tmp_path):  # type: ignore[no-untyped-def]
    from polity.comms.services import audience_create

    settings.MEDIA_ROOT = str(tmp_path / "media")
    extra = [
        make_person(
            org.units["north_a_1"],
            f"Extra{i}",
            f"Person{i:02d}",
            address_line=f"{i + 1} High Street",
            town="Testtown",
            postcode="QA 1AB",
        )
        for i in range(12)
    ]
    audience = audience_create(actor=org.actor("secretary"), unit=org.units["north_a"], name="All of North A")
    return World(org=org, audience=audience, extra=extra)


def give_consent(person, purpose="campaigning", channel="phone"):  # type: ignore[no-untyped-def]
    from polity.common.actor import Actor
    from polity.consent.services import consent_record

    consent_record(
        actor=Actor.system(),
        person=person,
        purpose=purpose,
        channel=channel,
        action="given",
        method="import",
        evidence="test import",
    )
