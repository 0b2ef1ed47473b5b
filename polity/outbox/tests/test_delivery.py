"""The delivery loop with the in-memory transports: consent at send time, merge fields, headers, retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from polity.common.actor import Actor
from polity.members.models import Person
from polity.outbox import delivery
from polity.outbox.models import OutboxEntry, State
from polity.outbox.selectors import dispatch_counts
from polity.outbox.services import dispatch_create
from polity.outbox.tests.helpers import give_consent
from polity.outbox.transports import Outcome, Result

pytestmark = pytest.mark.django_db


def _dispatch(org, people, *, purpose="campaigning", channel="email", **extra):
    kwargs = {
        "actor": Actor.system(),
        "purpose": purpose,
        "channel": channel,
        "subject": "News for {{ branch }}",
        "body": "Dear {{ first_name }} ({{ membership_number }}), meet on {{ day }}. {{ first_name }}!",
        "person_ids": [p.pk for p in people],
        "source_type": "comms.message",
        "source_id": 1,
        "context": {"day": "Tuesday {{ first_name }}"},
    }
    kwargs.update(extra)
    return dispatch_create(**kwargs)


def test_delivers_on_commit_with_merge_fields_and_rfc8058_headers(
    org, sent, django_capture_on_commit_callbacks
):
    member = org.people["member"]
    give_consent(member)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch = _dispatch(org, [member])
    assert dispatch_counts(dispatch)["sent"] == 1
    [email] = sent.emails
    entry = OutboxEntry.objects.get(dispatch=dispatch)
    assert email.to == member.email
    assert email.subject == "News for North A 2"
    # context values are inserted verbatim and never re-scanned for fields
    assert (
        email.body == f"Dear Mina ({member.membership_number}), meet on Tuesday {{{{ first_name }}}}. Mina!"
    )
    assert email.message_id == entry.message_id
    msg = email.to_message()
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Unsubscribe"].startswith("<http") and "/outbox/unsubscribe/" in msg["List-Unsubscribe"]
    assert msg["Message-ID"] == entry.message_id
    assert entry.sent_at is not None and entry.attempts == 1


def test_consent_is_checked_again_at_send_time(org, sent):
    member, member2 = org.people["member"], org.people["member2"]
    give_consent(member)
    give_consent(member2)
    dispatch = _dispatch(org, [member, member2])  # no on_commit here: queued, not yet sent
    give_consent(member2, action="withdrawn")
    report, more = delivery.deliver_due()
    assert (report.sent, report.skipped, more) == (1, 1, False)
    assert [e.to for e in sent.emails] == [member.email]
    skipped = OutboxEntry.objects.get(dispatch=dispatch, person=member2)
    assert (skipped.state, skipped.skip_reason) == (State.SKIPPED, "no consent")


def test_missing_address_and_never_consented_are_skipped_with_reasons(org, sent):
    member, member2, outsider = org.people["member"], org.people["member2"], org.people["outsider"]
    for p in (member, member2):
        give_consent(p)
    Person.objects.filter(pk=member2.pk).update(email="")
    dispatch = _dispatch(org, [member, member2, outsider])
    delivery.deliver_due()
    reasons = dict(OutboxEntry.objects.filter(dispatch=dispatch).values_list("person_id", "skip_reason"))
    assert reasons == {member.pk: "", member2.pk: "no address", outsider.pk: "no consent"}
    assert dispatch_counts(dispatch) | {} == {
        "queued": 0,
        "sending": 0,
        "sent": 1,
        "failed": 0,
        "bounced": 0,
        "skipped": 2,
    }


def test_governance_notices_need_no_consent(org, sent):
    dispatch = _dispatch(org, [org.people["member"], org.people["outsider"]], purpose="governance")
    delivery.deliver_due()
    assert dispatch_counts(dispatch)["sent"] == 2


class FlakyTransport:
    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.sent = []

    def send(self, email):
        outcome = self.outcomes.pop(0) if self.outcomes else Outcome(Result.SENT)
        if outcome.result == Result.SENT:
            self.sent.append(email.to)
        return outcome

    def close(self):
        return None


def test_temporary_failure_backs_off_exponentially_then_delivers(org, monkeypatch, settings):
    settings.POLITY_OUTBOX = {"BACKOFF_BASE_SECONDS": 10, "MAX_ATTEMPTS": 5}
    flaky = FlakyTransport([Outcome(Result.TEMPORARY, "421 SMTPResponseException")] * 2)
    monkeypatch.setattr(delivery, "email_transport", lambda: flaky)
    dispatch = _dispatch(org, [org.people["member"]], purpose="governance")
    entry = OutboxEntry.objects.get(dispatch=dispatch)

    before = timezone.now()
    delivery.deliver_due()
    entry.refresh_from_db()
    assert (entry.state, entry.attempts, entry.last_error) == (State.QUEUED, 1, "421 SMTPResponseException")
    assert timedelta(seconds=9) < entry.next_attempt_at - before < timedelta(seconds=12)
    assert delivery.deliver_due()[0].claimed == 0  # not due yet

    OutboxEntry.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    delivery.deliver_due()
    entry.refresh_from_db()
    assert (entry.state, entry.attempts) == (State.QUEUED, 2)
    assert timedelta(seconds=19) < entry.next_attempt_at - before < timedelta(seconds=22)  # doubled

    OutboxEntry.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())
    delivery.deliver_due()
    entry.refresh_from_db()
    assert (entry.state, entry.attempts, flaky.sent) == (State.SENT, 3, [org.people["member"].email])


def test_permanent_failure_and_exhausted_attempts_fail(org, monkeypatch, settings):
    settings.POLITY_OUTBOX = {"MAX_ATTEMPTS": 1}
    flaky = FlakyTransport(
        [
            Outcome(Result.PERMANENT, "550 recipient refused"),
            Outcome(Result.TEMPORARY, "ConnectionRefusedError"),
        ]
    )
    monkeypatch.setattr(delivery, "email_transport", lambda: flaky)
    dispatch = _dispatch(org, [org.people["member"], org.people["member2"]], purpose="governance")
    delivery.deliver_due()
    rows = dict(OutboxEntry.objects.filter(dispatch=dispatch).values_list("person_id", "last_error"))
    assert rows == {
        org.people["member"].pk: "550 recipient refused",
        org.people["member2"].pk: "ConnectionRefusedError",
    }
    assert dispatch_counts(dispatch)["failed"] == 2


def test_expired_leases_return_to_the_queue(org, settings):
    dispatch = _dispatch(org, [org.people["member"]], purpose="governance")
    ids = delivery.claim(limit=10)
    assert OutboxEntry.objects.get(pk=ids[0]).state == State.SENDING
    assert delivery.claim(limit=10) == []  # a claimed entry is not claimed twice
    assert delivery.release_expired() == 0
    assert delivery.release_expired(now=timezone.now() + timedelta(hours=1)) == 1
    assert OutboxEntry.objects.get(pk=ids[0]).state == State.QUEUED
    assert dispatch_counts(dispatch)["queued"] == 1


def test_sms_goes_through_the_sms_transport(org, sent):
    dispatch = _dispatch(org, [org.people["member"]], purpose="governance", channel="sms", subject="")
    delivery.deliver_due()
    [sms] = sent.sms
    assert sms.to == org.people["member"].phone
    assert sms.body.startswith("Dear Mina")
    assert dispatch_counts(dispatch)["sent"] == 1
    assert sent.emails == []


def test_a_worker_error_never_stores_personal_data(org, monkeypatch):
    flaky = FlakyTransport([Outcome(Result.PERMANENT, "550 recipient refused")])
    monkeypatch.setattr(delivery, "email_transport", lambda: flaky)
    dispatch = _dispatch(org, [org.people["member"]], purpose="governance")
    delivery.deliver_due()
    entry = OutboxEntry.objects.get(dispatch=dispatch)
    assert org.people["member"].email not in entry.last_error
    assert "Mina" not in entry.last_error


def test_outbox_resume_restarts_what_is_left(org, sent):
    from io import StringIO

    from django.core.management import call_command

    dispatch = _dispatch(org, [org.people["member"]], purpose="governance")
    delivery.claim(limit=10)  # a worker claimed it, then died
    OutboxEntry.objects.filter(dispatch=dispatch).update(leased_until=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("outbox_resume", stdout=out)
    assert "released 1 expired lease(s); restarted 1 dispatch(es)" in out.getvalue()
    assert dispatch_counts(dispatch)["sent"] == 1  # the immediate backend of the tests ran the delivery
    assert len(sent.emails) == 1
