"""Requests arrive from the member's page, from the DPO (letters and emails) and from the public form."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.deadlines.models import Deadline
from polity.dsr.models import Channel, Request, State
from polity.dsr.services import (
    request_public_confirm,
    request_public_start,
    request_record,
    request_submit_own,
)


def test_a_member_asks_from_their_page_and_the_clock_runs_one_month_to_the_corresponding_date(
    org, today, sent
):
    today.set(date(2027, 1, 31))
    made = request_submit_own(actor=org.actor("member"), kind="access")
    assert made.reference == f"DSR-2027-{made.pk:05d}"
    assert made.channel == Channel.SELF and made.state == State.RECEIVED and not made.identity_needed
    assert made.due_on == date(2027, 2, 28) == made.first_due_on
    deadline = Deadline.objects.get(pk=made.deadline_id)
    assert deadline.rule_key == "subject_access.response" and deadline.subject_type == "dsr.request"
    assert deadline.owner_unit == org.units["national"]


def test_a_complaint_is_acknowledged_on_its_own_clock(org, today):
    today.set(date(2027, 3, 1))
    made = request_submit_own(actor=org.actor("member"), kind="complaint", details="You emailed my boss.")
    assert made.due_on == date(2027, 3, 31)
    with pytest.raises(InvalidInput, match="say what happened"):
        request_submit_own(actor=org.actor("member"), kind="complaint")


def test_the_dpo_enters_a_letter_and_records_what_proof_was_seen(org, today):
    today.set(date(2027, 5, 10))
    made = request_record(
        actor=org.actor("dpo"), kind="erasure", channel="letter", received_on=date(2027, 5, 6),
        person=org.people["member2"], identity_needed=True, identity_evidence="Signed letter, address matches the register",
    )  # fmt: skip
    assert made.state == State.RECEIVED and made.identity_checked_by == "dpo"
    assert made.due_on == date(2027, 6, 6)  # from receipt, not from entry


def test_a_letter_whose_sender_is_in_doubt_stops_the_clock_until_proof_arrives(org, today):
    today.set(date(2027, 5, 10))
    made = request_record(
        actor=org.actor("dpo"), kind="access", channel="email", received_on=date(2027, 5, 10),
        requester_name="Pat Former", requester_email="pat@example.invalid", identity_needed=True,
    )  # fmt: skip
    assert made.state == State.AWAITING_IDENTITY
    assert made.pauses.get().ended_on is None


@pytest.mark.parametrize("who", ["member", "secretary", "national", "outsider"])
def test_only_the_dpo_enters_requests(org, who):
    with pytest.raises(NotVisible):
        request_record(
            actor=org.actor(who), kind="access", channel="letter", received_on=date(2026, 1, 1),
            person=org.people["member"],
        )  # fmt: skip
    assert not Request.objects.exists()


def test_a_request_cannot_be_received_in_the_future(org, today):
    today.set(date(2027, 5, 10))
    with pytest.raises(InvalidInput, match="future"):
        request_record(
            actor=org.actor("dpo"), kind="access", channel="letter", received_on=date(2027, 5, 11),
            person=org.people["member"],
        )  # fmt: skip


def _link(sent) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"/data/request/confirm/([^/]+)/", sent.emails[-1].body)
    assert found is not None
    return found.group(1)


def test_the_public_form_counts_from_the_confirmed_address(
    org, today, sent, django_capture_on_commit_callbacks
):
    today.set(date(2027, 4, 1))
    with django_capture_on_commit_callbacks(execute=True):
        pending = request_public_start(kind="access", name="Mina Member", email="Mina.Member@example.invalid")
    assert not Request.objects.exists()
    assert sent.emails[-1].to == "Mina.Member@example.invalid"
    token = _link(sent)
    today.set(date(2027, 4, 2))
    made, follow = request_public_confirm(token=token)
    assert made.channel == Channel.PUBLIC and made.received_on == date(2027, 4, 2)
    assert made.person == org.people["member"]  # the proved address is the one on the register
    assert follow and pending.pk
    with pytest.raises(DomainError, match="already confirmed"):
        request_public_confirm(token=token)


def test_an_unconfirmed_link_expires(org, today, sent, django_capture_on_commit_callbacks):
    today.set(date(2027, 4, 1))
    with django_capture_on_commit_callbacks(execute=True):
        request_public_start(kind="erasure", name="Nobody", email="nobody@example.invalid")
    token = _link(sent)
    today.set(date(2027, 4, 1) + timedelta(days=3))
    with pytest.raises(NotVisible):
        request_public_confirm(token=token)


def test_one_address_may_start_only_a_few_unconfirmed_requests_a_day(org, today, sent):
    today.set(date(2027, 4, 1))
    for _ in range(3):
        request_public_start(kind="access", name="Flood", email="flood@example.invalid")
    with pytest.raises(DomainError, match="too many"):
        request_public_start(kind="access", name="Flood", email="FLOOD@example.invalid")
