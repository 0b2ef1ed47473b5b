"""Minimum representation for a group of candidates (e.g. at least two women, a reserved seat).

The rule applied during a count, for each group with ``minimum`` seats:

* *need* is the group's minimum less the group members already elected;
* *doomed*: when the seats still to fill are no more than the need, every continuing candidate
  outside the group is excluded before any other exclusion (each as its own stage);
* *protected*: while the continuing group members are no more than the need, none of them is
  excluded; the lowest unprotected candidate is excluded instead;
* *blocked*: a candidate outside the group who reaches the quota is not elected (and is excluded)
  if electing them would leave fewer seats than the group still needs.

With every group's minimum satisfiable (enough members standing), the elected set always meets it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from polity.counting.errors import CountError


@dataclass(frozen=True)
class GroupMinimum:
    """At least ``minimum`` of the elected must come from ``members`` (candidate names)."""

    label: str
    members: frozenset[str]
    minimum: int


class ConstraintGuard:
    """Applies :class:`GroupMinimum` constraints with candidate indices."""

    def __init__(self, constraints: Sequence[GroupMinimum], names: Sequence[str], seats: int) -> None:
        index = {name: i for i, name in enumerate(names)}
        self.groups: list[tuple[str, frozenset[int], int]] = []
        for rule in constraints:
            unknown = sorted(rule.members - set(index))
            if unknown:
                raise CountError(f"constraint {rule.label!r} names unknown candidates: {', '.join(unknown)}")
            if rule.minimum > min(seats, len(rule.members)):
                raise CountError(f"constraint {rule.label!r} asks for more seats than can be filled")
            self.groups.append((rule.label, frozenset(index[m] for m in rule.members), rule.minimum))
        self.seats = seats

    def __bool__(self) -> bool:
        return bool(self.groups)

    def _need(self, members: frozenset[int], minimum: int, elected: Collection[int]) -> int:
        return max(0, minimum - sum(1 for c in elected if c in members))

    def may_elect(self, candidate: int, elected: Collection[int]) -> bool:
        """Would electing ``candidate`` still leave room for every group's need?"""
        left_after = self.seats - len(elected) - 1
        for _, members, minimum in self.groups:
            if candidate not in members and self._need(members, minimum, elected) > left_after:
                return False
        return True

    def doomed(self, continuing: Collection[int], elected: Collection[int]) -> list[int]:
        """Continuing candidates who can no longer be elected because the rest must go to a group."""
        left = self.seats - len(elected)
        out: set[int] = set()
        for _, members, minimum in self.groups:
            if self._need(members, minimum, elected) >= left:
                out.update(c for c in continuing if c not in members)
        return sorted(out)

    def protected(self, continuing: Collection[int], elected: Collection[int]) -> set[int]:
        """Group members who may not be excluded (the group needs all of them)."""
        out: set[int] = set()
        for _, members, minimum in self.groups:
            standing = [c for c in continuing if c in members]
            if standing and len(standing) <= self._need(members, minimum, elected):
                out.update(standing)
        return out
