"""The cases app's public statistics series (polity.transparency): cases received in the quarter by kind,
where they are now and how they ended, acknowledgement on time, days in each stage, and suspensions in force
at the quarter's end by age. One grouped query over the cases table serves the first four."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from polity.cases.models import AppealOutcome, CaseState, Kind, Outcome, Suspension
from polity.cases.statistics import STAGES, SUSPENSION_AGES, _groups, _seconds
from polity.transparency.registry import Figure, Window, count, days, series, share


def _cases(window: Window) -> list[dict[str, Any]]:
    """The grouped rows of cases received in the window (memoised on the window: four series read them)."""
    memo: dict[str, Any] = window.memo
    if "cases" not in memo:
        memo["cases"] = _groups(window.unit, window.since, window.until)
    return memo["cases"]  # type: ignore[no-any-return]


def _by(window: Window, column: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for g in _cases(window):
        out[g[column]] += g["n"]
    return out


@series("cases.acknowledgement", title="Cases acknowledged on time", measure="cases", order=20)
def acknowledgement(window: Window) -> list[Figure]:
    """Complaints, disciplinary cases, objections and appeals received in the quarter; how many were
    acknowledged, and how many within the rulebook's deadline."""
    total = Counter[str]()
    for g in _cases(window):
        for key in ("n", "acknowledged", "acknowledged_on_time"):
            total[key] += g[key]
    return [
        count("Received", total["n"]),
        count("Acknowledged", total["acknowledged"]),
        count("Acknowledged on time", total["acknowledged_on_time"]),
        share("Acknowledged on time (% of received)", total["acknowledged_on_time"], total["n"]),
    ]


@series("cases.kinds", title="Cases received, by kind", measure="cases", order=21)
def kinds(window: Window) -> list[Figure]:
    """Cases received in the quarter, by kind."""
    by = _by(window, "kind")
    return [count(label, by[value]) for value, label in Kind.choices]


@series("cases.stages", title="Cases received in the quarter, by stage now", measure="cases", order=22)
def stages(window: Window) -> list[Figure]:
    """Where the cases received in the quarter are now."""
    by = _by(window, "state")
    return [count(label, by[value]) for value, label in CaseState.choices]


@series("cases.outcomes", title="Outcomes of cases received in the quarter", measure="cases", order=23)
def outcomes(window: Window) -> list[Figure]:
    """How the cases received in the quarter ended, and the outcome of appeals against them."""
    by, appeals = _by(window, "outcome"), _by(window, "appeal_outcome")
    return [count(label, by[value]) for value, label in Outcome.choices] + [
        count(label, appeals[value]) for value, label in AppealOutcome.choices
    ]


@series("cases.days_in_stage", title="Average days in each stage", measure="days", order=24)
def days_in_stage(window: Window) -> list[Figure]:
    """For the cases received in the quarter: the average number of days between the stages each reached."""
    seconds = [0.0] * len(STAGES)
    spans = [0] * len(STAGES)
    for g in _cases(window):
        for i in range(len(STAGES)):
            seconds[i] += _seconds(g[f"sum{i}"])
            spans[i] += g[f"cnt{i}"]
    return [days(label, seconds[i], spans[i]) for i, (label, _l, _e) in enumerate(STAGES)]


@series(
    "cases.suspensions",
    title="Suspensions in force at the quarter's end, by age",
    measure="suspensions",
    order=25,
)
def suspensions(window: Window) -> list[Figure]:
    """Administrative suspensions in force at the end of the quarter (or now, for the current quarter), by
    how long they had lasted, and how many were past their review date."""
    at = min(window.until, timezone.now())
    qs = Suspension.objects.filter(starts_at__lt=at).filter(Q(lifted_at__isnull=True) | Q(lifted_at__gte=at))
    if window.unit_ids is not None:
        qs = qs.filter(case__unit_id__in=window.unit_ids)
    sums: dict[str, Any] = {}
    for low, high, _label in SUSPENSION_AGES:
        cond = Q(starts_at__lte=at - timedelta(days=low))
        if high is not None:
            cond &= Q(starts_at__gt=at - timedelta(days=high))
        sums[f"age{low}"] = Count("id", filter=cond)
    sums["overdue"] = Count("id", filter=Q(review_at__lt=at))
    row = qs.aggregate(**sums)
    return [count(label, row[f"age{low}"] or 0) for low, _high, label in SUSPENSION_AGES] + [
        count("Past their review date", row["overdue"] or 0)
    ]
