"""First past the post: single seat, or block voting for several seats.

Each ballot's first preference is its X. With ``seats`` > 1 (block vote) each ballot gives one vote to
each of its first ``seats`` preferences. The candidates with most votes are elected; equal votes at
the last place are decided by lot. Withdrawn candidates are skipped on every ballot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from polity.counting.constraints import ConstraintGuard, GroupMinimum
from polity.counting.election import Election, require_countable
from polity.counting.errors import CountError
from polity.counting.piles import exact_sum
from polity.counting.result import CountResult
from polity.counting.stage_log import StageLog
from polity.counting.ties import TieBreak, TieBreaker


def count_fptp(
    election: Election,
    *,
    seats: int | None = None,
    seed: int = 0,
    constraints: Sequence[GroupMinimum] = (),
    ties: TieBreak | None = None,
) -> CountResult:
    """Count by plurality (block vote when ``seats`` > 1)."""
    require_countable(election, "first-past-the-post")
    seats = seats or election.seats
    n = len(election.candidates)
    standing = [c for c in range(n) if c not in election.withdrawn]
    if not 1 <= seats <= len(standing):
        raise CountError(f"{seats} seats for {len(standing)} standing candidates")
    ranks = election.effective_ranks()
    marks = ranks[:, :seats]
    valid_rows = marks[:, 0] >= 0
    used = marks >= 0
    votes = exact_sum(
        marks[used].astype(np.int64), np.broadcast_to(election.weights[:, None], marks.shape)[used], n
    )
    breaker = TieBreaker(seed, election.candidates, ties)
    guard = ConstraintGuard(constraints, election.candidates, seats)
    log = StageLog(election, 0, breaker)
    stage = log.add("first", [], votes, exhausted=0, loss=0)
    elected: list[int] = []
    pool = list(standing)
    while len(elected) < seats:
        doomed = set(guard.doomed(pool, elected)) if guard else set()
        eligible = [c for c in pool if c not in doomed]
        top = max(votes[c] for c in eligible)
        tied = [c for c in eligible if votes[c] == top]
        chosen = breaker.pick(tied, highest=True, why="equal votes", look_back=False)
        pool.remove(chosen)
        elected.append(chosen)
        stage.elected.append(chosen)
    valid = int(election.weights[valid_rows].sum())
    return log.result("fptp", seats, None, valid, elected, constraints)
