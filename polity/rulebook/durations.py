"""Durations as the rulebook writes them ("7d", "8w", "1m", "1y") and calendar arithmetic on them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_PATTERN = re.compile(r"^\s*(\d+)\s*([hdwmy])\s*$")


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # "h" (elapsed hours, e.g. the 72 hours to report a breach), "d", "w", "m" or "y"

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(text)
        if not match:
            raise ValueError(
                f'{text!r} is not a duration: write a whole number and h, d, w, m or y (e.g. "7d")'
            )
        return cls(int(match.group(1)), match.group(2))

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def add_to[T: (date, datetime)](self, start: T) -> T:
        """The moment this long after `start`. Months are calendar months: 31 Jan + 1m is 28/29 Feb."""
        if self.unit == "h":
            return start + timedelta(hours=self.amount)
        if self.unit == "d":
            return start + _days(self.amount)
        if self.unit == "w":
            return start + _days(7 * self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        return _add_months(start, months)

    def subtract_from[T: (date, datetime)](self, end: T) -> T:
        if self.unit == "h":
            return end - timedelta(hours=self.amount)
        if self.unit == "d":
            return end - _days(self.amount)
        if self.unit == "w":
            return end - _days(7 * self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        return _add_months(end, -months)

    def approx_days(self) -> int:
        if self.unit == "h":
            return -(-self.amount // 24)
        return {"d": 1, "w": 7, "m": 30, "y": 365}[self.unit] * self.amount


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _add_months[T: (date, datetime)](start: T, months: int) -> T:
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)
