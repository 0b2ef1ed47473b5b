"""Unsubscribe without login (RFC 8058), bounces by Message-ID, per-recipient status for the DPO."""

from __future__ import annotations

import json

import pytest

from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import Forbidden, NotVisible
from polity.consent.checks import contact_permitted
from polity.consent.models import Suppression
from polity.consent.services import unsubscribe_token
from polity.outbox import delivery
from polity.outbox.email_url import parse_email_url
from polity.outbox.models import OutboxEntry, State
from polity.outbox.selectors import dispatch_deliveries
from polity.outbox.services import bounce_record, dispatch_create
from polity.outbox.tests.helpers import give_consent

pytestmark = pytest.mark.django_db


def _sent(org, people, purpose="governance"):
    dispatch = dispatch_create(
        actor=Actor.system(),
        purpose=purpose,
        channel="email",
        subject="Hello",
        body="Hello {{ first_name }}",
        person_ids=[p.pk for p in people],
        source_type="test",
        source_id=1,
    )
    delivery.deliver_due()
    return dispatch


def test_one_click_unsubscribe_needs_no_login_and_get_changes_nothing(org, client, sent):
    member = org.people["member"]
    give_consent(member)
    _sent(org, [member], purpose="campaigning")
    url = sent.emails[0].unsubscribe_url.removeprefix("http://127.0.0.1:8000")

    page = client.get(url)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert contact_permitted(person_id=member.pk, purpose="campaigning", channel="email") == (True, "ok")

    done = client.post(url, {"List-Unsubscribe": "One-Click"})  # what a mail provider sends, no CSRF token
    assert done.status_code == 200 and b"Done" in done.content
    assert contact_permitted(person_id=member.pk, purpose="campaigning", channel="email")[0] is False
    assert contact_permitted(person_id=member.pk, purpose="service", channel="email") == (False, "suppressed")
    assert contact_permitted(person_id=member.pk, purpose="governance", channel="email") == (True, "ok")
    assert Suppression.objects.count() == 1
    assert client.post(url).status_code == 200  # idempotent
    assert Suppression.objects.count() == 1


def test_a_forged_unsubscribe_token_is_not_found(org, client):
    token = unsubscribe_token(person_id=org.people["member"].pk, purpose="campaigning", channel="email")
    assert client.post(f"/outbox/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert client.post("/outbox/unsubscribe/nonsense/").status_code == 404


def test_a_hard_bounce_marks_the_entry_and_suppresses_the_address(org, sent):
    member = org.people["member"]
    dispatch = _sent(org, [member])
    entry = OutboxEntry.objects.get(dispatch=dispatch)
    with pytest.raises(Forbidden):
        bounce_record(actor=org.actor("national"), message_id=entry.message_id)
    with pytest.raises(NotVisible):
        bounce_record(actor=Actor.system(), message_id="<1.999999.polity@x>")
    bounce_record(actor=Actor.system(), message_id=entry.message_id, reason="5.1.1")
    entry.refresh_from_db()
    assert (entry.state, entry.last_error) == (State.BOUNCED, "hard bounce: 5.1.1")
    assert contact_permitted(person_id=member.pk, purpose="governance", channel="email") == (
        False,
        "suppressed",
    )
    event = Event.objects.filter(verb="outbox.bounce_record").get()
    assert str(member.pk) in str(event.subjects)


def test_the_bounce_endpoint_needs_its_secret(org, client, settings, sent):
    entry = OutboxEntry.objects.get(dispatch=_sent(org, [org.people["member"]]))
    body = json.dumps({"message_id": entry.message_id, "permanent": False})
    settings.POLITY_BOUNCE_TOKEN = ""
    assert client.post("/outbox/bounce/", body, content_type="application/json").status_code == 404
    settings.POLITY_BOUNCE_TOKEN = "s3cret-bounce-token"
    wrong = client.post(
        "/outbox/bounce/", body, content_type="application/json", HTTP_AUTHORIZATION="Bearer nope"
    )
    assert wrong.status_code == 404
    ok = client.post(
        "/outbox/bounce/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer s3cret-bounce-token",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "bounced"
    assert Suppression.objects.count() == 0  # a soft bounce suppresses nothing


@pytest.mark.parametrize(
    ("persona", "allowed"), [("dpo", True), ("national", False), ("secretary", False), ("member", False)]
)
def test_per_recipient_status_is_for_the_dpo(org, sent, persona, allowed):
    people = [org.people["member"], org.people["outsider"]]
    dispatch = _sent(org, people)
    if not allowed:
        with pytest.raises(NotVisible):
            dispatch_deliveries(actor=org.actor(persona), dispatch_id=dispatch.pk)
        return
    before = Event.objects.count()
    rows = dispatch_deliveries(actor=org.actor(persona), dispatch_id=dispatch.pk)
    assert {(r.name, r.state) for r in rows} == {("Mina Member", "sent"), ("Olu Outsider", "sent")}
    assert all("@" not in str(value) for r in rows for value in (r.name, r.last_error, r.skip_reason))
    assert Event.objects.count() == before + 1
    assert Event.objects.order_by("-seq").first().verb == "outbox.deliveries_view"
    with pytest.raises(NotVisible):
        dispatch_deliveries(actor=org.actor(persona), dispatch_id=dispatch.pk + 1000)


def test_email_urls():
    c = parse_email_url("smtp://us%40er:p%3Ass@mail.example.org:587?starttls=1&timeout=5")
    assert (c.host, c.port, c.username, c.password, c.use_starttls, c.timeout) == (
        "mail.example.org",
        587,
        "us@er",
        "p:ss",
        True,
        5.0,
    )
    assert parse_email_url("smtps://mail.example.org").port == 465
    assert parse_email_url("smtp://127.0.0.1:1025").mailers()["default"]["OPTIONS"] == {
        "host": "127.0.0.1",
        "port": 1025,
        "timeout": 10.0,
    }
    with pytest.raises(ValueError):
        parse_email_url("http://x")


def test_the_deliveries_page_is_for_the_dpo_and_shows_no_addresses(org, sent, login):
    dispatch = _sent(org, [org.people["member"], org.people["outsider"]])
    page = login("dpo").get(f"/outbox/dispatches/{dispatch.pk}/")
    assert page.status_code == 200
    assert b"Mina Member" in page.content and b"sent" in page.content
    assert b"@example.invalid" not in page.content
    assert login("dpo").get(f"/outbox/dispatches/{dispatch.pk}/?state=failed").content.count(b"Mina") == 0
    assert login("national").get(f"/outbox/dispatches/{dispatch.pk}/").status_code == 404
    assert login("dpo").get(f"/outbox/dispatches/{dispatch.pk + 999}/").status_code == 404
