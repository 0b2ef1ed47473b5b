"""Quarters: "2026Q3" is 1 July to 1 October 2026 (local midnights)."""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone

from polity.common.errors import InvalidInput


def parse(quarter: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})[Qq]([1-4])", quarter.strip())
    if match is None:
        raise InvalidInput("quarter: write it as 2026Q3")
    return int(match.group(1)), int(match.group(2))


def bounds(quarter: str) -> tuple[datetime, datetime]:
    year, q = parse(quarter)
    start = datetime(year, 3 * (q - 1) + 1, 1)
    end = datetime(year + 1, 1, 1) if q == 4 else datetime(year, 3 * q + 1, 1)
    return timezone.make_aware(start), timezone.make_aware(end)


def name(year: int, q: int) -> str:
    return f"{year}Q{q}"


def of(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return name(local.year, (local.month - 1) // 3 + 1)


def current() -> str:
    return of(timezone.now())


def previous(quarter: str) -> str:
    year, q = parse(quarter)
    return name(year - 1, 4) if q == 1 else name(year, q - 1)


def recent(count: int = 8) -> list[str]:
    """The current quarter and the ones before it, newest first."""
    out = [current()]
    while len(out) < count:
        out.append(previous(out[-1]))
    return out


def has_ended(quarter: str) -> bool:
    return bounds(quarter)[1] <= timezone.now()
