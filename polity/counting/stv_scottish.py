"""STV under the Scottish Local Government Elections Order 2007 (SSI 2007/42, schedule 1, rules 45-52).

* Rule 46: quota = (valid poll divided by seats + 1, remainder ignored) + 1.
* Rule 48: a surplus is transferred on *all* the elected candidate's ballot papers (weighted
  inclusive Gregory); each paper's transfer value is surplus x its value when received / the
  candidate's total, to five decimal places, any remainder ignored. Papers with no next preference
  for a continuing candidate are non-transferable.
* Rule 49: the largest surplus first; equal surpluses by the most recent earlier stage at which the
  candidates' totals differed (highest first), then by lot.
* Rule 50-51: with no surplus to transfer, the continuing candidate with the fewest votes is excluded
  and all their papers move at the value they hold; equal lowest by the most recent earlier stage at
  which they differed (lowest excluded), then by lot.
* Rule 52: when the continuing candidates are no more than the seats left, they are all elected.

All values are integers in units of 0.00001 of a vote.
"""

from __future__ import annotations

from collections.abc import Sequence

from polity.counting.constraints import ConstraintGuard, GroupMinimum
from polity.counting.election import Election, require_countable
from polity.counting.errors import CountError
from polity.counting.piles import Piles, exact_sum
from polity.counting.result import CountResult
from polity.counting.stage_log import RawStage, StageLog
from polity.counting.ties import TieBreak, TieBreaker

PLACES = 5


def count_stv_scottish(
    election: Election,
    *,
    seats: int | None = None,
    seed: int = 0,
    constraints: Sequence[GroupMinimum] = (),
    ties: TieBreak | None = None,
) -> CountResult:
    """Count ``election`` under the Scottish rules."""
    return _ScottishCount(election, seats or election.seats, seed, constraints, ties).run()


class _ScottishCount:
    def __init__(
        self,
        election: Election,
        seats: int,
        seed: int,
        constraints: Sequence[GroupMinimum],
        ties: TieBreak | None = None,
    ) -> None:
        require_countable(election, "Scottish STV")
        self.names = election.candidates
        self.constraints = tuple(constraints)
        n = len(self.names)
        self.continuing = [c for c in range(n) if c not in election.withdrawn]
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
        self.valid = self.piles.valid_poll()
        self.quota = (self.valid // (seats + 1) + 1) * self.unit
        first = self.piles.totals()
        self.credited = first[:n]
        self.exhausted = 0
        self.loss = 0
        self.elected: list[int] = []
        self.pending: list[int] = []  # elected, surplus not yet transferred
        self._pending_note: str | None = None

    def run(self) -> CountResult:
        self._stage("first", [])
        while len(self.elected) < self.seats:
            vacancies = self.seats - len(self.elected)
            if len(self.continuing) <= vacancies:
                self.log.note("continuing candidates fill the remaining seats (rule 52)")
                for c in sorted(self.continuing, key=lambda c: -self.credited[c]):
                    self._elect(c)
                break
            if self.pending:
                self._transfer_surplus(self._largest_surplus())
            else:
                self._exclude(self._lowest())
        return self.log.result(
            "stv-scottish", self.seats, self.quota, self.valid * self.unit, self.elected, self.constraints
        )

    # --- decisions -------------------------------------------------------------------------------
    def _largest_surplus(self) -> int:
        best = max(self.credited[c] for c in self.pending)
        tied = [c for c in self.pending if self.credited[c] == best]
        return self.ties.pick(tied, highest=True, why="equal surpluses (rule 49)")

    def _lowest(self) -> int:
        doomed = self.guard.doomed(self.continuing, self.elected) if self.guard else []
        protected = self.guard.protected(self.continuing, self.elected) if self.guard else set()
        pool = doomed or [c for c in self.continuing if c not in protected] or self.continuing
        low = min(self.credited[c] for c in pool)
        tied = [c for c in pool if self.credited[c] == low]
        chosen = self.ties.pick(tied, highest=False, why="equal lowest (rule 51)")
        if doomed:
            self._pending_note = "excluded by the group minimum rule"
        return chosen

    # --- stages ----------------------------------------------------------------------------------
    def _transfer_surplus(self, c: int) -> None:
        self.pending.remove(c)
        total = self.credited[c]
        surplus = total - self.quota
        groups = self.piles.members(c)
        values = self.piles.value[groups]
        new_values = (values * surplus) // total
        self.piles.value[groups] = new_values
        self.piles.move_on(groups, len(self.log.stages) + 1)
        moved = exact_sum(
            self.piles.pile[groups], self.piles.weights[groups] * new_values, len(self.names) + 1
        )
        gained_exhausted = moved[-1]
        transferred = sum(moved[:-1])
        for d in self.continuing:
            self.credited[d] += moved[d]
        self.exhausted += gained_exhausted
        self.loss += surplus - transferred - gained_exhausted
        self.credited[c] = self.quota
        self._stage("surplus", [c], transfer_value=(self.unit * surplus) // total)

    def _exclude(self, c: int) -> None:
        note = self._pending_note
        self._pending_note = None
        self.continuing.remove(c)
        self.piles.close(c)
        groups = self.piles.members(c)
        self.piles.move_on(groups, len(self.log.stages) + 1)
        moved = exact_sum(
            self.piles.pile[groups],
            self.piles.weights[groups] * self.piles.value[groups],
            len(self.names) + 1,
        )
        for d in self.continuing:
            self.credited[d] += moved[d]
        self.exhausted += moved[-1]
        self.credited[c] = 0
        stage = self._stage("exclusion", [c], excluded=[c])
        if note:
            stage.notes.append(note)

    def _stage(
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
            self.credited,
            exhausted=self.exhausted,
            loss=self.loss,
            transfer_value=transfer_value,
            quota=self.quota,
        )
        stage.excluded.extend(excluded)
        self._elect_quota_reached()
        return stage

    def _elect_quota_reached(self) -> None:
        reached = [c for c in self.continuing if self.credited[c] >= self.quota]
        while reached and len(self.elected) < self.seats:
            top = max(self.credited[c] for c in reached)
            tied = [c for c in reached if self.credited[c] == top]
            seats_left = self.seats - len(self.elected)
            c = self.ties.pick(
                tied, highest=True, why="equal votes at election", lot=len(reached) > seats_left
            )
            reached.remove(c)
            if self.guard and not self.guard.may_elect(c, self.elected):
                self.log.note(f"{self.names[c]} reached the quota but is not elected: group minimum rule")
                continue
            self._elect(c)
            if self.credited[c] > self.quota:
                self.pending.append(c)

    def _elect(self, c: int) -> None:
        self.continuing.remove(c)
        self.piles.close(c)
        self.elected.append(c)
        self.log.last.elected.append(c)
