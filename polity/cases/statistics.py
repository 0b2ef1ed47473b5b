"""Public statistics of cases per unit (its case team and panels). Counts and durations only: no names,
no references, nothing about any one person.

One grouped query over the cases table (by unit, kind, state, outcome and appeal outcome: a few hundred
groups at most) gives every count, the per-unit rows and the sums behind each stage's average; the
rest is folded in Python. The unit filter is an indexed IN on the subtree's unit ids, not a join.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from polity.cases.models import AppealOutcome, Case, CaseState, Kind, Outcome, Suspension
from polity.common.actor import Actor
from polity.common.errors import InvalidInput, NotVisible
from polity.deadlines.selectors import deadline_stats
from polity.org.models import Unit

# (label, later stamp, earlier stamp): the time a case spends in each stage.
STAGES = (
    ("Receipt to acknowledgement", "acknowledged_at", "received_at"),
    ("Acknowledgement to triage", "triaged_at", "acknowledged_at"),
    ("Triage to notice of allegations", "notice_sent_at", "triaged_at"),
    ("Notice to decision", "decided_at", "notice_sent_at"),
    ("Decision to communication", "communicated_at", "decided_at"),
    ("Appeal to decision on appeal", "appeal_decided_at", "appealed_at"),
    ("Receipt to decision", "decided_at", "received_at"),
    ("Receipt to close", "closed_at", "received_at"),
)
SUSPENSION_AGES = ((0, 28, "under 4 weeks"), (28, 84, "4 to 12 weeks"), (84, None, "over 12 weeks"))
COUNTED = ("received", "acknowledged", "acknowledged_on_time", "decided", "appealed", "closed")


@dataclass
class CaseStats:
    unit: Unit
    since: datetime | None
    until: datetime | None
    counts: dict[str, int]
    stages: list[tuple[str, float | None]]
    kinds: list[tuple[str, int]]
    states: list[tuple[str, int]]
    outcomes: list[tuple[str, int]]
    appeals: list[tuple[str, int]]
    suspensions: list[tuple[str, int]]
    overdue_reviews: int
    deadlines: dict[str, int]
    by_unit: list[tuple[Unit, int, int]] = field(default_factory=list)


def _seconds(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # microseconds, as SQLite returns them


def stats_unit(unit_id: int | None) -> Unit:
    """A unit whose statistics are asked for (units are public; their statistics carry no personal data)."""
    qs = Unit.objects.filter(pk=unit_id) if unit_id else Unit.objects.filter(parent__isnull=True)
    unit = qs.first()
    if unit is None:
        raise NotVisible("not found")
    return unit


def _groups(unit: Unit, since: datetime | None, until: datetime | None) -> list[dict[str, Any]]:
    qs = Case.objects.all()
    if unit.parent_id is not None:  # the top of the tree holds every case: no list of its units
        qs = qs.filter(
            unit_id__in=list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
        )
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    if until is not None:
        qs = qs.filter(received_at__lt=until)
    sums: dict[str, Any] = {
        "n": Count("id"),
        "acknowledged": Count("acknowledged_at"),
        "acknowledged_on_time": Count("id", filter=Q(acknowledged_at__lte=F("ack_due_at"))),
        "decided": Count("decided_at"),
        "appealed": Count("appealed_at"),
        "closed": Count("closed_at"),
    }
    for i, (_label, later, earlier) in enumerate(STAGES):
        span = ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())
        sums[f"sum{i}"] = Sum(span)
        sums[f"cnt{i}"] = Count(span)
    columns = ("unit_id", "kind", "state", "outcome", "appeal_outcome")
    return list(qs.values(*columns).annotate(**sums).order_by())


def case_stats(
    *, actor: Actor, unit: Unit, since: datetime | None = None, until: datetime | None = None
) -> CaseStats:
    """Statistics for cases handled in `unit`'s subtree and received in [since, until). Public."""
    groups = _groups(unit, since, until)
    counts: Counter[str] = Counter()
    by: dict[str, Counter[str]] = defaultdict(Counter)
    per_unit: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    seconds = [0.0] * len(STAGES)
    spans = [0] * len(STAGES)
    for g in groups:
        counts["received"] += g["n"]
        for key in COUNTED[1:]:
            counts[key] += g[key]
        for column in ("kind", "state", "outcome", "appeal_outcome"):
            by[column][g[column]] += g["n"]
        per_unit[g["unit_id"]][0] += g["n"]
        per_unit[g["unit_id"]][1] += g["acknowledged_on_time"]
        for i in range(len(STAGES)):
            seconds[i] += _seconds(g[f"sum{i}"])
            spans[i] += g[f"cnt{i}"]

    def pairs(column: str, choices: Any) -> list[tuple[str, int]]:
        return [(label, by[column][value]) for value, label in choices.choices]

    units = Unit.objects.filter(pk__in=list(per_unit)).order_by("path")
    return CaseStats(
        unit=unit,
        since=since,
        until=until,
        counts={key: counts[key] for key in COUNTED},
        stages=[
            (label, round(seconds[i] / spans[i] / 86400, 1) if spans[i] else None)
            for i, (label, _l, _e) in enumerate(STAGES)
        ],
        kinds=pairs("kind", Kind),
        states=pairs("state", CaseState),
        outcomes=pairs("outcome", Outcome),
        appeals=pairs("appeal_outcome", AppealOutcome),
        by_unit=[(u, per_unit[u.pk][0], per_unit[u.pk][1]) for u in units],
        **_suspensions(unit),
        deadlines=deadline_stats(actor=actor, unit=unit, since=since, until=until, subject_type="case"),
    )


