"""How messages are signed (From the unit, Reply-To its address) and the test a sender sends to themselves,
both over a real SMTP server (aiosmtpd on loopback)."""

import email
from email.policy import default

import pytest
from django.urls import reverse

from polity.audit.models import Event
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.comms.drafts import message_test_send
from polity.comms.models import Message
from polity.comms.rendering import reply_to_for
from polity.comms.services import audience_create, message_create, message_send, unit_sender_set
from polity.outbox import delivery
from polity.outbox.models import OutboxEntry
from polity.outbox.tests.helpers import Sink, start_smtp


@pytest.fixture
def smtp(settings):
    handler = Sink()
    controller = start_smtp(handler)
    settings.POLITY_EMAIL_URL = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()


def _mails(sink):
    return [(rcpt, email.message_from_bytes(raw, policy=default)) for _f, rcpt, raw in sink.messages]


def _notice(org, **extra):
    audience = audience_create(
        actor=org.actor("secretary"),
        unit=org.units["north_a"],
        name="GC delegates",
        body=org.units["north_a_gc"],
        body_part="delegates",
    )
    return message_create(
        actor=org.actor("secretary"),
        audience=audience,
        purpose="governance",
        channel="email",
        subject="Papers for {{ body_name }}, {{ given_name }}",
        body="Dear {{ given_name }},\nthe papers are ready.\n{{ sender_unit }}",
        **extra,
    )


def test_a_test_goes_to_the_sender_alone_marked_and_uncounted(org, delegates, smtp):
    notice = _notice(org)
    unit_sender_set(
        actor=org.actor("secretary"), unit=org.units["north_a"], reply_to="secretary@north-a.example"
    )
    where = message_test_send(actor=org.actor("secretary"), message=notice)
    assert where == "your email address on the register"
    [(rcpt, mail)] = _mails(smtp)
    assert rcpt == [org.people["secretary"].email]
    assert mail["Subject"].startswith("[Test] Papers for ") and mail["Subject"].endswith(", Sam")
    assert "sent only to you" in mail.get_content() and "Dear Sam," in mail.get_content()
    assert mail["Reply-To"] == "secretary@north-a.example"
    assert mail["From"].startswith("North A <") and "List-Unsubscribe" not in mail
    # Not counted anywhere: no outbox entry, the draft is still a draft with no recipients.
    assert not OutboxEntry.objects.exists()
    assert Message.objects.get().state == "draft" and Message.objects.get().recipients == 0
    assert Event.objects.get(verb="comms.message_test_send").subject_ids == [org.people["secretary"].pk]


def test_a_test_to_another_address_is_refused(org, delegates, smtp, login):
    notice = _notice(org)
    with pytest.raises(InvalidInput, match="only to your own address"):
        message_test_send(actor=org.actor("secretary"), message=notice, to="someone@else.example")
    response = login("secretary").post(
        reverse("comms:message_test", args=[notice.pk]), {"to": "someone@else.example"}
    )
    assert response.status_code == 400
    assert smtp.messages == []


def test_a_test_outside_scope_or_after_sending_is_refused(org, delegates, smtp):
    notice = _notice(org)
    with pytest.raises(NotVisible):
        message_test_send(actor=org.actor("outsider"), message=notice)
    with pytest.raises(NotVisible):
        message_test_send(actor=org.actor("branchsec"), message=notice)
    message_send(actor=org.actor("secretary"), message=notice)
    with pytest.raises(DomainError, match="nothing to test"):
        message_test_send(actor=org.actor("secretary"), message=notice)
    assert smtp.messages == []


def test_the_test_button_on_the_web(org, delegates, smtp, login):
    notice = _notice(org)
    response = login("secretary").post(reverse("comms:message_test", args=[notice.pk]), follow=True)
    assert response.status_code == 200 and "Nobody else received it" in response.text
    assert [rcpt for rcpt, _m in _mails(smtp)] == [[org.people["secretary"].email]]
    assert org.people["secretary"].email not in response.text  # the page names no address


def test_sent_mail_comes_from_the_unit_and_replies_go_to_its_address(org, delegates, smtp):
    unit_sender_set(actor=org.actor("regional"), unit=org.units["north"], reply_to="office@north.example")
    notice = _notice(org)
    message_send(actor=org.actor("secretary"), message=notice)
    delivery.deliver_due()
    mails = _mails(smtp)
    assert sorted(r[0] for r, _m in mails) == sorted(p.email for p in delegates)
    for _rcpt, mail in mails:
        assert mail["From"].startswith("North A <")
        assert mail["Reply-To"] == "office@north.example"  # North A has none: the region's
        assert org.people["secretary"].email not in mail.as_string()


def test_reply_to_comes_from_the_unit_then_above_then_the_setting(org, settings):
    settings.POLITY_REPLY_TO = "replies+{code}@party.example"
    assert reply_to_for(org.units["north_a_1"]) == "replies+north-a-1@party.example"
    unit_sender_set(actor=org.actor("regional"), unit=org.units["north"], reply_to="office@north.example")
    assert reply_to_for(org.units["north_a_1"]) == "office@north.example"
    unit_sender_set(actor=org.actor("branchsec"), unit=org.units["north_a_1"], reply_to="branch@a1.example")
    assert reply_to_for(org.units["north_a_1"]) == "branch@a1.example"
    assert reply_to_for(org.units["north_a_2"]) == "office@north.example"
    assert Event.objects.filter(verb="comms.unit_sender_set").count() == 2


@pytest.mark.parametrize("who", ["branchsec", "member", "outsider", "dpo"])
def test_only_a_sender_of_the_unit_sets_its_reply_to(org, who):
    with pytest.raises(NotVisible):
        unit_sender_set(actor=org.actor(who), unit=org.units["north_a"], reply_to="x@y.example")


def test_a_reply_to_must_be_one_address(org, login):
    with pytest.raises(InvalidInput):
        unit_sender_set(actor=org.actor("secretary"), unit=org.units["north_a"], reply_to="a@b.example c@d")
    client = login("secretary")
    url = reverse("comms:unit_sender", args=[org.units["north_a"].pk])
    bad = client.post(url, {"reply_to": "not an address"})
    assert bad.status_code == 422 and "not an address" in bad.text
    assert client.post(url, {"reply_to": "sec@north-a.example"}).status_code == 302
    assert "sec@north-a.example" in client.get(url).text
    assert login("branchsec").get(url).status_code == 404
