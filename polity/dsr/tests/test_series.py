"""The public series "data protection requests answered on time" (polity.transparency)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from polity.dsr.series import answered_on_time
from polity.dsr.services import request_answer, request_submit_own
from polity.transparency.registry import SERIES, Window


def test_requests_answered_and_on_time_in_the_quarter(org, today):
    today.set(date(2027, 1, 5))
    late = request_submit_own(
        actor=org.actor("member"), kind="complaint", details="An officer shared my email."
    )
    on_time = request_submit_own(actor=org.actor("member2"), kind="rectification", details="Wrong postcode.")
    request_answer(actor=org.actor("dpo"), request=on_time, answer="Corrected.")
    today.set(date(2027, 3, 1))  # the complaint's 30 days have passed
    request_answer(actor=org.actor("dpo"), request=late, answer="Acknowledged and answered.")
    window = Window(
        unit=org.units["national"], unit_ids=None, quarter="2027Q1",
        since=timezone.make_aware(datetime(2027, 1, 1)), until=timezone.make_aware(datetime(2027, 4, 1)),
    )  # fmt: skip
    figures = {f.category: f for f in answered_on_time(window)}
    assert figures["Answered"].value == 2
    assert figures["Answered on time"].value == 50.0 and figures["Answered on time"].base == 2
    assert "dsr.answered_on_time" in SERIES and SERIES["dsr.answered_on_time"].organisation_only
