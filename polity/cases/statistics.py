"""Public statistics of cases per unit (its case team and panels). Counts and durations only: no names,
no references, nothing about any one person. One aggregate query over the cases table, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from polity.cases.models import AppealOutcome, Case, CaseState, Kind, Outcome, Suspension
from polity.common.actor import Actor
from polity.common.errors import NotVisible
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


def _days(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value) / 86_400_000_000, 1)  # microseconds, as some backends return them


def case_stats(
    *, actor: Actor, unit: Unit, since: datetime | None = None, until: datetime | None = None
) -> CaseStats:
    """Statistics for cases handled in `unit`'s subtree and received in [since, until). Public."""
    qs = Case.objects.filter(unit__path__startswith=unit.path)
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    if until is not None:
        qs = qs.filter(received_at__lt=until)
    aggregates: dict[str, Any] = {
        "received": Count("id"),
        "acknowledged": Count("id", filter=Q(acknowledged_at__isnull=False)),
        "acknowledged_on_time": Count("id", filter=Q(acknowledged_at__lte=F("ack_due_at"))),
        "decided": Count("id", filter=Q(decided_at__isnull=False)),
        "appealed": Count("id", filter=Q(appealed_at__isnull=False)),
        "closed": Count("id", filter=Q(closed_at__isnull=False)),
    }
    for i, (_label, later, earlier) in enumerate(STAGES):
        aggregates[f"stage{i}"] = Avg(ExpressionWrapper(F(later) - F(earlier), output_field=DurationField()))
    for prefix, field, choices in (
        ("kind", "kind", Kind),
        ("state", "state", CaseState),
        ("outcome", "outcome", Outcome),
        ("appeal", "appeal_outcome", AppealOutcome),
    ):
        for value in choices.values:
            aggregates[f"{prefix}__{value}"] = Count("id", filter=Q(**{field: value}))
    row = qs.aggregate(**aggregates)

    def pairs(prefix: str, choices: Any) -> list[tuple[str, int]]:
        return [(label, int(row[f"{prefix}__{value}"] or 0)) for value, label in choices.choices]

    now = timezone.now()
    active = Suspension.objects.filter(case__unit__path__startswith=unit.path, lifted_at__isnull=True)
    age_counts: dict[str, Any] = {}
    for low, high, _label in SUSPENSION_AGES:
        cond = Q(starts_at__lte=now - timedelta(days=low))
        if high is not None:
            cond &= Q(starts_at__gt=now - timedelta(days=high))
        age_counts[f"age{low}"] = Count("id", filter=cond)
    age_counts["overdue"] = Count("id", filter=Q(review_at__lt=now))
    suspensions = active.aggregate(**age_counts)
    return CaseStats(
        unit=unit,
        since=since,
        until=until,
        counts={
            k: int(row[k] or 0)
            for k in ("received", "acknowledged", "acknowledged_on_time", "decided", "appealed", "closed")
        },
        stages=[(label, _days(row[f"stage{i}"])) for i, (label, _l, _e) in enumerate(STAGES)],
        kinds=pairs("kind", Kind),
        states=pairs("state", CaseState),
        outcomes=pairs("outcome", Outcome),
        appeals=pairs("appeal", AppealOutcome),
        suspensions=[(label, int(suspensions[f"age{low}"] or 0)) for low, _high, label in SUSPENSION_AGES],
        overdue_reviews=int(suspensions["overdue"] or 0),
        deadlines=deadline_stats(actor=actor, unit=unit, since=since, until=until, subject_type="case"),
    )


def stats_unit(unit_id: int | None) -> Unit:
    """A unit whose statistics are asked for (units are public; their statistics carry no personal data)."""
    qs = Unit.objects.filter(pk=unit_id) if unit_id else Unit.objects.filter(parent__isnull=True)
    unit = qs.first()
    if unit is None:
        raise NotVisible("not found")
    return unit


def case_stats_by_unit(*, actor: Actor, parent: Unit) -> list[tuple[Unit, int, int]]:
    """(unit, received, acknowledged on time) for each unit handling cases directly under `parent`."""
    rows = (
        Case.objects.filter(unit__path__startswith=parent.path)
        .values("unit_id")
        .annotate(received=Count("id"), on_time=Count("id", filter=Q(acknowledged_at__lte=F("ack_due_at"))))
        .order_by()
    )
    found = {r["unit_id"]: (int(r["received"]), int(r["on_time"])) for r in rows}
    units = Unit.objects.filter(pk__in=list(found)).order_by("path")
    return [(u, *found[u.pk]) for u in units]
