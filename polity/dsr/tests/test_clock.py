"""The statutory clock: corresponding dates, pauses, extensions (property-based, with hypothesis)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from polity.dsr.clock import (
    Pause,
    days_left,
    due_on,
    extension_notice_by,
    first_due,
    latest_extended_due,
    paused_days,
    rules,
)
from polity.rulebook.durations import Duration

ONE_MONTH = Duration(1, "m")
TWO_MONTHS = Duration(2, "m")
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


def _next_month(d: date) -> tuple[int, int]:
    return (d.year + (d.month == 12), d.month % 12 + 1)


@given(days)
def test_one_month_is_the_corresponding_date_or_the_last_day_of_the_month(received):
    due = first_due(received, ONE_MONTH, today=received)
    year, month = _next_month(received)
    last = calendar.monthrange(year, month)[1]
    assert (due.year, due.month) == (year, month)
    assert due.day == min(received.day, last)
    # The same day of the month whenever that day exists.
    if received.day <= last:
        assert due.day == received.day


def test_worked_examples():
    assert first_due(date(2026, 1, 31), ONE_MONTH, today=date(2026, 1, 31)) == date(2026, 2, 28)
    assert first_due(date(2028, 1, 31), ONE_MONTH, today=date(2028, 1, 31)) == date(2028, 2, 29)
    assert first_due(date(2026, 3, 31), ONE_MONTH, today=date(2026, 3, 31)) == date(2026, 4, 30)
    assert first_due(date(2026, 12, 15), ONE_MONTH, today=date(2026, 12, 15)) == date(2027, 1, 15)
    assert latest_extended_due(date(2026, 2, 28), TWO_MONTHS) == date(2026, 4, 28)


@given(days, st.lists(st.tuples(st.integers(0, 60), st.integers(0, 90)), max_size=4))
def test_every_paused_day_moves_the_due_date_one_day(received, gaps):
    pauses, cursor = [], received
    for offset, length in gaps:
        start = cursor + timedelta(days=offset)
        pauses.append(Pause(start, start + timedelta(days=length)))
        cursor = start + timedelta(days=length)
    today = cursor
    base = first_due(received, ONE_MONTH, today=today)
    due = first_due(received, ONE_MONTH, pauses, today=today)
    assert due - base == timedelta(days=sum(length for _o, length in gaps))
    assert due >= base


@given(days, st.integers(0, 200), st.integers(0, 200))
def test_an_open_pause_stops_the_clock_until_today_and_resumes_where_it_stopped(
    received, start_after, waited
):
    start = received + timedelta(days=start_after)
    today = start + timedelta(days=waited)
    open_pause = [Pause(start)]
    due_while_waiting = first_due(received, ONE_MONTH, open_pause, today=today)
    # Each day of waiting keeps the same number of days left: the clock is stopped.
    assert days_left(due_while_waiting, today) == days_left(
        first_due(received, ONE_MONTH, open_pause, today=start), start
    )
    # Resumed today: the due date stays where it was on the day it resumed.
    resumed = [Pause(start, today)]
    assert first_due(received, ONE_MONTH, resumed, today=today + timedelta(days=30)) == due_while_waiting
    assert paused_days(open_pause, start - timedelta(days=5)) == 0


@given(days, st.sampled_from([Duration(1, "m"), Duration(2, "m"), Duration(8, "w")]))
def test_an_extension_never_shortens_and_never_exceeds_the_rule(received, extension):
    first = first_due(received, ONE_MONTH, today=received)
    latest = latest_extended_due(first, TWO_MONTHS)
    candidate = extension.add_to(first)
    due = due_on(received, response=ONE_MONTH, extended_to=candidate, today=received)
    assert due >= first
    if candidate <= latest:
        assert due == candidate
    assert due_on(received, response=ONE_MONTH, extended_to=None, today=received) == first


@given(days, st.integers(0, 40))
def test_the_reasons_for_an_extension_are_due_within_the_first_month_as_the_clock_counts_it(received, paused):
    pauses = [Pause(received, received + timedelta(days=paused))]
    by = extension_notice_by(received, ONE_MONTH, pauses, today=received + timedelta(days=paused))
    assert by == first_due(received, ONE_MONTH, pauses, today=received + timedelta(days=paused))


def test_the_rules_come_from_the_rulebook():
    r = rules()
    assert str(r.response.duration) == "1m" and r.response.key == "subject_access.response"
    assert str(r.extension.duration) == "2m"
    assert str(r.complaint_ack.duration) == "30d"
