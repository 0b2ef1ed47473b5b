"""Case personas on top of the shared `org`: a complaints officer for the North, disputes panels in the North
and nationally, an investigator, and helpers to deliver notices and move the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from conftest import make_person


@dataclass
class CaseOrg:
    org: object
    people: dict
    bodies: dict

    def actor(self, name):
        from polity.common.actor import Actor

        if name in self.org.users:
            return self.org.actor(name)
        return Actor(user_id=None, person_id=self.people[name].pk, label=name)

    def person(self, name):
        return self.people.get(name) or self.org.people[name]


@pytest.fixture
def cases(org, settings, tmp_path):
    from django.core.cache import cache

    from polity.access.services import office_appoint
    from polity.common.actor import Actor
    from polity.org.services import body_create

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()  # the statistics page caches its figures for a minute
    system = Actor.system()
    u = org.units
    bodies = {
        "north_panel": body_create(actor=system, unit=u["north"], kind="disputes_panel"),
        "national_panel": body_create(actor=system, unit=u["national"], kind="disputes_panel"),
        "north_a_exec": body_create(actor=system, unit=u["north_a"], kind="executive_committee"),
    }
    people = {
        "handler": make_person(u["north_a_1"], "Hana", "Handler"),
        "natteam": make_person(u["south_a_1"], "Nat", "Team"),
        "panel1": make_person(u["north_b_1"], "Pat", "Panel"),
        "panel2": make_person(u["north_b_1"], "Pip", "Panel"),
        "appeal1": make_person(u["south_a_1"], "Ada", "Appeal"),
        "investigator": make_person(u["north_b_1"], "Ivo", "Investigator"),
        "exec1": make_person(u["north_a_1"], "Eve", "Exec"),
        "exec2": make_person(u["north_a_2"], "Ezra", "Exec"),
    }
    office_appoint(actor=system, person=people["handler"], office="complaints_officer", unit=u["north"])
    office_appoint(actor=system, person=people["natteam"], office="complaints_officer", unit=u["national"])
    for name in ("panel1", "panel2"):
        office_appoint(
            actor=system,
            person=people[name],
            office="disputes_panel_member",
            unit=u["north"],
            body=bodies["north_panel"],
        )
    office_appoint(
        actor=system,
        person=people["appeal1"],
        office="disputes_panel_member",
        unit=u["national"],
        body=bodies["national_panel"],
    )
    for name in ("exec1", "exec2"):
        office_appoint(
            actor=system,
            person=people[name],
            office="executive_member",
            unit=u["north_a"],
            body=bodies["north_a_exec"],
        )
    return CaseOrg(org=org, people=people, bodies=bodies)


@pytest.fixture
def call(client, cases):
    """Call the API as one of the personas (a token made on first use)."""
    from polity.accounts.models import User
    from polity.accounts.tokens import token_create
    from polity.common.actor import Actor

    tokens = {}

    def token(who):
        if who not in tokens:
            user = cases.org.users.get(who)
            if user is None:
                user = User.objects.create_user(username=who, password="x-" * 8, person=cases.person(who))
            tokens[who] = token_create(actor=Actor.system(), user=user, name="test")[1]
        return tokens[who]

    def do(who, method, path, data=None):
        headers = {"Authorization": f"Bearer {token(who)}"}
        if method == "get":
            return client.get(f"/api/v1{path}", data or {}, headers=headers)
        return client.post(f"/api/v1{path}", data or {}, content_type="application/json", headers=headers)

    return do


@pytest.fixture
def login(cases, client):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.accounts.models import User

    def sign_in(name):
        user = cases.org.users.get(name) or User.objects.filter(username=name).first()
        if user is None:
            user = User.objects.create_user(username=name, password="x-" * 8, person=cases.person(name))
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in


def evidence_file(text: str = "minutes of the meeting", name: str = "minutes.txt"):
    return ContentFile(text.encode(), name=name)


def deliver_all(case) -> int:
    """Let the outbox send every queued notice of the case (as its worker would)."""
    from polity.cases.models import Notice
    from polity.outbox.models import OutboxEntry, State

    dispatches = Notice.objects.filter(case=case, delivered_at__isnull=True).values_list(
        "dispatch_id", flat=True
    )
    return OutboxEntry.objects.filter(dispatch_id__in=list(dispatches), state=State.QUEUED).update(
        state=State.SENT, sent_at=timezone.now()
    )


def age_notices(case, days: int) -> None:
    """Pretend the notices were delivered `days` ago (the reply window is computed from delivery)."""
    from polity.cases.models import Notice

    Notice.objects.filter(case=case).update(
        delivered_at=timezone.now() - timedelta(days=days), created_at=timezone.now() - timedelta(days=days)
    )