def _suspensions(unit: Unit) -> dict[str, Any]:
    now = timezone.now()
    active = Suspension.objects.filter(case__unit__path__startswith=unit.path, lifted_at__isnull=True)
    ages: dict[str, Any] = {}
    for low, high, _label in SUSPENSION_AGES:
        cond = Q(starts_at__lte=now - timedelta(days=low))
        if high is not None:
            cond &= Q(starts_at__gt=now - timedelta(days=high))
        ages[f"age{low}"] = Count("id", filter=cond)
    ages["overdue"] = Count("id", filter=Q(review_at__lt=now))
    row = active.aggregate(**ages)
    return {
        "suspensions": [(label, int(row[f"age{low}"] or 0)) for low, _high, label in SUSPENSION_AGES],
        "overdue_reviews": int(row["overdue"] or 0),
    }


CACHE_SECONDS = 60


def quarter_bounds(quarter: str) -> tuple[datetime, datetime]:
    """ "2026Q3" -> (1 July 2026, 1 October 2026), local midnights."""
    import re

    match = re.fullmatch(r"(\d{4})[Qq]([1-4])", quarter.strip())
    if match is None:
        raise InvalidInput("quarter: write it as 2026Q3")
    year, q = int(match.group(1)), int(match.group(2))
    start = datetime(year, 3 * (q - 1) + 1, 1)
    end = datetime(year + 1, 1, 1) if q == 4 else datetime(year, 3 * q + 1, 1)
    return timezone.make_aware(start), timezone.make_aware(end)


def case_stats_public(*, actor: Actor, unit: Unit, quarter: str = "") -> CaseStats:
    """The statistics page's figures (all time, or cases received in one quarter), computed at most once a
    minute per unit and quarter."""
    from django.core.cache import cache

    since, until = quarter_bounds(quarter) if quarter else (None, None)
    key = f"cases.stats:{unit.pk}:{quarter.upper()}"
    found = cache.get(key)
    if found is None:
        found = case_stats(actor=actor, unit=unit, since=since, until=until)
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


def case_stats_by_unit(*, actor: Actor, parent: Unit) -> list[tuple[Unit, int, int]]:
    """(unit, received, acknowledged on time) for each unit handling cases in `parent`'s subtree."""
    return case_stats(actor=actor, unit=parent).by_unit
