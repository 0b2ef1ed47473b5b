"""Personas shared by every test: a small party with two regions, and the people of the demo's story.

national  ─ national officer          dpo ─ data protection officer
north (region) ─ regional             south (region)
  north_a (constituency) ─ secretary    south_a (constituency)
    north_a_1 (branch) ─ branchsec, member2   south_a_1 (branch) ─ outsider
    north_a_2 (branch) ─ member
  north_b (constituency)
    north_b_1 (branch)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

import pytest

PASSWORD = "polity-test-pass"
_numbers = itertools.count(1)


@dataclass
class Org:
    units: dict[str, object] = field(default_factory=dict)
    people: dict[str, object] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    terms: dict[str, object] = field(default_factory=dict)

    def actor(self, name: str):  # type: ignore[no-untyped-def]
        from polity.common.actor import Actor

        return Actor.for_user(self.users[name])


def make_person(unit, given: str, family: str, **extra):  # type: ignore[no-untyped-def]
    from polity.common.actor import Actor
    from polity.members.services import member_join

    extra.setdefault("email", f"{given.lower()}.{family.lower()}@example.invalid")
    extra.setdefault("phone", "07700 900" + f"{next(_numbers):03d}")
    extra.setdefault("paid_until", date(2099, 1, 1))
    return member_join(
        actor=Actor.system(),
        home_unit=unit,
        joined_on=date(2020, 1, 1),
        membership_number=f"T{next(_numbers):07d}",
        given_name=given,
        family_name=family,
        **extra,
    )


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Files the tests store go to a temporary directory, never to var/media: the scheduled evidence sweep
    deletes files there that the (test) database does not refer to."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache: the sign-in throttle counts failures there."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def org(db):  # type: ignore[no-untyped-def]
    from polity.access.services import office_appoint
    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.org.services import body_create, unit_create

    system = Actor.system()
    o = Org()
    u = o.units
    u["national"] = unit_create(
        actor=system, name="Demo Party", code="national", level="national", parent=None
    )
    for region in ("north", "south"):
        u[region] = unit_create(
            actor=system, name=region.title(), code=region, level="region", parent=u["national"]
        )
    u["north_a"] = unit_create(
        actor=system, name="North A", code="north-a", level="constituency", parent=u["north"]
    )
    u["north_b"] = unit_create(
        actor=system, name="North B", code="north-b", level="constituency", parent=u["north"]
    )
    u["south_a"] = unit_create(
        actor=system, name="South A", code="south-a", level="constituency", parent=u["south"]
    )
    for parent, branch in (
        ("north_a", "north_a_1"),
        ("north_a", "north_a_2"),
        ("north_b", "north_b_1"),
        ("south_a", "south_a_1"),
    ):
        u[branch] = unit_create(
            actor=system,
            name=branch.replace("_", " ").title(),
            code=branch.replace("_", "-"),
            level="branch",
            parent=u[parent],
        )
    u["north_a_gc"] = body_create(actor=system, unit=u["north_a"], kind="general_committee")

    people = {
        "national": ("north_a_1", "Nora", "National"),
        "regional": ("north_a_1", "Rhys", "Regional"),
        "secretary": ("north_a_2", "Sam", "Secretary"),
        "branchsec": ("north_a_1", "Bea", "Branchsec"),
        "dpo": ("south_a_1", "Dara", "Protection"),
        "member": ("north_a_2", "Mina", "Member"),
        "member2": ("north_a_1", "Milo", "Member"),
        "outsider": ("south_a_1", "Olu", "Outsider"),
    }
    for name, (unit, given, family) in people.items():
        person = make_person(u[unit], given, family)
        o.people[name] = person
        o.users[name] = User.objects.create_user(username=name, password=PASSWORD, person=person)
    offices = {
        "national": ("national_officer", "national"),
        "regional": ("regional_officer", "north"),
        "secretary": ("secretary", "north_a"),
        "branchsec": ("secretary", "north_a_1"),
        "dpo": ("data_protection_officer", "national"),
    }
    for name, (office, unit) in offices.items():
        o.terms[name] = office_appoint(actor=system, person=o.people[name], office=office, unit=u[unit])
    return o


@pytest.fixture
def sent():  # type: ignore[no-untyped-def]
    """The memory outbox, emptied before and after the test: the emails the test's services sent."""
    from polity.outbox.transports import memory_outbox

    memory_outbox.clear()
    yield memory_outbox
    memory_outbox.clear()


@pytest.fixture
def login(org):  # type: ignore[no-untyped-def]
    """login("secretary") → a fresh web client signed in as that persona, its second factor verified."""
    from django.test import Client

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
