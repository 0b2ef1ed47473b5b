"""The retention job: what outlived the rulebook's periods is anonymised, in chunks, with counts; nothing an
open request or case holds is touched."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from conftest import make_person
from polity.common.actor import Actor
from polity.common.errors import DomainError
from polity.dsr import retention
from polity.dsr.models import Anonymised
from polity.dsr.retention import retention_run
from polity.dsr.services import request_submit_own
from polity.dsr.tests.conftest import lapse


def test_lapsed_members_past_the_period_are_anonymised_unless_a_request_holds_them(org, today, monkeypatch):
    today.set(date(2027, 6, 1))
    monkeypatch.setattr(retention, "CHUNK", 2)  # several chunks
    unit = org.units["north_a_1"]
    old = [lapse(make_person(unit, f"Old{i}", "Lapsed"), date(2020, 1, 1)) for i in range(5)]
    recent = lapse(make_person(unit, "Recent", "Lapsed"), date(2024, 1, 1))
    held = org.people["member2"]
    lapse(held, date(2020, 6, 1))
    request_submit_own(actor=org.actor("member2"), kind="access")  # an open request holds them

    report = retention_run(actor=Actor.system(), today=date(2027, 6, 1))
    assert report.people_anonymised == 5 and report.people_held == 1
    for p in old:
        p.refresh_from_db()
        assert (p.given_name, p.email) == ("Erased", "")
    recent.refresh_from_db()
    held.refresh_from_db()
    assert recent.given_name == "Recent" and held.given_name == "Milo"
    assert report.rows["members.register"] >= 5
    # Run again: nothing left to do, and the anonymised are not counted twice.
    again = retention_run(actor=Actor.system(), today=date(2027, 6, 1))
    assert again.people_anonymised == 0 and Anonymised.objects.count() == 5


def test_closed_cases_past_the_period_lose_their_text_and_keep_their_outcome(org, today):
    from polity.cases.models import Case

    case = Case.objects.create(
        reference="C-OLD", kind="complaint", state="closed", unit=org.units["north"], summary="Said rude things",
        received_at=timezone.make_aware(datetime(2019, 1, 1)), ack_due_at=timezone.make_aware(datetime(2019, 1, 8)),
        closed_at=timezone.make_aware(datetime(2020, 1, 1)), outcome="not_upheld", decision_reasons="No evidence",
        created_by="test",
    )  # fmt: skip
    report = retention_run(actor=Actor.system(), today=date(2027, 6, 1))
    case.refresh_from_db()
    assert report.cases_anonymised == 1
    assert case.summary == retention.REMOVED and case.outcome == "not_upheld"


def test_only_the_system_runs_it(org):
    with pytest.raises(DomainError):
        retention_run(actor=org.actor("dpo"))
