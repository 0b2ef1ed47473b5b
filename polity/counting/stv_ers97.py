"""STV under the Electoral Reform Society's 1997 rules (ERS97, "How to conduct an election by the
Single Transferable Vote", 3rd edition), to two decimal places.

* 5.1.6 quota: valid vote / (seats + 1) to two places; if not exact, drop the rest and add 0.01.
  5.4.8: while nobody is elected, the quota is recalculated ignoring non-transferable votes.
* 5.1.7 / 5.3.13 / 5.4.9: continuing candidates reaching the quota (or, rarely, the total active vote
  / (places unfilled + 1)) are deemed elected in descending order of votes; equal candidates that
  cannot all be elected are ordered by the earliest point where they differed, else none is elected.
* 5.2.2 a surplus is deferred while the total of surpluses does not exceed (a) the difference between
  the two lowest candidates, or (b) the gap between the lowest group that could be excluded together
  and the candidate next above.
* 5.2.3 the largest surplus first (equal: greater vote at the earliest point where they differed,
  then lot). 5.3: a first-stage surplus is taken from all the candidate's papers, a later one only
  from the last batch received; if the transferable papers are worth more than the surplus each moves
  at surplus / number of transferable papers (two places, remainder ignored), else at its value.
* 5.2.5 exclusion: as many of the lowest candidates together as possible while enough remain and
  their votes plus deferred surpluses do not exceed the next candidate's; a single lowest candidate
  is chosen among equals by the earliest point where they differed, then lot. 5.4: their papers move
  in batches by descending value; every batch is reported as its own stage here.
* 5.5.1 a proposed exclusion that would leave as many continuing candidates as places elects them.

Values are integers in hundredths of a vote.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from polity.counting.constraints import ConstraintGuard, GroupMinimum
from polity.counting.election import Election, require_countable
from polity.counting.errors import CountError
from polity.counting.piles import Piles, exact_sum
from polity.counting.result import CountResult
from polity.counting.stage_log import RawStage, StageLog
from polity.counting.ties import TieBreak, TieBreaker

PLACES = 2


def count_stv_ers97(
    election: Election,
    *,
    seats: int | None = None,
    seed: int = 0,
    constraints: Sequence[GroupMinimum] = (),
    ties: TieBreak | None = None,
) -> CountResult:
    """Count ``election`` under the ERS97 rules."""
    return _Ers97Count(election, seats or election.seats, seed, constraints, ties).run()


def _quota(votes_cents: int, seats: int) -> int:
    whole, rest = divmod(votes_cents, seats + 1)
    return whole + (1 if rest else 0)


class _Ers97Count:
    def __init__(
        self,
        election: Election,
        seats: int,
        seed: int,
        constraints: Sequence[GroupMinimum],
        ties: TieBreak | None = None,
    ) -> None:
        require_countable(election, "ERS97")
        self.names = election.candidates
        self.constraints = tuple(constraints)
        self.n = len(self.names)
        self.continuing = [c for c in range(self.n) if c not in election.withdrawn]
        if not 1 <= seats <= len(self.continuing):
            raise CountError(f"{seats} seats for {len(self.continuing)} standing candidates")
        self.seats = seats
        self.piles = Piles(election, PLACES)
        for c in election.withdrawn:
            self.piles.close(c)
        self.unit = self.piles.unit
        self.ties = TieBreaker(seed, self.names, ties)
        self.log = StageLog(election, PLACES, self.ties)
        self.guard = ConstraintGuard(constraints, self.names, seats)
        self.valid: int = self.piles.valid_poll() * self.unit
        self.quota: int = _quota(self.valid, seats)
        self.votes = self.piles.totals()[: self.n]
        self.exhausted = 0
        self.loss = 0
        self.elected: list[int] = []
        self.surplus_from_first: set[int] = set()
        self.pending: list[int] = []

    # --- helpers ---------------------------------------------------------------------------------
    def _surpluses(self) -> int:
        return sum(self.votes[c] - self.quota for c in self.pending)

    def _active_vote(self) -> int:
        held: int = sum(min(self.quota, self.votes[c]) for c in self.elected)
        return self.valid - held - self.exhausted - self.loss

    def _pool(self) -> tuple[list[int], bool]:
        """Candidates open to exclusion, and whether they are doomed by a group minimum."""
        doomed = self.guard.doomed(self.continuing, self.elected) if self.guard else []
        if doomed:
            return doomed, True
        protected = self.guard.protected(self.continuing, self.elected) if self.guard else set()
        return [c for c in self.continuing if c not in protected] or list(self.continuing), False

    def _bulk_group(self) -> list[int]:
        """5.2.5: the largest group (two or more) of lowest candidates that may go together, or []."""
        pool, doomed = self._pool()
        if doomed or self.guard:  # with a group minimum, exclusions go one at a time
            return []
        ordered = sorted(pool, key=lambda c: self.votes[c])
        unfilled = self.seats - len(self.elected)
        deferred = self._surpluses()
        best, running = 0, 0
        for k in range(1, len(ordered)):
            running += self.votes[ordered[k - 1]]
            if len(self.continuing) - k < unfilled:
                break
            below, above = self.votes[ordered[k - 1]], self.votes[ordered[k]]
            if k >= 2 and below < above and running + deferred <= above:
                best = k
        return ordered[:best]

    def _exclusion_set(self) -> list[int]:
        """5.2.5: the lowest candidates to exclude together (a group, or the one lowest)."""
        return self._bulk_group() or [self._lowest_of(self._pool()[0])]

    def _lowest_of(self, pool: Sequence[int]) -> int:
        low = min(self.votes[c] for c in pool)
        tied = [c for c in pool if self.votes[c] == low]
        return self.ties.pick(tied, highest=False, why="equal lowest (5.2.5)", latest_first=False)

    def _defer(self) -> bool:
        """5.2.2: is every surplus deferred?"""
        total = self._surpluses()
        ordered = sorted(self.votes[c] for c in self.continuing)
        if len(ordered) < 2 or len(self.continuing) <= self.seats - len(self.elected):
            return False
        if total <= ordered[1] - ordered[0]:
            return True
        group = self._bulk_group()  # no lot is drawn for a mere check
        if group:
            above = sorted(self.votes[c] for c in self.continuing if c not in group)
            return bool(above) and total <= above[0] - sum(self.votes[c] for c in group)
        return False

    # --- the count -------------------------------------------------------------------------------
    def run(self) -> CountResult:
        self._record("first", [])
        self.surplus_from_first.update(self.pending)
        while len(self.elected) < self.seats:
            if self.pending and not self._defer():
                top = max(self.votes[c] - self.quota for c in self.pending)
                tied = [c for c in self.pending if self.votes[c] - self.quota == top]
                self._transfer_surplus(
                    self.ties.pick(tied, highest=True, why="equal surpluses (5.2.3)", latest_first=False)
                )
                continue
            unfilled = self.seats - len(self.elected)
            group = self._exclusion_set() if len(self.continuing) > unfilled else []
            if len(self.continuing) - len(group) <= unfilled:
                self.log.note("a further exclusion would leave only as many candidates as places (5.5.1)")
                for c in sorted(self.continuing, key=lambda c: -self.votes[c]):
                    if c not in group:
                        self._elect(c)
                break
            self._exclude(group)
        return self.log.result(
            "stv-ers97", self.seats, self.quota, self.valid, self.elected, self.constraints
        )

    def _transfer_surplus(self, c: int) -> None:
        self.pending.remove(c)
        surplus = self.votes[c] - self.quota
        groups = self.piles.members(c)
        if c not in self.surplus_from_first:
            latest = int(self.piles.arrival[groups].max())
            groups = groups[self.piles.arrival[groups] == latest]
        stage_no = len(self.log.stages) + 1
        self.piles.move_on(groups, stage_no)
        weights = self.piles.weights[groups]
        dest = self.piles.pile[groups]
        movable = dest != self.n
        papers = int(weights[movable].sum())
        worth = int((weights[movable] * self.piles.value[groups][movable]).sum())
        tv: int | None = None
        if worth > surplus:
            tv = surplus // papers
            self.piles.value[groups] = tv
        credited = exact_sum(dest[movable], weights[movable] * self.piles.value[groups][movable], self.n + 1)
        for d in self.continuing:
            self.votes[d] += credited[d]
        # the "non-transferable difference" (papers set aside and the neglected remainder)
        self.loss += surplus - sum(credited[: self.n])
        self.votes[c] = self.quota
        self._record("surplus", [c], transfer_value=tv)

    def _exclude(self, group: list[int]) -> None:
        for c in group:
            self.continuing.remove(c)
            self.piles.close(c)
        members = np.flatnonzero(np.isin(self.piles.pile, group))
        values = sorted(set(self.piles.value[members].tolist()), reverse=True)
        if not values:  # no papers to move: the exclusion is still a stage of its own
            for c in group:
                self.votes[c] = 0
            self._record("exclusion", group, excluded=group).notes.append("no papers to transfer")
            return
        for number, value in enumerate(values, start=1):
            if len(self.elected) >= self.seats:
                break
            batch = members[self.piles.value[members] == value]
            stage_no = len(self.log.stages) + 1
            self.piles.move_on(batch, stage_no)
            amounts = self.piles.weights[batch] * value
            credited = exact_sum(self.piles.pile[batch], amounts, self.n + 1)
            for d in self.continuing:
                self.votes[d] += credited[d]
            self.exhausted += credited[self.n]
            held = self.piles.totals()  # what the excluded still hold after this batch
            for c in group:
                self.votes[c] = held[c]
            if not self.elected and self.exhausted:
                self.quota = _quota(self.valid - self.exhausted, self.seats)
            note = (
                f"batch {number} of {len(values)} at value {value / self.unit:.2f}"
                if len(values) > 1
                else None
            )
            stage = self._record(
                "exclusion", group, transfer_value=value, excluded=group if number == 1 else ()
            )
            if note:
                stage.notes.append(note)

    def _record(
        self,
        action: str,
        subject: list[int],
        *,
        transfer_value: int | None = None,
        excluded: Sequence[int] = (),
    ) -> RawStage:
        stage = self.log.add(
            action,
            subject,
            self.votes,
            exhausted=self.exhausted,
            loss=self.loss,
            transfer_value=transfer_value,
            quota=self.quota,
        )
        stage.excluded.extend(excluded)
        self._deem_elected()
        return stage

    def _deem_elected(self) -> None:
        """5.1.7, 5.3.13, 5.4.9: each continuing candidate in turn, highest first, who has reached the
        quota or the threshold (total active vote / (places unfilled + 1)) is deemed elected; the
        threshold is worked out again after each election, as electing one changes both its terms."""
        passed: set[int] = set()  # reached the quota but blocked by a group minimum
        while self.seats - len(self.elected) > 0:
            unfilled = self.seats - len(self.elected)
            active = self._active_vote()
            reached = [
                c
                for c in self.continuing
                if c not in passed
                and (self.votes[c] >= self.quota or self.votes[c] * (unfilled + 1) >= active)
            ]
            if not reached:
                return
            top = max(self.votes[c] for c in reached)
            tied = [c for c in reached if self.votes[c] == top]
            if len(tied) > 1:
                if len(tied) > unfilled:  # 5.6.2: only some can be elected: the earliest difference decides
                    order = self._order_by_history(tied)
                    if not order:
                        return
                    tied = order
                else:
                    tied = sorted(tied)
            c = tied[0]
            if self.guard and not self.guard.may_elect(c, self.elected):
                self.log.note(f"{self.names[c]} reached the quota but is not elected: group minimum rule")
                passed.add(c)
                continue
            self._elect(c)
            if self.votes[c] > self.quota:
                self.pending.append(c)

    def _order_by_history(self, tied: list[int]) -> list[int]:
        """5.6.2: order equal candidates by the earliest point where they differed; drop unresolved."""
        remaining = list(tied)
        out: list[int] = []
        while remaining:
            best = self.ties.look_back(remaining, highest=True, latest_first=False)
            if len(best) != 1:
                break
            out.append(best[0])
            remaining.remove(best[0])
        return out

    def _elect(self, c: int) -> None:
        self.continuing.remove(c)
        self.piles.close(c)
        self.elected.append(c)
        self.log.last.elected.append(c)
