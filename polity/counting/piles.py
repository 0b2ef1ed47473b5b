"""Ballot piles for Gregory-style STV counts, kept as numpy arrays over the grouped ballots.

Each group of identical ballots sits on one pile (a candidate, or the exhausted pile) with one
value per ballot, in integer units of ``10**-places``. Moving a pile touches only its own groups, so a
count over 400,000 distinct rankings takes a few milliseconds per stage.

Totals are sums of integers below 2**53, which float64 ``bincount`` adds exactly; :func:`exact_sum`
checks that bound and falls back to integer arithmetic beyond it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from polity.counting.election import Election

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_EXACT_LIMIT = 2**53


def exact_sum(index: IntArray, amounts: IntArray, size: int) -> list[int]:
    """Per-bucket sums of integer ``amounts``, exactly."""
    if index.size == 0:
        return [0] * size
    if int(np.abs(amounts).sum(dtype=np.float64)) < _EXACT_LIMIT:
        sums = np.bincount(index, weights=amounts.astype(np.float64), minlength=size)
        return [int(v) for v in np.rint(sums).tolist()]
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, amounts)
    return [int(v) for v in out.tolist()]


class Piles:
    """Where every ballot group is, and at what value."""

    def __init__(self, election: Election, places: int) -> None:
        self.n = len(election.candidates)
        ranks = election.effective_ranks()
        self.exhausted_id = self.n  # pile index of exhausted ballots; also the padding value
        padded = np.full((ranks.shape[0], ranks.shape[1] + 1), self.n, dtype=ranks.dtype)
        padded[:, : ranks.shape[1]] = np.where(ranks < 0, self.n, ranks)
        self.ranks = padded
        self.weights = election.weights
        self.unit = 10**places
        self.value = np.full(ranks.shape[0], self.unit, dtype=np.int64)
        self.pos = np.zeros(ranks.shape[0], dtype=np.int64)
        self.pile = padded[:, 0].astype(np.int64)
        self.arrival = np.zeros(ranks.shape[0], dtype=np.int64)  # stage at which a group reached its pile
        self.accepting = np.ones(self.n + 1, dtype=np.bool_)  # may a pile receive ballots?
        self.accepting[self.n] = True

    def valid_poll(self) -> int:
        """Number of ballots with at least one preference for a standing candidate."""
        return int(self.weights[self.pile != self.exhausted_id].sum())

    def totals(self) -> list[int]:
        """Current value on each pile (index ``n`` is the exhausted pile)."""
        return exact_sum(self.pile, self.weights * self.value, self.n + 1)

    def members(self, candidate: int) -> IntArray:
        """Indices of the groups on a candidate's pile."""
        return np.flatnonzero(self.pile == candidate)

    def close(self, candidate: int) -> None:
        """The candidate receives no more ballots (elected or excluded)."""
        self.accepting[candidate] = False

    def move_on(self, groups: IntArray, stage: int) -> None:
        """Send ``groups`` to their next preference for a candidate still accepting ballots."""
        todo = groups
        self.pos[todo] += 1
        while todo.size:
            cand = self.ranks[todo, self.pos[todo]]
            stuck = ~self.accepting[cand]
            todo = todo[stuck]
            self.pos[todo] += 1
        self.pile[groups] = self.ranks[groups, self.pos[groups]].astype(np.int64)
        self.arrival[groups] = stage

    def skip_closed_firsts(self) -> None:
        """At the start, move ballots whose first preference is already closed."""
        first = self.pile
        closed = np.flatnonzero(~self.accepting[first])
        if closed.size:
            self.pos[closed] -= 1
            self.move_on(closed, 0)
