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


@dataclass(frozen=True, eq=False)
class Election:
    """Candidates, seats and grouped ballots. Build it with :meth:`from_rankings` or a file reader."""

    candidates: tuple[str, ...]
    seats: int
    ranks: RankArray
    weights: IntArray
    withdrawn: frozenset[int] = field(default_factory=frozenset)
    title: str = ""

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
        return int(self.weights.sum())

    def rankings(self) -> list[tuple[int, tuple[int, ...]]]:
        """The grouped ballots as ``(weight, ranking)`` pairs, in storage order."""
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
        return Election(self.candidates, seats, self.ranks, self.weights, self.withdrawn, self.title)


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
