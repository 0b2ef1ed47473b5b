"""The deadlines app's public statistics series (polity.transparency): deadlines due in the quarter, kept and
missed, for every kind of subject (cases, messages' approvals, suspension reviews, ...)."""

from __future__ import annotations

from polity.common.actor import Actor
from polity.deadlines.selectors import deadline_stats
from polity.transparency.registry import Figure, Window, count, series


@series(
    "deadlines.kept", title="Deadlines due in the quarter, kept and missed", measure="deadlines", order=60
)
def kept(window: Window) -> list[Figure]:
    """Every rulebook deadline owned by a unit in the subtree and due in the quarter: met on time, missed,
    met late, escalated to a unit above, still open."""
    row = deadline_stats(actor=Actor.system(), unit=window.unit, since=window.since, until=window.until)
    return [
        count("Due", row["total"]),
        count("Met on time", row["met_on_time"]),
        count("Missed", row["missed"]),
        count("Met late", row["met_late"]),
        count("Escalated", row["escalated"]),
        count("Still open", row["pending"]),
    ]
