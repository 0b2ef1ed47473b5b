"""The data counted: candidates, withdrawn candidates and ballots grouped by identical ranking.

Ballots are held as two numpy arrays so that a million ballots cost a few megabytes:
``ranks`` (one row per distinct ranking, candidate indices from 0, padded with -1) and ``weights``
(how many ballots carry that ranking).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from polity.counting.errors import CountError

IntArray = npt.NDArray[np.int64]
RANK_DTYPE = np.int16  # candidate indices; up to 32,767 candidates
RankArray = npt.NDArray[np.int16]

# The largest total ballot weight any count accepts. The counts hold values in 64-bit integers of
# 10**-places units; the largest intermediate product (Scottish STV: a paper's value x a surplus, both
# in 10**-5 units) is below 10**10 x the total weight, so the total must stay below 2**63 / 10**10.
MAX_TOTAL_WEIGHT = 900_000_000

EqualRanking = tuple[tuple[int, ...], ...]
"""A ranking with equal preferences: candidate groups in order, e.g. ``((0,), (1, 2))`` for ``1 2=3``."""


@dataclass(frozen=True, eq=False)
class Election:
    """Candidates, seats and grouped ballots. Build it with :meth:`from_rankings` or a file reader."""

    candidates: tuple[str, ...]
    seats: int
    ranks: RankArray
    weights: IntArray
    withdrawn: frozenset[int] = field(default_factory=frozenset)
    title: str = ""
    equal_ballots: tuple[tuple[int, EqualRanking], ...] = ()
    """Ballots with equal preferences (``1=2``), as ``(weight, groups)``; kept apart from ``ranks``
    because only some rules define them (see :func:`refuse_equal_preferences`)."""
    tie_order: tuple[int, ...] = ()
    """A published tie-breaking order read from the file (droop's ``[tie ...]``), most favoured first."""

    @classmethod
    def from_rankings(
        cls,
        candidates: Sequence[str],
        ballots: Iterable[tuple[int, Sequence[int | str]]],
        *,
        seats: int = 1,
        withdrawn: Iterable[int | str] = (),
        title: str = "",
    ) -> Election:
        """Group ``(weight, ranking)`` pairs; a ranking lists candidate indices (from 0) or names."""
        names = tuple(candidates)
        index = {name: i for i, name in enumerate(names)}
        grouped: dict[tuple[int, ...], int] = {}
        for weight, ranking in ballots:
            if weight < 0:
                raise CountError(f"negative ballot weight {weight}")
            key = tuple(index[c] if isinstance(c, str) else int(c) for c in ranking)
            if len(set(key)) != len(key):
                raise CountError(f"ranking repeats a candidate: {ranking}")
            if any(not 0 <= c < len(names) for c in key):
                raise CountError(f"ranking names an unknown candidate: {ranking}")
            if weight:
                grouped[key] = grouped.get(key, 0) + weight
        gone = frozenset(index[c] if isinstance(c, str) else int(c) for c in withdrawn)
        ranks, weights = pack_rankings(list(grouped), list(grouped.values()))
        return cls(names, seats, ranks, weights, gone, title)

    @property
    def ballot_count(self) -> int:
        """Total weight of all ballots, empty ones included."""
        return int(self.weights.sum()) + sum(w for w, _ in self.equal_ballots)

    def valid_weight(self) -> int:
        """Total weight of ballots with at least one preference for a standing candidate."""
        standing = np.ones(len(self.candidates) + 1, dtype=np.bool_)
        standing[-1] = False  # index -1: padding
        for c in self.withdrawn:
            standing[c] = False
        marked = standing[self.ranks].any(axis=1) if self.ranks.size else np.zeros(0, dtype=np.bool_)
        total = int(self.weights[marked].sum())
        for weight, groups in self.equal_ballots:
            if any(c not in self.withdrawn for group in groups for c in group):
                total += weight
        return total

    def rankings(self) -> list[tuple[int, tuple[int, ...]]]:
        """The grouped ballots as ``(weight, ranking)`` pairs, in storage order (ballots with equal
        preferences are apart, in :attr:`equal_ballots`)."""
        out = []
        for row, weight in zip(self.ranks.tolist(), self.weights.tolist(), strict=True):
            out.append((weight, tuple(c for c in row if c >= 0)))
        return out

    def effective_ranks(self) -> RankArray:
        """Rankings with withdrawn candidates removed (rows stay aligned with ``weights``)."""
        if not self.withdrawn:
            return self.ranks
        ranks = self.ranks.copy()
        for c in self.withdrawn:
            ranks[ranks == c] = -1
        return compact_rows(ranks)

    def with_seats(self, seats: int) -> Election:
        """The same ballots with another number of seats."""
        return Election(
            self.candidates,
            seats,
            self.ranks,
            self.weights,
            self.withdrawn,
            self.title,
            self.equal_ballots,
            self.tie_order,
        )


def require_countable(election: Election, rule: str, *, equal_preferences: bool = False) -> None:
    """Refuse what ``rule`` cannot count: equal preferences where the rule does not define them, more
    ballot weight than the exact arithmetic holds, or no valid vote at all (nothing to count, and no
    winner may be drawn by lot)."""
    if election.equal_ballots and not equal_preferences:
        used = sum(w for w, _ in election.equal_ballots)
        raise CountError(
            f"equal preferences (e.g. 1=2) are not defined by the {rule} rules; "
            f"{used:,} ballot(s) use them (stv-meek counts them)"
        )
    total = election.ballot_count
    if total > MAX_TOTAL_WEIGHT:
        raise CountError(
            f"{total:,} ballots is more than the {MAX_TOTAL_WEIGHT:,} the exact arithmetic holds; nothing counted"
        )
    if election.valid_weight() == 0:
        raise CountError(
            "no valid vote: no ballot gives a preference to a standing candidate, so nothing can be counted"
        )


def pack_rankings(rankings: Sequence[Sequence[int]], weights: Sequence[int]) -> tuple[RankArray, IntArray]:
    """Lay rankings out as a -1-padded 2D array without a Python loop per cell."""
    count = len(rankings)
    lengths = np.fromiter((len(r) for r in rankings), dtype=np.int64, count=count)
    width = int(lengths.max()) if count else 0
    ranks = np.full((count, max(width, 1)), -1, dtype=RANK_DTYPE)
    total = int(lengths.sum())
    if total:
        flat = np.fromiter((c for r in rankings for c in r), dtype=RANK_DTYPE, count=total)
        rows = np.repeat(np.arange(count), lengths)
        starts = np.cumsum(lengths) - lengths
        cols = np.arange(total) - np.repeat(starts, lengths)
        ranks[rows, cols] = flat
    return ranks, np.asarray(weights, dtype=np.int64).reshape(count)


def compact_rows(ranks: RankArray) -> RankArray:
    """Move the -1 holes of each row to its end, keeping the order of the other entries."""
    order = np.argsort(ranks < 0, axis=1, kind="stable")
    return np.take_along_axis(ranks, order, axis=1)
