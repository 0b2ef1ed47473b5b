"""Single-winner run-offs on ranked ballots: the alternative vote and the supplementary vote.

Alternative vote (instant run-off): each round counts every ballot for its highest-ranked continuing
candidate. A candidate with more than half of the votes still in play wins; otherwise the candidate
with fewest votes is excluded (equal lowest: the one lower at the most recent earlier round where they
differed, then by lot) and their ballots move on.

Supplementary vote (as in UK mayoral elections until 2022): only first and second preferences count.
A candidate with more than half of the valid first preferences wins. Otherwise the two with most first
preferences continue (a tie for the places decided by lot), every other ballot whose second preference
is one of those two moves to it, and the one with more votes wins (equal: by lot).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from polity.counting.constraints import GroupMinimum
from polity.counting.election import Election, require_countable
from polity.counting.errors import CountError
from polity.counting.piles import Piles, exact_sum
from polity.counting.result import CountResult
from polity.counting.stage_log import StageLog
from polity.counting.ties import TieBreak, TieBreaker


def _standing(election: Election, seats: int | None, rule: str) -> list[int]:
    if seats not in (None, 1):
        raise CountError("the alternative and supplementary votes fill one seat")
    if seats is None and election.seats != 1:
        raise CountError(
            f"the alternative and supplementary votes fill one seat; the ballot file asks for {election.seats} "
            "(give seats=1, or --seats 1, to count one)"
        )
    require_countable(election, rule)
    standing = [c for c in range(len(election.candidates)) if c not in election.withdrawn]
    if not standing:
        raise CountError("no candidates standing")
    return standing


def count_av(
    election: Election,
    *,
    seats: int | None = None,
    seed: int = 0,
    constraints: Sequence[GroupMinimum] = (),
    ties: TieBreak | None = None,
) -> CountResult:
    """Alternative vote / instant run-off."""
    continuing = _standing(election, seats, "alternative vote")
    if constraints:
        raise CountError("group minimums need more than one seat")
    n = len(election.candidates)
    piles = Piles(election, 0)
    breaker = TieBreaker(seed, election.candidates, ties)
    log = StageLog(election, 0, breaker)
    valid = piles.valid_poll()
    first_exhausted = int(election.weights[piles.pile == n].sum())
    totals = piles.totals()
    stage = log.add("first", [], totals[:n], exhausted=0, loss=0)
    while True:
        in_play = sum(totals[c] for c in continuing)
        top = max(totals[c] for c in continuing)
        if 2 * top > in_play or len(continuing) == 1:
            tied = [c for c in continuing if totals[c] == top]
            winner = breaker.pick(tied, highest=True, why="equal votes for the last two")
            stage.elected.append(winner)
            return log.result("av", 1, None, valid, [winner])
        low = min(totals[c] for c in continuing)
        loser = breaker.pick([c for c in continuing if totals[c] == low], highest=False, why="equal lowest")
        continuing.remove(loser)
        piles.close(loser)
        piles.move_on(piles.members(loser), len(log.stages) + 1)
        totals = piles.totals()
        stage = log.add("exclusion", [loser], totals[:n], exhausted=totals[n] - first_exhausted, loss=0)
        stage.excluded.append(loser)


def count_sv(
    election: Election,
    *,
    seats: int | None = None,
    seed: int = 0,
    constraints: Sequence[GroupMinimum] = (),
    ties: TieBreak | None = None,
) -> CountResult:
    """Supplementary vote."""
    standing = _standing(election, seats, "supplementary vote")
    if constraints:
        raise CountError("group minimums need more than one seat")
    n = len(election.candidates)
    ranks = election.effective_ranks().astype(np.int64)
    weights = election.weights
    breaker = TieBreaker(seed, election.candidates, ties)
    log = StageLog(election, 0, breaker)
    first = ranks[:, 0]
    has_first = first >= 0
    valid = int(weights[has_first].sum())
    totals = exact_sum(first[has_first], weights[has_first], n)
    stage = log.add("first", [], totals, exhausted=0, loss=0)
    top = max(totals[c] for c in standing)
    if 2 * top > valid or len(standing) == 1:
        winner = breaker.pick([c for c in standing if totals[c] == top], highest=True, why="equal votes")
        stage.elected.append(winner)
        return log.result("sv", 1, None, valid, [winner])
    pool = list(standing)
    finalists: list[int] = []
    while len(finalists) < 2:
        best = max(totals[c] for c in pool)
        chosen = breaker.pick(
            [c for c in pool if totals[c] == best], highest=True, why="equal for the top two"
        )
        pool.remove(chosen)
        finalists.append(chosen)
    second = ranks[:, 1] if ranks.shape[1] > 1 else np.full(len(ranks), -1, dtype=np.int64)
    moving = has_first & ~np.isin(first, finalists)
    to_finalist = moving & np.isin(second, finalists)
    gained = exact_sum(second[to_finalist], weights[to_finalist], n)
    after = [0] * n
    for c in finalists:
        after[c] = totals[c] + gained[c]
    exhausted = int(weights[moving & ~to_finalist].sum())
    stage = log.add("exclusion", sorted(pool), after, exhausted=exhausted, loss=0)
    stage.excluded.extend(sorted(pool))
    best = max(after[c] for c in finalists)
    winner = breaker.pick(
        [c for c in finalists if after[c] == best], highest=True, why="equal votes in the run-off"
    )
    stage.elected.append(winner)
    return log.result("sv", 1, None, valid, [winner])
