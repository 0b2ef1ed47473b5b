"""What a count reports: every stage, the quota and who was elected, as exact decimal strings."""

from __future__ import annotations

from dataclasses import dataclass, field

from polity.counting.constraints import GroupMinimum


def fixed(units: int, places: int) -> str:
    """Format an integer number of ``10**-places`` units as a decimal string (e.g. 123456, 5 -> 1.23456)."""
    if places == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}"


@dataclass(frozen=True)
class Stage:
    """One stage of a count.

    ``action`` is ``first`` (first preferences), ``surplus`` (of ``subject``), ``exclusion`` (of
    ``subject``), ``round`` (a Meek or run-off round) or ``election`` (remaining seats filled without
    transfer). Totals are decimal strings at the rule's precision, keyed by candidate name; candidates
    excluded or elected earlier keep their (possibly zero) totals.
    """

    number: int
    action: str
    subject: tuple[str, ...]
    transfer_value: str | None
    totals: dict[str, str]
    non_transferable: str
    exhausted: str
    elected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    quota: str | None = None
    """The quota in force at the end of this stage (it changes under ERS97 5.4.8 and under Meek)."""

    def describe(self) -> str:
        """A short human label, e.g. ``Surplus of Ann Bell``."""
        who = ", ".join(self.subject)
        return {
            "first": "First preferences",
            "surplus": f"Surplus of {who}",
            "exclusion": f"Exclusion of {who}",
            "election": f"Election of {who}" if who else "Remaining seats filled",
            "round": f"Round {self.number}" + (f": {who}" if who else ""),
        }.get(self.action, self.action)


@dataclass(frozen=True)
class CountResult:
    """The whole count. ``seed`` is the lot seed fixed before the count; a recount with it agrees."""

    method: str
    seats: int
    candidates: tuple[str, ...]
    quota: str | None
    valid_poll: str
    precision: int
    elected: tuple[str, ...]
    stages: tuple[Stage, ...]
    seed: int
    title: str = ""
    withdrawn: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    lots_drawn: int = 0
    constraints: tuple[GroupMinimum, ...] = ()
    """The group minimums (reserved seats) the count applied."""
    tie_break: str = "lot"
    """How ties left after the rule's look-back were decided (``lot``, ``candidate-order``,
    ``permutation: A, B, ...``)."""
