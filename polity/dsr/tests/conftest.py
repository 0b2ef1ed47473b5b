"""Helpers for the dsr tests: moving "today", making a lapsed member."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone


@pytest.fixture
def today(monkeypatch):  # type: ignore[no-untyped-def]
    """today.set(date) moves the clock's "today" (and now) for the dsr services."""

    class Clock:
        def set(self, day: date) -> None:
            moment = timezone.make_aware(datetime.combine(day, time(12, 0)))
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


def lapse(person, on: date):  # type: ignore[no-untyped-def]
    """End a person's membership as lapsed on `on` (the state the arrears rule leaves), for erasure and
    retention tests."""
    from polity.members.models import MembershipPeriod, Person

    MembershipPeriod.objects.filter(person=person, ended_on__isnull=True).update(
        ended_on=on, end_status="lapsed"
    )
    Person.objects.filter(pk=person.pk).update(status="lapsed")
    person.refresh_from_db()
    return person
