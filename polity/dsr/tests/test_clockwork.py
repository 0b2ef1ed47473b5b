"""Pausing, resuming and extending the clock; the daily tick; escalation of requests at risk."""

from __future__ import annotations

from datetime import date

import pytest

from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.deadlines.models import Deadline
from polity.dsr import clock
from polity.dsr.models import State
from polity.dsr.services import (
    dsr_clock_tick,
    request_extend,
    request_pause,
    request_resume,
    request_submit_own,
)
from polity.outbox.models import Dispatch


@pytest.fixture
def asked(org, today):  # type: ignore[no-untyped-def]
    today.set(date(2027, 1, 10))
    return request_submit_own(actor=org.actor("member"), kind="access")


def test_a_pause_stops_the_clock_and_resuming_moves_the_due_date_by_the_days_waited(org, today, asked):
    dpo = org.actor("dpo")
    today.set(date(2027, 1, 20))
    paused = request_pause(actor=dpo, request=asked, why=State.AWAITING_CLARIFICATION, asked="Which years?")
    assert paused.state == State.AWAITING_CLARIFICATION
    today.set(date(2027, 1, 30))
    with pytest.raises(DomainError, match="already stopped"):
        request_pause(actor=dpo, request=paused, why=State.AWAITING_IDENTITY, asked="ID")
    resumed = request_resume(actor=dpo, request=paused)
    assert resumed.state == State.RECEIVED
    assert resumed.due_on == date(2027, 2, 20)  # 10 Feb + the 10 days waited
    assert Deadline.objects.get(pk=resumed.deadline_id).due_at == clock.end_of_day(date(2027, 2, 20))


def test_identity_is_resumed_only_with_what_was_seen(org, today, asked):
    dpo = org.actor("dpo")
    paused = request_pause(actor=dpo, request=asked, why=State.AWAITING_IDENTITY, asked="A copy of a bill")
    with pytest.raises(InvalidInput, match="proof of identity"):
        request_resume(actor=dpo, request=paused)
    resumed = request_resume(actor=dpo, request=paused, evidence="Council tax bill, same address")
    assert (
        resumed.identity_evidence == "Council tax bill, same address" and resumed.identity_checked_by == "dpo"
    )


def test_the_daily_tick_keeps_a_paused_requests_dates_moving(org, today, asked):
    request_pause(actor=org.actor("dpo"), request=asked, why=State.AWAITING_IDENTITY, asked="ID")
    today.set(date(2027, 1, 15))
    counts = dsr_clock_tick(actor=Actor.system())
    asked.refresh_from_db()
    assert counts["paused_moved"] == 1 and asked.due_on == date(2027, 2, 15)


def test_an_extension_with_reasons_within_the_first_month(
    org, today, asked, django_capture_on_commit_callbacks
):
    today.set(date(2027, 2, 1))
    done = request_extend(
        actor=org.actor("dpo"),
        request=asked,
        to=date(2027, 4, 10),
        reasons="Many years of case files to review.",
    )
    assert done.due_on == date(2027, 4, 10) and done.extension_notice_at is not None
    assert done.extension_rule.startswith("subject_access.extension@")
    with pytest.raises(DomainError, match="already extended"):
        request_extend(actor=org.actor("dpo"), request=done, to=date(2027, 4, 10), reasons="again")


def test_an_extension_never_beyond_two_months_after_the_first_due_date(org, today, asked):
    today.set(date(2027, 1, 20))
    with pytest.raises(DomainError, match="10 April 2027 at the latest"):
        request_extend(actor=org.actor("dpo"), request=asked, to=date(2027, 4, 11), reasons="Lots.")


def test_an_extension_is_refused_once_the_first_month_is_over(org, today, asked):
    today.set(date(2027, 2, 11))
    with pytest.raises(DomainError, match="too late to extend"):
        request_extend(actor=org.actor("dpo"), request=asked, to=date(2027, 3, 10), reasons="Lots.")


def test_an_extension_needs_reasons(org, today, asked):
    with pytest.raises(InvalidInput, match="reasons"):
        request_extend(actor=org.actor("dpo"), request=asked, to=date(2027, 3, 10), reasons="  ")


@pytest.mark.parametrize("who", ["member", "national", "secretary"])
def test_only_the_dpo_moves_the_clock(org, asked, who):
    with pytest.raises(NotVisible):
        request_pause(actor=org.actor(who), request=asked, why=State.AWAITING_IDENTITY, asked="ID")
    with pytest.raises(NotVisible):
        request_extend(actor=org.actor(who), request=asked, to=date(2027, 3, 1), reasons="x")


def test_a_request_at_risk_is_escalated_once_to_the_national_officers(org, today, asked):
    today.set(date(2027, 2, 2))  # 8 days left: not yet
    assert dsr_clock_tick(actor=Actor.system())["escalated"] == 0
    today.set(date(2027, 2, 3))  # 7 days left: at risk
    assert dsr_clock_tick(actor=Actor.system())["escalated"] == 1
    asked.refresh_from_db()
    assert asked.escalated_at is not None
    dispatch = Dispatch.objects.get(source_type="dsr.escalation")
    assert asked.reference in dispatch.subject and "Mina" not in dispatch.body  # no personal data
    assert list(dispatch.entries.values_list("person_id", flat=True)) == [org.people["national"].pk]
    assert dsr_clock_tick(actor=Actor.system())["escalated"] == 0  # once


def test_only_the_system_ticks_the_clock(org):
    with pytest.raises(DomainError):
        dsr_clock_tick(actor=org.actor("dpo"))
