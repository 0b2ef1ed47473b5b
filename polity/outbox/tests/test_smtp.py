"""The SMTP transport against a real aiosmtpd server on loopback, and the local mail catcher."""

from __future__ import annotations

import email
from email.policy import default

import pytest

from polity.common.actor import Actor
from polity.outbox import delivery
from polity.outbox.catcher import CatchingHandler, catcher_address
from polity.outbox.models import CaughtMail, OutboxEntry
from polity.outbox.selectors import dispatch_counts
from polity.outbox.services import dispatch_create
from polity.outbox.tests.helpers import Sink, free_port, start_smtp


def _governance(people):
    return dispatch_create(
        actor=Actor.system(),
        purpose="governance",
        channel="email",
        subject="Notice of meeting",
        body="Dear {{ first_name }}, the committee meets on Monday.",
        person_ids=[p.pk for p in people],
        source_type="test",
        source_id=1,
    )


@pytest.fixture
def sink(settings):
    handler = Sink()
    controller = start_smtp(handler)
    settings.POLITY_EMAIL_URL = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()


@pytest.mark.django_db
def test_one_connection_carries_the_whole_run(org, sink):
    people = list(org.people.values())
    dispatch = _governance(people)
    report, _ = delivery.deliver_due(limit=3)  # several batches, still one connection
    assert report.batches == 3 and report.sent == len(people)
    assert len(sink.messages) == len(people)
    assert len(sink.peers) == 1
    ids = {email.message_from_bytes(raw, policy=default)["Message-ID"] for _f, _r, raw in sink.messages}
    assert ids == {e.message_id for e in OutboxEntry.objects.filter(dispatch=dispatch)}
    msg = email.message_from_bytes(sink.messages[0][2], policy=default)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/outbox/unsubscribe/")


@pytest.mark.django_db
def test_4xx_is_retried_5xx_fails(org, sink, settings):
    settings.POLITY_OUTBOX = {"BACKOFF_BASE_SECONDS": 30}
    member, member2, outsider = org.people["member"], org.people["member2"], org.people["outsider"]
    sink.answers = {member.email: "451 4.3.0 try later", member2.email: "550 5.1.1 no such user"}
    dispatch = _governance([member, member2, outsider])
    delivery.deliver_due()
    rows = {
        p: (s, e)
        for p, s, e in OutboxEntry.objects.filter(dispatch=dispatch).values_list(
            "person_id", "state", "last_error"
        )
    }
    assert rows[member.pk] == ("queued", "451 recipient refused")
    assert rows[member2.pk] == ("failed", "550 recipient refused")
    assert rows[outsider.pk] == ("sent", "")
    assert [r for _f, r, _raw in sink.messages] == [[outsider.email]]  # the connection survived the refusals


@pytest.mark.django_db
def test_connection_refused_is_temporary_for_the_whole_batch(org, settings):
    settings.POLITY_EMAIL_URL = f"smtp://127.0.0.1:{free_port()}"
    dispatch = _governance([org.people["member"], org.people["member2"]])
    report, _ = delivery.deliver_due()
    assert report.retried == 2
    assert dispatch_counts(dispatch)["queued"] == 2
    assert set(OutboxEntry.objects.filter(dispatch=dispatch).values_list("last_error", flat=True)) <= {
        "ConnectionRefusedError",
        "connection unavailable",
    }


@pytest.mark.django_db(transaction=True)
def test_the_mail_catcher_keeps_what_was_sent_and_shows_it_to_operators_only(org, settings, login, client):
    controller = start_smtp(CatchingHandler())
    try:
        settings.POLITY_EMAIL_URL = f"smtp://127.0.0.1:{controller.port}"
        assert catcher_address() == ("127.0.0.1", controller.port)
        _governance([org.people["member"]])
        delivery.deliver_due()
    finally:
        controller.stop()
    [mail] = CaughtMail.objects.all()
    assert mail.rcpt_to == [org.people["member"].email]
    assert mail.subject == "Notice of meeting"
    assert mail.message_id.startswith("<") and "polity@" in mail.message_id

    from django_otp import DEVICE_ID_SESSION_KEY

    from polity.accounts.models import User
    from polity.web.tests.conftest import verified_device

    settings.DEBUG = True  # as under `make run`: still operators only
    assert login("member").get("/outbox/caught/").status_code == 404
    assert login("dpo").get("/outbox/caught/").status_code == 404
    root = User.objects.create_superuser("root", "root@example.invalid", "x-pass-1234")
    client.force_login(root)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(root).persistent_id
    session.save()
    page = client.get("/outbox/caught/")
    assert page.status_code == 200 and b"Notice of meeting" in page.content
    assert client.get(f"/outbox/caught/{mail.pk}/").status_code == 200
    settings.DEBUG, settings.POLITY_DEMO = (
        False,
        True,
    )  # the local demo `polity run` serves: operators only too
    assert login("member").get("/outbox/caught/").status_code == 404
    client.force_login(root)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(root).persistent_id
    session.save()
    assert client.get("/outbox/caught/").status_code == 200
    client.logout()
    assert client.get("/outbox/caught/").status_code == 302  # sign in first


def test_catcher_only_for_plain_smtp_on_this_machine(settings):
    settings.POLITY_EMAIL_URL = "smtp://user:pw@mail.example.org:587?starttls=1"
    assert catcher_address() is None
    settings.POLITY_EMAIL_URL = "memory://"
    assert catcher_address() is None
    settings.POLITY_EMAIL_URL = "smtp://localhost:2525"
    assert catcher_address() == ("localhost", 2525)


@pytest.mark.django_db
def test_a_malformed_address_fails_alone_and_the_batch_goes_on(org, sink):
    from polity.members.models import Person

    member, member2 = org.people["member"], org.people["member2"]
    Person.objects.filter(pk=member.pk).update(email="mina@example.invalid\r\nBcc: x@evil.invalid")
    Person.objects.filter(pk=member2.pk).update(email="milö@exämple.invalid")
    dispatch = _governance([member, member2, org.people["outsider"]])
    delivery.deliver_due()
    rows = dict(OutboxEntry.objects.filter(dispatch=dispatch).values_list("person_id", "state"))
    assert rows == {member.pk: "failed", member2.pk: "failed", org.people["outsider"].pk: "sent"}
    assert len(sink.messages) == 1
    assert b"evil" not in sink.messages[0][2]
