"""STV by Meek's method, following the published fixed-point rules (Hill, Wichmann and Woodall,
"Algorithm 123: Single Transferable Vote by Meek's method", Computer Journal 30 (1987); the same rules
are used for New Zealand local elections).

* Every candidate has a keep value: 1 while hopeful, 0 once excluded, and below 1 once elected.
  A ballot gives each candidate in its order ``keep`` of what is left of it; what is left after the
  last preference is excess.
* Arithmetic is fixed-point to nine decimal places: a candidate's share is rounded down (the rest of
  the ballot passes on, so nothing is lost), and new keep values are rounded up.
* Quota = (votes for candidates) / (seats + 1), to nine places, plus 0.000000001. It falls as excess
  grows.
* Iterate: keep <- keep * quota / votes for each elected candidate, until the total surplus is below
  0.00001 (or the keep values stop changing).
* Then elect every hopeful candidate at or above the quota; if none, exclude the hopeful candidate
  with fewest votes (equal: fewest at the most recent earlier round where they differed, then lot).
* When the hopeful candidates are no more than the seats left, they are all elected.

Candidate totals are reported to nine places, once per round.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from polity.counting.constraints import ConstraintGuard, GroupMinimum
from polity.counting.election import Election, EqualRanking, RankArray, pack_rankings, require_countable
from polity.counting.errors import CountError
from polity.counting.piles import BoolArray, IntArray, exact_sum
from polity.counting.result import CountResult
from polity.counting.stage_log import StageLog
from polity.counting.ties import TieBreak, TieBreaker

PLACES = 9
SCALE = 10**PLACES
OMEGA = 10**4  # 0.00001 of a vote, in units of 10**-9
MAX_ITERATIONS = 10_000


def count_stv_meek(
    election: Election,
    *,
    seats: int | None = None,
    seed: int = 0,
    constraints: Sequence[GroupMinimum] = (),
    ties: TieBreak | None = None,
) -> CountResult:
    """Count ``election`` by Meek's method."""
    return _MeekCount(election, seats or election.seats, seed, constraints, ties).run()


def compress(
    ranks: RankArray, weights: IntArray, gone: BoolArray, hopeful: BoolArray, longest: int
) -> tuple[IntArray, IntArray]:
    """Merge ballots that act alike this round: skip excluded candidates and stop after the first
    hopeful candidate (nothing passes beyond a keep value of 1). ``longest`` bounds the length of such
    a sequence (elected candidates + 1). Each sequence gets an exact integer key, built column by column.
    """
    base = len(gone) + 1
    if base ** min(longest, ranks.shape[1]) >= 2**62:
        raise CountError("too many candidates for Meek's compact ballot keys")
    skip = np.append(gone, True)  # index -1 (padding) lands on this extra entry
    stops = np.append(hopeful, False)
    key = np.zeros(len(ranks), dtype=np.int64)
    active = np.arange(len(ranks))  # rows still reading their ranking
    columns = ranks.T  # one contiguous row per preference position when ranks is Fortran-ordered
    for j in range(ranks.shape[1]):
        if active.size == 0:
            break
        cand = columns[j][active]
        skipped = skip[cand]
        used, used_cand = active[~skipped], cand[~skipped]
        key[used] = key[used] * base + used_cand + 1
        active = np.concatenate((active[skipped & (cand >= 0)], used[~stops[used_cand]]))
    keys, inverse = np.unique(key, return_inverse=True)
    merged = np.bincount(inverse.reshape(-1), weights=weights.astype(np.float64)).astype(np.int64)
    sequences: list[list[int]] = []
    for value in keys.tolist():  # the key's base-(n+1) digits are the candidates (plus one)
        seq: list[int] = []
        while value:
            value, digit = divmod(value, base)
            seq.append(digit - 1)
        sequences.append(seq[::-1])
    rows, _ = pack_rankings(sequences, [0] * len(sequences))
    return rows.astype(np.int64), merged


def distribute(rows: IntArray, weights: IntArray, keep: IntArray, n: int) -> tuple[list[int], int]:
    """Votes per candidate and excess, in units of 10**-9, for the given keep values."""
    left = np.full(len(rows), SCALE, dtype=np.int64)
    votes = [0] * n
    keep_ext = np.append(keep, 0)  # index -1 (no candidate) keeps nothing
    for j in range(rows.shape[1]):
        cand = rows[:, j]
        share = left * keep_ext[cand] // SCALE
        left -= share
        live = cand >= 0
        if not live.any():
            break
        got = exact_sum(cand[live], weights[live] * share[live], n)
        votes = [a + b for a, b in zip(votes, got, strict=True)]
    excess = int((weights * left).sum())
    return votes, excess


def distribute_equal(
    ballots: Sequence[tuple[int, EqualRanking]], keep: IntArray, votes: list[int], excess: int
) -> tuple[list[int], int]:
    """Add ballots with equal preferences to ``votes`` and ``excess`` (units of 10**-9).

    What is left of a ballot at a group of equal preferences is split equally (rounded down) among
    the group's continuing candidates; each keeps ``keep`` of its part (rounded down) and passes the
    rest on to the next group, as droop's Meek rule does. Excluded candidates are skipped; a group with
    none continuing passes the ballot on whole. What rounding leaves is excess."""
    votes = list(votes)
    keeps = keep.tolist()
    for weight, groups in ballots:
        kept = _spread(groups, 0, SCALE, keeps, votes, weight)
        excess += (SCALE - kept) * weight
    return votes, excess


