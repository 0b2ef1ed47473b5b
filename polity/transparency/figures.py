"""The public figures of a unit and quarter: every registered series computed over the unit's subtree, with
small counts suppressed by the rulebook's threshold (`transparency.suppress_below`).

Suppression: a figure whose `base` (the records behind it) is more than zero and below the threshold is
shown as "fewer than N" (a count) or not at all (an average or a share over too few records). Zero is
shown: it tells about nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from polity.common.errors import NotVisible
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook
from polity.transparency import quarters
from polity.transparency.registry import Figure, Series, Window, all_series

THRESHOLD_KEY = "transparency.suppress_below"


def threshold() -> int:
    return get_rulebook().number(THRESHOLD_KEY)


@dataclass(frozen=True)
class Shown:
    """A figure as the public sees it."""

    category: str
    value: int | float | None  # None when suppressed or when there is nothing to average
    kind: str
    suppressed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "value": self.value,
            "kind": self.kind,
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True)
class ShownSeries:
    key: str
    title: str
    measure: str
    description: str
    figures: list[Shown]
    # False when the series counts only for the whole organisation and this is a unit below the top.
    available: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "measure": self.measure,
            "description": self.description,
            "available": self.available,
            "figures": [f.as_dict() for f in self.figures],
        }


@dataclass(frozen=True)
class Statistics:
    unit: Unit
    quarter: str
    threshold: int
    series: list[ShownSeries]

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": {"id": self.unit.pk, "name": self.unit.name, "level": self.unit.level},
            "quarter": self.quarter,
            "suppress_below": self.threshold,
            "series": [s.as_dict() for s in self.series],
        }


def suppress(figure: Figure, limit: int) -> Shown:
    hidden = 0 < figure.base < limit
    return Shown(figure.category, None if hidden else figure.value, figure.kind, hidden)


def public_unit(unit_id: int | None) -> Unit:
    """A unit whose statistics are asked for: units are public, their statistics carry no personal data.
    No id: the top of the tree."""
    qs = Unit.objects.filter(pk=unit_id) if unit_id else Unit.objects.filter(parent__isnull=True)
    unit = qs.order_by("path").first()
    if unit is None:
        raise NotVisible("not found")
    return unit


def window(unit: Unit, quarter: str) -> Window:
    since, until = quarters.bounds(quarter)
    top = unit.parent_id is None
    unit_ids = (
        None if top else list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    )
    return Window(
        unit=unit,
        unit_ids=unit_ids,
        since=since,
        until=until,
        quarter=quarters.name(*quarters.parse(quarter)),
    )


def compute(unit: Unit, quarter: str, *, only: list[Series] | None = None) -> Statistics:
    """Every series for `unit`'s subtree in `quarter`, suppressed. Uncached: see `statistics_public`."""
    w = window(unit, quarter)
    limit = threshold()
    out = []
    for s in only if only is not None else all_series():
        if s.organisation_only and w.unit_ids is not None:
            out.append(ShownSeries(s.key, s.title, s.measure, s.description, [], available=False))
            continue
        figures = [suppress(f, limit) for f in s.compute(w)]
        out.append(ShownSeries(s.key, s.title, s.measure, s.description, figures))
    return Statistics(unit=unit, quarter=w.quarter, threshold=limit, series=out)


CACHE_SECONDS = 60


def statistics_public(*, unit: Unit, quarter: str) -> Statistics:
    """The statistics page's figures, computed at most once a minute per unit and quarter."""
    from django.core.cache import cache

    q = quarters.name(*quarters.parse(quarter))
    key = f"transparency:{unit.pk}:{q}"
    found = cache.get(key)
    if found is None:
        found = compute(unit, q)
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


def rows(stats: Statistics) -> list[list[str]]:
    """The CSV of a unit's quarter: one line per figure."""
    out = [["unit", "quarter", "series", "title", "category", "kind", "value", "suppressed"]]
    for s in stats.series:
        for f in s.figures:
            value = "" if f.value is None else str(f.value)
            out.append(
                [
                    stats.unit.name,
                    stats.quarter,
                    s.key,
                    s.title,
                    f.category,
                    f.kind,
                    value,
                    f"fewer than {stats.threshold}" if f.suppressed else "",
                ]
            )
    return out
