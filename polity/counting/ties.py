"""Breaking ties: the rule's look-back over earlier stages, then lot with a seeded generator.

The seed is fixed (and published) before the count and reported in the result, so a recount with
the same seed draws the same lots.
"""

from __future__ import annotations

import random
from collections.abc import Sequence


class TieBreaker:
    """Resolves ties and keeps a record of every lot drawn."""

    def __init__(self, seed: int, candidates: Sequence[str]) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._names = candidates
        self.history: list[list[int]] = []  # end-of-stage totals, one list per stage
        self.notes: list[str] = []
        self.lots = 0

    def record(self, totals: Sequence[int]) -> None:
        """Remember the totals at the end of a stage for later look-backs."""
        self.history.append(list(totals))

    def by_lot(self, tied: Sequence[int], why: str) -> int:
        """Draw one of ``tied`` by lot (candidates taken in index order, so the draw is reproducible)."""
        ordered = sorted(tied)
        chosen = ordered[self._rng.randrange(len(ordered))]
        self.lots += 1
        names = ", ".join(self._names[c] for c in ordered)
        self.notes.append(
            f"{why}: tie between {names} decided by lot (seed {self.seed}): {self._names[chosen]}"
        )
        return chosen

    def look_back(self, tied: Sequence[int], *, highest: bool, latest_first: bool = True) -> list[int]:
        """Narrow ``tied`` by earlier stages: the most recent stage where they differ (or earliest)."""
        remaining = list(tied)
        stages = reversed(self.history) if latest_first else iter(self.history)
        for totals in stages:
            values = [totals[c] for c in remaining]
            best = max(values) if highest else min(values)
            narrowed = [c for c in remaining if totals[c] == best]
            if len(narrowed) < len(remaining):
                remaining = narrowed
                if len(remaining) == 1:
                    break
        return remaining

    def pick(
        self,
        tied: Sequence[int],
        *,
        highest: bool,
        why: str,
        look_back: bool = True,
        latest_first: bool = True,
        lot: bool = True,
    ) -> int:
        """Choose one of ``tied``: by earlier stages (if the rule says so), then by lot. With
        ``lot=False`` (only the order is at stake, e.g. all of them are elected anyway) the first in
        ballot-paper order is taken instead of drawing a lot."""
        if len(tied) == 1:
            return tied[0]
        remaining = (
            self.look_back(tied, highest=highest, latest_first=latest_first) if look_back else list(tied)
        )
        if len(remaining) == 1:
            return remaining[0]
        return self.by_lot(remaining, why) if lot else min(remaining)
