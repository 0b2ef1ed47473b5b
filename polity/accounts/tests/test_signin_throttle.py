"""The password sign-in throttle: by account and by client address, with a message, an audit event, a reset
on success and an end when the window ends."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from conftest import PASSWORD
from polity.accounts.throttle import client_address, limits
from polity.audit.models import Event

WRONG = "not-the-password"


def sign_in(client, username: str, password: str, address: str = "192.0.2.1"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, org):
    statuses = [sign_in(client, "member", WRONG).status_code for _ in range(30)]
    assert statuses[:10] == [200] * 10  # the form says the password is wrong
    assert set(statuses[10:]) == {429}  # from then on the password is not even checked

    response = sign_in(client, "member", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()

    events = list(Event.objects.filter(verb="account.signin_throttle"))
    assert len(events) == 1  # once when the pause starts, not once per refused attempt
    assert events[0].subject_ids == [org.people["member"].pk]
    assert events[0].details["by"] == ["account"]


def test_the_pause_is_per_account_from_any_address(client, org):
    for _ in range(10):
        sign_in(client, "member", WRONG, "192.0.2.1")
    assert sign_in(client, "member", PASSWORD, "198.51.100.7").status_code == 429
    assert not signed_in(client)


def test_other_accounts_from_another_address_are_unaffected(client, org):
    for _ in range(30):
        sign_in(client, "member", WRONG, "192.0.2.1")
    response = sign_in(client, "secretary", PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert signed_in(client)


def test_the_username_case_does_not_buy_fresh_tries(client, org):
    for name in ["member", "Member", "MEMBER", " member"] * 3:
        sign_in(client, name, WRONG)
    assert sign_in(client, "member", PASSWORD, "198.51.100.7").status_code == 429


def test_an_address_is_paused_after_its_own_limit_across_accounts(client, org, settings):
    settings.POLITY_SIGNIN_MAX_FAILURES_PER_ADDRESS = 6
    for i in range(6):  # a different (even unknown) account each time: no account reaches its limit
        sign_in(client, f"guess{i}", WRONG, "203.0.113.5")
    assert sign_in(client, "member2", PASSWORD, "203.0.113.5").status_code == 429
    assert sign_in(client, "member2", PASSWORD, "198.51.100.7").status_code == 302
    event = Event.objects.get(verb="account.signin_throttle")
    assert event.details["by"] == ["address"] and event.details["address"] == "203.0.113.5"
    assert event.subject_ids == []  # guess5 is nobody


def test_a_right_password_starts_the_account_count_again_but_not_the_address_count(client, org, settings):
    settings.POLITY_SIGNIN_MAX_FAILURES_PER_ADDRESS = 25
    for _ in range(9):
        sign_in(client, "member", WRONG)
    assert sign_in(client, "member", PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        sign_in(client, "member", WRONG)
    assert sign_in(client, "member", PASSWORD).status_code == 302  # 9 + 9 wrong, but the count restarted
    client.logout()
    for _ in range(7):  # 25 failures from this address in all: the address is paused, success or not
        sign_in(client, "member2", WRONG)
    assert sign_in(client, "member", PASSWORD).status_code == 429


def test_after_the_window_signing_in_works_again(client, org, settings):
    settings.POLITY_SIGNIN_THROTTLE_SECONDS = 1
    for _ in range(10):
        sign_in(client, "member", WRONG)
    assert sign_in(client, "member", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert sign_in(client, "member", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_limits_come_from_settings_and_are_checked(settings):
    settings.POLITY_SIGNIN_MAX_FAILURES_PER_ACCOUNT = 3
    assert limits().per_account == 3
    settings.POLITY_SIGNIN_MAX_FAILURES_PER_ACCOUNT = 0
    with pytest.raises(ImproperlyConfigured):
        limits()


def test_the_client_address_behind_a_proxy_is_the_entry_the_proxy_added(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44")
    assert client_address(request) == "10.0.0.1"
    settings.POLITY_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_address(request) == "192.0.2.44"  # the client can forge the left entries, not this one
