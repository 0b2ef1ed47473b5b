"""Public statistics: counts and durations, no personal data, correct numbers."""

from datetime import timedelta

from django.utils import timezone

from polity.cases import services as s
from polity.cases.models import Case
from polity.cases.statistics import case_stats, case_stats_by_unit
from polity.cases.tests import flows
from polity.common.actor import Actor


def test_counts_and_stage_durations(cases):
    c = cases
    decided = flows.decided(c)
    late = s.case_open(actor=c.actor("member2"), kind="complaint", summary="Late one.")
    Case.objects.filter(pk=late.pk).update(ack_due_at=timezone.now() - timedelta(days=1))
    s.case_acknowledge(actor=c.actor("handler"), case=late)
    Case.objects.filter(pk=decided.pk).update(received_at=decided.decided_at - timedelta(days=10))
    stats = case_stats(actor=Actor.system(), unit=c.org.units["national"])
    assert stats.counts["received"] == 2
    assert stats.counts["acknowledged"] == 2
    assert stats.counts["acknowledged_on_time"] == 1
    assert stats.counts["decided"] == 1
    assert dict(stats.outcomes)["Upheld: formal warning"] == 1
    assert dict(stats.kinds)["Complaint"] == 2
    receipt_to_decision = dict(stats.stages)["Receipt to decision"]
    assert 9.9 <= receipt_to_decision <= 10.1
    assert case_stats(actor=Actor.system(), unit=c.org.units["south"]).counts["received"] == 0
    assert case_stats_by_unit(actor=Actor.system(), parent=c.org.units["national"]) == [
        (c.org.units["north"], 2, 1)
    ]


def test_suspensions_by_age_and_overdue_reviews(cases):
    c = cases
    case = flows.to_investigation(c)
    s.case_suspend(
        actor=c.actor("handler"),
        case=case,
        person=c.person("member2"),
        reasons="Risk.",
        review_at=timezone.now() + timedelta(days=7),
    )
    stats = case_stats(actor=Actor.system(), unit=c.org.units["north"])
    assert stats.suspensions == [("under 4 weeks", 1), ("4 to 12 weeks", 0), ("over 12 weeks", 0)]
    assert stats.overdue_reviews == 0
    case.suspensions.update(starts_at=timezone.now() - timedelta(days=40), review_at=timezone.now())
    stats = case_stats(actor=Actor.system(), unit=c.org.units["north"])
    assert stats.suspensions[1] == ("4 to 12 weeks", 1) and stats.overdue_reviews == 1


def test_statistics_carry_no_personal_data(cases):
    c = cases
    flows.decided(c)
    text = repr(case_stats(actor=Actor.system(), unit=c.org.units["national"]).__dict__)
    for person in (c.person("member"), c.person("member2"), c.person("panel1")):
        assert person.family_name not in text and person.membership_number not in text
    assert "C-0" not in text


def test_quarterly_figures(cases):
    import pytest

    from polity.cases.statistics import case_stats_public, quarter_bounds
    from polity.common.errors import InvalidInput

    flows.complaint(cases)
    old = s.case_open(actor=cases.actor("member2"), kind="complaint", summary="Last year.")
    Case.objects.filter(pk=old.pk).update(received_at=timezone.make_aware(timezone.datetime(2025, 8, 1, 12)))
    start, end = quarter_bounds("2025Q3")
    assert (start.month, end.month, end.year) == (7, 10, 2025)
    assert quarter_bounds("2025Q4")[1].year == 2026
    national = cases.org.units["national"]
    assert case_stats_public(actor=Actor.system(), unit=national, quarter="2025Q3").counts["received"] == 1
    assert case_stats_public(actor=Actor.system(), unit=national).counts["received"] == 2
    with pytest.raises(InvalidInput):
        quarter_bounds("2025-Q9")
