"""A token made with a password alone stops working when its account comes to need a second factor.

Whoever has a member's password can make a token on /me/tokens/; without this rule that token would read
the register the day the member is appointed. Such a token stays refused after the account enrols: the
owner makes a new one from a session that passed the second factor (or an operator makes one).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from polity.access.services import grant_give, office_appoint
from polity.accounts.enrolment import enrolment_code_issue
from polity.accounts.models import ApiToken
from polity.accounts.tests.test_enrolment import app_code, password_login
from polity.accounts.tests.test_self_enrolled import self_enrol
from polity.accounts.tokens import TOKEN_NEEDS_SECOND_FACTOR, token_create
from polity.audit.models import Event
from polity.common.actor import Actor

SYSTEM = Actor.system("test")


def make_token_on_the_page(client) -> str:  # type: ignore[no-untyped-def]
    response = client.post(reverse("web:tokens"), {"name": "script"})
    assert response.status_code == 200, response
    raw = response.context["created"]
    assert raw and raw.startswith("pol_")
    return raw  # type: ignore[no-any-return]


def call(client, token: str, path: str = "/me"):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})


def give_access(org, how: str) -> None:  # type: ignore[no-untyped-def]
    if how == "office":
        office_appoint(
            actor=SYSTEM, person=org.people["member"], office="secretary", unit=org.units["north_a_1"]
        )
    else:
        grant_give(
            actor=SYSTEM,
            person=org.people["member"],
            permissions=["members.view"],
            unit=org.units["north_a"],
            purpose="checking the branch's register",
            expires_at=timezone.now() + timedelta(days=30),
        )


def enrol_with_a_code(client, org) -> None:  # type: ignore[no-untyped-def]
    """The officer enrols an app with a code an operator gave them; the session is then verified."""
    _row, code = enrolment_code_issue(actor=SYSTEM, user=org.users["member"])
    assert client.post(reverse("accounts:enrol"), {"code": code})["Location"] == reverse("accounts:setup")
    device = TOTPDevice.objects.get(user=org.users["member"], confirmed=False)
    assert (
        client.post(
            reverse("accounts:setup"), {"device_id": device.pk, "token": app_code(device)}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("how", ["grant", "office"])
def test_a_password_only_token_is_refused_once_the_account_needs_a_second_factor(client, org, how):
    password_login(client, "member")
    old = make_token_on_the_page(client)
    assert not ApiToken.objects.get(digest=ApiToken.digest_of(old)).issued_with_second_factor
    assert call(client, old).status_code == 200  # a member who needs no second factor uses it freely
    assert call(client, old, "/members").json()["items"] == []

    give_access(org, how)
    before = Event.objects.count()
    refused = call(client, old, "/members")
    assert refused.status_code == 401
    assert refused.json() == {"detail": TOKEN_NEEDS_SECOND_FACTOR}
    assert "second factor" in refused.json()["detail"]
    assert 'error="invalid_token"' in refused["WWW-Authenticate"]
    assert Event.objects.count() == before  # nothing was read

    # the page says so, and does not let the password-only session make a new one
    assert client.get(reverse("web:tokens"))["Location"].startswith(reverse("accounts:verify"))

    enrol_with_a_code(client, org)
    assert call(client, old, "/members").status_code == 401  # enrolling does not revive the old token
    page = client.get(reverse("web:tokens"))
    assert b"Refused: it was created without a second factor" in page.content

    new = make_token_on_the_page(client)
    assert ApiToken.objects.get(digest=ApiToken.digest_of(new)).issued_with_second_factor
    listed = call(client, new, "/members")
    assert listed.status_code == 200
    assert listed.json()["items"]  # the register in the new scope
    assert call(client, old).status_code == 401


def test_a_token_made_from_a_self_enrolled_session_is_refused_after_an_appointment(client, org):
    """A session verified by an app the member set up with the password alone vouches for nothing."""
    self_enrol(client, org)
    token = make_token_on_the_page(client)
    assert not ApiToken.objects.get(digest=ApiToken.digest_of(token)).issued_with_second_factor
    assert call(client, token).status_code == 200
    give_access(org, "office")
    assert call(client, token).status_code == 401


def test_a_token_an_operator_made_keeps_working_after_an_appointment(client, org):
    row, raw = token_create(actor=SYSTEM, user=org.users["member"], name="handed over in person")
    assert row.issued_with_second_factor
    give_access(org, "office")
    assert call(client, raw, "/members").status_code == 200


def test_officers_tokens_from_a_verified_session_work(client, org, login):
    login("secretary")
    raw = make_token_on_the_page(client)
    assert call(client, raw, "/members").status_code == 200


def test_the_creation_records_whether_a_second_factor_vouched_for_the_token(client, org):
    password_login(client, "member")
    make_token_on_the_page(client)
    event = Event.objects.filter(verb="token.create").latest("id")
    assert event.details["issued_with_second_factor"] is False
