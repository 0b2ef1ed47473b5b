"""The registry of public statistics series. Each app declares, in its own `series.py`, the figures it can
give for a unit's subtree and one quarter, derived from its records and carrying no personal data:

    from polity.transparency.registry import Window, count, series

    @series("members.movement", title="Members joined, lapsed, rejoined and refused", measure="members")
    def members_movement(window: Window) -> list[Figure]:
        rows = ...  # one grouped query over window.unit_ids (None: the whole organisation) and the quarter
        return [count("Joined", rows["joined"]), count("Lapsed", rows["lapsed"])]

The page, the CSV, the chart, the API and the frozen quarterly reports are made from the registry alone;
small counts are suppressed (polity.transparency.figures) by the rulebook's threshold, never by a series.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from polity.org.models import Unit

KINDS = ("count", "days", "share")


@dataclass(frozen=True)
class Window:
    """Where and when a series counts: a unit's subtree and a quarter [since, until)."""

    unit: Unit
    # The subtree's unit ids; None for the top of the tree (the whole organisation: no unit filter at all).
    unit_ids: list[int] | None
    since: datetime
    until: datetime
    quarter: str
    # Series of one app may share a query through this (e.g. the cases app's grouped rows).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Figure:
    """One number of a series. `base` is how many records stand behind it: a figure whose base is above
    zero and below the rulebook's threshold is suppressed (a count by itself; an average of days or a share
    over too few records would tell about the few people behind it)."""

    category: str
    value: int | float | None
    base: int
    kind: str = "count"


def count(category: str, n: int) -> Figure:
    """A count of records (people joined, cases decided)."""
    return Figure(category, int(n), int(n), "count")


def days(category: str, total_seconds: float, n: int) -> Figure:
    """The average length in days of `n` spans totalling `total_seconds` (none: no value)."""
    value = round(total_seconds / n / 86400, 1) if n else None
    return Figure(category, value, int(n), "days")


def share(category: str, part: int, whole: int) -> Figure:
    """`part` of `whole` as a percentage (acknowledged on time out of acknowledged)."""
    value = round(100 * part / whole, 1) if whole else None
    return Figure(category, value, int(whole), "share")


Compute = Callable[[Window], list[Figure]]


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    measure: str  # what is counted, in words: "members", "cases", "days"
    description: str
    compute: Compute
    # Figures the records can give only for the whole organisation (e.g. the access log, which knows
    # people, not units): shown at the top of the tree, and said so elsewhere.
    organisation_only: bool = False
    order: int = 100


SERIES: dict[str, Series] = {}


def series(
    key: str,
    *,
    title: str,
    measure: str,
    description: str = "",
    organisation_only: bool = False,
    order: int = 100,
) -> Callable[[Compute], Compute]:
    """Declare a series (see the module's docstring). The function's docstring describes it when
    `description` is not given."""

    def register(fn: Compute) -> Compute:
        if key in SERIES and SERIES[key].compute is not fn:
            raise ValueError(f"a statistics series {key!r} is declared twice")
        SERIES[key] = Series(
            key=key,
            title=title,
            measure=measure,
            description=description or " ".join((fn.__doc__ or "").split()),
            compute=fn,
            organisation_only=organisation_only,
            order=order,
        )
        return fn

    return register


def all_series() -> list[Series]:
    return sorted(SERIES.values(), key=lambda s: (s.order, s.key))
