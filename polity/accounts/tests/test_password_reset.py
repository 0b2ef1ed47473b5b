"""Forgotten passwords: Django's reset flow through a real SMTP server (aiosmtpd), the same answer for known
and unknown addresses, the link sent by the task worker (the request never waits on the mail server), limits
per address typed and per client address, the access log, and the second factor still asked after a reset."""

from __future__ import annotations

import email
import re
from email.policy import default

import pytest
from django.urls import reverse

from polity.audit.models import Event
from polity.outbox.models import Dispatch
from polity.outbox.tests.helpers import Sink, start_smtp

NEW = "a-fresh-long-passphrase-42"


@pytest.fixture
def smtp(settings):
    handler = Sink()
    controller = start_smtp(handler)
    settings.POLITY_EMAIL_URL = f"smtp://127.0.0.1:{controller.port}"  # the outbox's transport
    yield handler
    controller.stop()


def _ask(client, address: str, ip: str = "192.0.2.7"):  # type: ignore[no-untyped-def]
    """Ask for a link; the (immediate) task queues it in the outbox, whose delivery then runs as a worker's."""
    from polity.outbox import delivery

    response = client.post(reverse("accounts:password_reset"), {"email": address}, REMOTE_ADDR=ip)
    delivery.deliver_due()
    return response


def _link(handler: Sink) -> str:
    message = email.message_from_bytes(handler.messages[-1][2], policy=default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://[^\s]+/accounts/password/new/[^\s]+/", text).group(0)


def test_a_member_resets_by_email_and_signs_in(client, org, smtp):
    member = org.people["member"]  # the account has no address of its own: the register's is used
    r = _ask(client, member.email.upper())
    assert r.status_code == 302 and r["Location"] == reverse("accounts:password_reset_done")
    assert [to for _f, to, _raw in smtp.messages] == [[member.email]]
    message = email.message_from_bytes(smtp.messages[0][2], policy=default)
    assert message["Subject"] == "Choose a new password for Polity"
    link = _link(smtp)
    path = link.split("testserver", 1)[-1]
    form = client.get(path, follow=True)
    assert b"Choose a new password" in form.content
    r = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:password_reset_complete")
    assert client.login(username="member", password=NEW)
    assert Event.objects.filter(verb="account.password_reset_request", subjects=str(member.pk)).exists()
    assert Event.objects.filter(verb="account.password_reset", subjects=str(member.pk)).exists()
    # the link works once
    assert b"This link no longer works" in client.get(path, follow=True).content


def test_unknown_and_known_addresses_get_the_same_answer(client, org, smtp):
    known = _ask(client, org.people["member"].email)
    unknown = _ask(client, "nobody-here@example.invalid")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(smtp.messages) == 1
    done = client.get(reverse("accounts:password_reset_done")).content.decode()
    assert "If an account has the address you typed" in done


def test_requests_are_limited_per_address_typed_and_per_client(client, org, smtp, settings):
    settings.POLITY_RESET_MAX_PER_EMAIL = 2
    settings.POLITY_RESET_MAX_PER_ADDRESS = 4
    member = org.people["member"]
    assert [_ask(client, member.email, ip=f"192.0.2.{i}").status_code for i in range(3)] == [302, 302, 429]
    assert len(smtp.messages) == 2
    refused = _ask(client, member.email, ip="192.0.2.50")
    assert "Too many requests" in refused.content.decode()
    # unknown addresses count the same: the limit tells nothing about who has an account
    statuses = [_ask(client, f"nobody{i}@example.invalid", ip="198.51.100.1").status_code for i in range(5)]
    assert statuses == [302, 302, 302, 302, 429]
    assert _ask(client, "nobody9@example.invalid", ip="198.51.100.2").status_code == 302


def test_an_officer_still_passes_the_second_step_after_a_reset(client, org, smtp):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=org.users["secretary"], name="phone", confirmed=True)
    _ask(client, org.people["secretary"].email)
    form = client.get(_link(smtp).split("testserver", 1)[-1], follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert TOTPDevice.objects.filter(user=org.users["secretary"]).exists()  # devices are kept
    r = client.post(reverse("accounts:login"), {"username": "secretary", "password": NEW})
    assert r.status_code == 302
    assert client.get(reverse("web:members")).url.startswith(reverse("accounts:verify"))


def test_an_account_without_a_usable_password_gets_nothing(client, org, smtp):
    user = org.users["member2"]
    user.set_unusable_password()
    user.save()
    assert _ask(client, org.people["member2"].email).status_code == 302
    assert smtp.messages == []


def test_the_sign_in_page_links_the_reset_and_the_public_complaint_form(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in page and reverse("cases:complain") in page


class GatedSink(Sink):
    """A mail server that holds every message until the test opens the gate (a server that is slow or down)."""

    def __init__(self) -> None:
        import threading

        super().__init__()
        self.gate = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        import asyncio

        await asyncio.get_running_loop().run_in_executor(None, self.gate.wait, 60)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.django_db(transaction=True)
def test_the_request_does_not_wait_on_the_mail_server_the_worker_sends(client, org, settings):
    """With real database-backed tasks: the answer comes while the mail server holds everything, for a known
    address as for an unknown one, and the request made nothing but one queued task each; then `polity worker`
    (db_worker) queues the link in the outbox and delivers it over SMTP."""
    import time

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    handler = GatedSink()
    controller = start_smtp(handler)
    settings.POLITY_EMAIL_URL = f"smtp://127.0.0.1:{controller.port}"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    try:
        member = org.people["member"]
        started = time.monotonic()
        known = client.post(reverse("accounts:password_reset"), {"email": member.email})
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody-here@example.invalid"})
        took = time.monotonic() - started
        assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
        assert took < 10  # the outbox's SMTP timeout: a request that tried to send would have waited for it
        assert handler.messages == [] and not Dispatch.objects.exists()
        assert DBTaskResult.objects.filter(task_path__endswith="password_reset_send").count() == 2
        handler.gate.set()
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert [to for _f, to, _raw in handler.messages] == [[member.email]]
        assert "/accounts/password/new/" in _link(handler)
        assert (
            Event.objects.filter(verb="account.password_reset_request", subjects=str(member.pk)).count() == 1
        )
        # The outbox kept no address, and forgot the link once it was sent.
        dispatch = Dispatch.objects.get(source_type="accounts.user")
        assert (
            member.email not in str(dispatch.context) + dispatch.body
            and "secret_link" not in dispatch.context
        )
    finally:
        handler.gate.set()
        controller.stop()
