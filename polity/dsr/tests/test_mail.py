"""Every message about a data protection request goes through the outbox, over real SMTP (aiosmtpd): to a
member as that person, to anyone else at the address on their request (asked when sent); links are
forgotten once sent; without a mail server the message waits in the queue."""

from __future__ import annotations

import email
import re
from datetime import date
from email.policy import default

import pytest
from django.utils import timezone

from polity.consent.checks import address_permitted
from polity.dsr.mail import PENDING_SOURCE_TYPE, SOURCE_TYPE
from polity.dsr.services import (
    package_send,
    request_extend,
    request_public_start,
    request_record,
    request_submit_own,
)
from polity.outbox.delivery import deliver_due
from polity.outbox.models import Dispatch, OutboxEntry, State
from polity.outbox.tests.helpers import Sink, free_port, start_smtp


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    handler = Sink()
    controller = start_smtp(handler)
    handler.url = f"smtp://127.0.0.1:{controller.port}"  # type: ignore[attr-defined]
    settings.POLITY_EMAIL_URL = handler.url  # type: ignore[attr-defined]
    yield handler
    controller.stop()


def _mail(sink: Sink, n: int = -1) -> email.message.EmailMessage:
    return email.message_from_bytes(sink.messages[n][2], policy=default)  # type: ignore[return-value]


def _letter(org, **extra):  # type: ignore[no-untyped-def]
    return request_record(
        actor=org.actor("dpo"), kind="access", channel="email", received_on=date(2027, 3, 1),
        requester_name="Siobhán Ó Briain", requester_email="siobhan@example.invalid", **extra,
    )  # fmt: skip


def test_a_non_member_s_acknowledgement_and_extension_go_through_the_outbox(
    org, today, smtp, django_capture_on_commit_callbacks
):
    today.set(date(2027, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        request = _letter(org)
    dispatch = Dispatch.objects.get(source_type=SOURCE_TYPE, source_id=str(request.pk))
    assert dispatch.to_source and dispatch.purpose == "statutory"
    assert OutboxEntry.objects.get(dispatch=dispatch).state == State.SENT
    [(_from, rcpt, _raw)] = smtp.messages
    assert rcpt == ["siobhan@example.invalid"]
    msg = _mail(smtp)
    assert request.reference in msg["Subject"] and msg["List-Unsubscribe"] is None
    assert "siobhan@example.invalid" not in dispatch.body + str(dispatch.context)  # no address in the outbox
    with django_capture_on_commit_callbacks(execute=True):
        request_extend(
            actor=org.actor("dpo"), request=request, to=date(2027, 5, 1), reasons="Many {{ records }} to read"
        )
    assert len(smtp.messages) == 2
    assert "Many { { records } } to read" in _mail(smtp).get_content()  # typed text is never a template


def test_the_public_form_s_link_is_sent_then_forgotten(org, today, smtp, django_capture_on_commit_callbacks):
    today.set(date(2027, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        pending = request_public_start(kind="erasure", name="Zoë Nobody", email="zoe@example.invalid")
    dispatch = Dispatch.objects.get(source_type=PENDING_SOURCE_TYPE, source_id=str(pending.pk))
    link = re.search(r"/data/request/confirm/([^/\s]+)/", _mail(smtp).get_content())
    assert link is not None and smtp.messages[0][1] == ["zoe@example.invalid"]
    dispatch.refresh_from_db()
    assert link.group(1) not in dispatch.body and dispatch.context == {}  # the link is in no stored text


def test_a_member_s_package_link_goes_to_them_as_a_person_and_is_forgotten(
    org, today, smtp, django_capture_on_commit_callbacks
):
    today.set(date(2027, 1, 10))
    member = org.people["member"]
    with django_capture_on_commit_callbacks(execute=True):
        asked = request_submit_own(actor=org.actor("member"), kind="access")
    with django_capture_on_commit_callbacks(execute=True):
        _delivery, token = package_send(actor=org.actor("dpo"), request=asked)
    assert [r for _f, r, _raw in smtp.messages] == [[member.email], [member.email]]
    assert f"/data/download/{token}/" in _mail(smtp).get_content()
    sent = Dispatch.objects.filter(source_type=SOURCE_TYPE, source_id=str(asked.pk)).order_by("pk").last()
    assert not sent.to_source and token not in sent.body and "secret_link" not in sent.context
    assert OutboxEntry.objects.get(dispatch=sent).person_id == member.pk


def test_without_a_mail_server_the_message_waits_in_the_queue(
    org, today, settings, django_capture_on_commit_callbacks
):
    settings.POLITY_EMAIL_URL = f"smtp://127.0.0.1:{free_port()}"  # nobody listens: as `polity demo` alone
    today.set(date(2027, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        request = _letter(org)
    entry = OutboxEntry.objects.get(dispatch__source_type=SOURCE_TYPE, dispatch__source_id=str(request.pk))
    assert entry.state == State.QUEUED and entry.attempts == 1 and entry.last_error


def test_an_address_gone_before_sending_is_never_written_to(
    org, today, smtp, settings, django_capture_on_commit_callbacks
):
    from polity.dsr.models import PendingRequest

    today.set(date(2027, 3, 2))
    settings.POLITY_EMAIL_URL = f"smtp://127.0.0.1:{free_port()}"
    with django_capture_on_commit_callbacks(execute=True):
        pending = request_public_start(kind="access", name="Gone Soon", email="gone@example.invalid")
    PendingRequest.objects.filter(pk=pending.pk).delete()  # its record (and so its address) is gone
    settings.POLITY_EMAIL_URL = smtp.url
    today.set(date(2027, 3, 3))
    deliver_due()
    entry = OutboxEntry.objects.get(dispatch__source_type=PENDING_SOURCE_TYPE)
    assert (entry.state, entry.skip_reason) == (State.SKIPPED, "no address") and smtp.messages == []
    assert Dispatch.objects.get(pk=entry.dispatch_id).context == {}  # its link forgotten too


def test_an_address_without_a_person_takes_only_notices_that_need_no_consent(org):
    from polity.consent.addresses import address_hash
    from polity.consent.models import Suppression

    assert address_permitted(address="a@example.invalid", purpose="statutory", channel="email") == (
        True,
        "ok",
    )
    assert address_permitted(address="a@example.invalid", purpose="campaigning", channel="email") == (
        False,
        "no consent",
    )
    assert address_permitted(address="", purpose="statutory", channel="email") == (False, "no address")
    Suppression.objects.create(
        kind="email", address_hash=address_hash("email", "A@example.invalid"), scope="all", reason="bounced",
        created_at=timezone.now(), created_by_label="test",
    )  # fmt: skip
    assert address_permitted(address="a@example.invalid", purpose="statutory", channel="email") == (
        False,
        "suppressed",
    )