def _spread(groups: EqualRanking, i: int, part: int, keeps: list[int], votes: list[int], weight: int) -> int:
    """Offer ``part`` of a ballot to group ``i`` onwards; returns what the candidates kept (per ballot)."""
    while i < len(groups):
        live = [c for c in groups[i] if keeps[c] > 0]
        if live:
            break
        i += 1
    else:
        return 0
    share = part // len(live)
    kept_here = 0
    for c in live:
        kept = share * keeps[c] // SCALE
        votes[c] += kept * weight
        kept_here += kept + _spread(groups, i + 1, share - kept, keeps, votes, weight)
    return kept_here


class _MeekCount:
    def __init__(
        self,
        election: Election,
        seats: int,
        seed: int,
        constraints: Sequence[GroupMinimum],
        ties: TieBreak | None = None,
    ) -> None:
        require_countable(election, "Meek", equal_preferences=True)
        self.election = election
        self.constraints = tuple(constraints)
        self.names = election.candidates
        self.n = len(self.names)
        self.hopeful = [c for c in range(self.n) if c not in election.withdrawn]
        if not 1 <= seats <= len(self.hopeful):
            raise CountError(f"{seats} seats for {len(self.hopeful)} standing candidates")
        self.seats = seats
        ranks = election.effective_ranks()
        marked = ranks[:, 0] >= 0  # ballots with no standing candidate are not in the valid poll
        self.ranks = np.asfortranarray(ranks[marked])  # columns contiguous for compress()
        self.weights = election.weights[marked]
        # ballots with equal preferences (1=2): few in practice, distributed one by one in Python
        self.equal = [
            (weight, groups)
            for weight, groups in election.equal_ballots
            if any(c not in election.withdrawn for group in groups for c in group)
        ]
        self.valid = (int(self.weights.sum()) + sum(w for w, _ in self.equal)) * SCALE
        self.keep = np.full(self.n, SCALE, dtype=np.int64)
        for c in election.withdrawn:
            self.keep[c] = 0
        self.elected: list[int] = []
        self.excluded: list[int] = sorted(election.withdrawn)
        self.ties = TieBreaker(seed, self.names, ties)
        self.log = StageLog(election, PLACES, self.ties)
        self.guard = ConstraintGuard(constraints, self.names, seats)
        self.quota = 0

    def run(self) -> CountResult:
        action: str = "first"
        subject: list[int] = []
        while True:
            votes, excess, iterations = self._converge()
            stage = self.log.add(action, subject, votes, exhausted=excess, loss=0, quota=self.quota)
            stage.notes.append(f"quota {self.quota / SCALE:.9f} after {iterations} iterations")
            unfilled = self.seats - len(self.elected)
            if unfilled == 0:
                break
            if len(self.hopeful) <= unfilled:
                stage.notes.append("hopeful candidates fill the remaining seats")
                for c in sorted(self.hopeful, key=lambda c: -votes[c]):
                    self._elect(c, votes)
                break
            reached = [c for c in self.hopeful if votes[c] >= self.quota]
            winners: list[int] = []
            while reached:  # highest first; equal votes by earlier rounds, then lot
                top = max(votes[c] for c in reached)
                pick = self.ties.pick(
                    [c for c in reached if votes[c] == top],
                    highest=True,
                    why="equal votes",
                    lot=len(reached) + len(winners) > unfilled,
                )
                reached.remove(pick)
                winners.append(pick)
            chosen: list[int] = []
            for c in winners:
                if len(chosen) < unfilled and (
                    not self.guard or self.guard.may_elect(c, self.elected + chosen)
                ):
                    chosen.append(c)
            if chosen:
                for c in chosen:
                    self._elect(c, votes)
                if len(self.elected) == self.seats:
                    break
                action, subject = "round", []
                continue
            loser = self._lowest(votes)
            self.hopeful.remove(loser)
            self.excluded.append(loser)
            self.keep[loser] = 0
            stage.excluded.append(loser)
            action, subject = "exclusion", [loser]
        for c in list(self.hopeful):
            self.hopeful.remove(c)
        return self.log.result("stv-meek", self.seats, self.quota, self.valid, self.elected, self.constraints)

    def _lowest(self, votes: list[int]) -> int:
        doomed = self.guard.doomed(self.hopeful, self.elected) if self.guard else []
        protected = self.guard.protected(self.hopeful, self.elected) if self.guard else set()
        pool = doomed or [c for c in self.hopeful if c not in protected] or self.hopeful
        low = min(votes[c] for c in pool)
        tied = [c for c in pool if votes[c] == low]
        return self.ties.pick(tied, highest=False, why="equal lowest")

    def _elect(self, c: int, votes: list[int]) -> None:
        self.hopeful.remove(c)
        self.elected.append(c)
        self.log.last.elected.append(c)
        del votes

    def _converge(self) -> tuple[list[int], int, int]:
        gone = np.zeros(self.n, dtype=np.bool_)
        gone[self.excluded] = True
        hopeful = np.zeros(self.n, dtype=np.bool_)
        hopeful[self.hopeful] = True
        rows, weights = compress(self.ranks, self.weights, gone, hopeful, len(self.elected) + 1)
        iterations = 0
        while True:
            iterations += 1
            votes, excess = distribute(rows, weights, self.keep, self.n)
            if self.equal:
                votes, excess = distribute_equal(self.equal, self.keep, votes, excess)
            self.quota = (self.valid - excess) // (self.seats + 1) + 1
            if not self.elected:
                return votes, excess, iterations
            surplus = sum(votes[c] - self.quota for c in self.elected if votes[c] > self.quota)
            if surplus < OMEGA or iterations >= MAX_ITERATIONS:
                return votes, excess, iterations
            changed = False
            for c in self.elected:
                if votes[c] > 0:
                    new = -(-int(self.keep[c]) * self.quota // votes[c])  # rounded up
                    new = min(new, SCALE)
                    if new != self.keep[c]:
                        self.keep[c] = new
                        changed = True
            if not changed:
                return votes, excess, iterations
