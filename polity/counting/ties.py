"""Breaking ties: the rule's look-back over earlier stages, then lot with a seeded generator.

The seed is fixed (and published) before the count and reported in the result, so a recount with
the same seed draws the same lots. Instead of the lot, some jurisdictions decide what the look-back
leaves by an order fixed in advance: :class:`TieBreak` names the mode.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from polity.counting.errors import CountError

TIE_MODES = ("lot", "candidate-order", "permutation")


@dataclass(frozen=True)
class TieBreak:
    """How ties left after the rule's own look-back are decided.

    * ``lot`` (the default): drawn from a generator seeded with the published seed;
    * ``candidate-order``: the candidate earlier in the ballot-paper order is favoured;
    * ``permutation``: ``order`` (candidate names, a published permutation) decides, earlier favoured.

    Favoured means elected first, surplus transferred first, excluded last.
    """

    mode: str = "lot"
    order: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.mode == "permutation":
            return "permutation: " + ", ".join(self.order)
        return self.mode

    def ranking(self, names: Sequence[str]) -> list[int] | None:
        """Candidate indices, most favoured first; ``None`` for the lot."""
        if self.mode not in TIE_MODES:
            raise CountError(f"unknown tie-break mode {self.mode!r}; choose from {', '.join(TIE_MODES)}")
        if self.mode == "lot":
            return None
        if self.mode == "candidate-order":
            return list(range(len(names)))
        index = {name: i for i, name in enumerate(names)}
        unknown = [name for name in self.order if name not in index]
        if unknown:
            raise CountError(f"the tie-break permutation names unknown candidates: {', '.join(unknown)}")
        if len(set(self.order)) != len(self.order):
            raise CountError("the tie-break permutation names a candidate twice")
        missing = [name for name in names if name not in self.order]
        if missing:
            raise CountError(f"the tie-break permutation leaves out: {', '.join(missing)}")
        return [index[name] for name in self.order]


class TieBreaker:
    """Resolves ties and keeps a record of every lot drawn."""

    def __init__(self, seed: int, candidates: Sequence[str], rule: TieBreak | None = None) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._names = candidates
        self.rule = rule or TieBreak()
        ranking = self.rule.ranking(candidates)
        self._place = None if ranking is None else {c: i for i, c in enumerate(ranking)}
        self.history: list[list[int]] = []  # end-of-stage totals, one list per stage
        self.notes: list[str] = []
        self.lots = 0

    def record(self, totals: Sequence[int]) -> None:
        """Remember the totals at the end of a stage for later look-backs."""
        self.history.append(list(totals))

    def by_order(self, tied: Sequence[int], *, highest: bool, why: str) -> int:
        """Decide by the fixed order: the most favoured when ``highest``, else the least favoured."""
        assert self._place is not None
        ordered = sorted(tied, key=self._place.__getitem__)
        chosen = ordered[0] if highest else ordered[-1]
        names = ", ".join(self._names[c] for c in ordered)
        self.notes.append(
            f"{why}: tie between {names} decided by {self.rule.describe()}: {self._names[chosen]}"
        )
        return chosen

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
        if self._place is not None:
            if not lot:
                return min(remaining, key=self._place.__getitem__)
            return self.by_order(remaining, highest=highest, why=why)
        return self.by_lot(remaining, why) if lot else min(remaining)
