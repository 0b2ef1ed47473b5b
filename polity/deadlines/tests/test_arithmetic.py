"""Deadline arithmetic on the organisation's calendar: days keep the wall-clock time, months are calendar months."""

import calendar
from datetime import UTC, date, datetime, timedelta
from unittest import mock

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from polity.deadlines.services import due_from
from polity.rulebook.durations import Duration
from polity.rulebook.loader import Rule

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)


def with_rule(text: str):
    rule = Rule("test.rule", Duration.parse(text), "test-1")
    book = mock.Mock()
    book.rule.return_value = rule
    return mock.patch("polity.deadlines.services.get_rulebook", return_value=book)


@settings(max_examples=200, deadline=None)
@given(start=moments, months=st.integers(min_value=1, max_value=24))
def test_calendar_months_land_on_the_same_day_or_the_month_end(start, months):
    with with_rule(f"{months}m"):
        local, due = due_from("test.rule", start)
    due_local = timezone.localtime(due)
    index = local.year * 12 + local.month - 1 + months
    year, month0 = divmod(index, 12)
    assert (due_local.year, due_local.month) == (year, month0 + 1)
    last = calendar.monthrange(due_local.year, due_local.month)[1]
    assert due_local.day == min(local.day, last)
    assert due > start


@settings(max_examples=200, deadline=None)
@given(start=moments, days=st.integers(min_value=0, max_value=400))
def test_days_keep_the_local_wall_clock_time(start, days):
    with with_rule(f"{days}d"):
        local, due = due_from("test.rule", start)
    due_local = timezone.localtime(due)
    assert (due_local.date() - local.date()).days == days
    # Only a daylight-saving gap may move the clock, and never by more than an hour.
    wall = datetime.combine(date.min, due_local.time()) - datetime.combine(date.min, local.time())
    assert abs(wall) <= timedelta(hours=1) or abs(wall) >= timedelta(hours=23)


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments, text=st.sampled_from(["1d", "7d", "8w", "1m", "3m", "1y"]))
def test_later_starts_never_give_earlier_deadlines(a, b, text):
    a, b = min(a, b), max(a, b)
    with with_rule(text):
        assert due_from("test.rule", a)[1] <= due_from("test.rule", b)[1]


def test_month_ends():
    with with_rule("1m"):
        assert timezone.localtime(due_from("test.rule", date(2027, 1, 31))[1]).date() == date(2027, 2, 28)
        assert timezone.localtime(due_from("test.rule", date(2028, 1, 31))[1]).date() == date(2028, 2, 29)
        assert timezone.localtime(due_from("test.rule", date(2027, 2, 28))[1]).date() == date(2027, 3, 28)
        assert timezone.localtime(due_from("test.rule", date(2027, 12, 31))[1]).date() == date(2028, 1, 31)


def test_months_count_on_the_local_calendar():
    # 30 April 23:30 UTC is already 1 May in London (BST): one month later is 1 June, not 30 May.
    with with_rule("1m"):
        _local, due = due_from("test.rule", datetime(2027, 4, 30, 23, 30, tzinfo=UTC))
    assert timezone.localtime(due).date() == date(2027, 6, 1)
