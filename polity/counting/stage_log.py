"""Collects the stages of a count in integer units and turns them into a :class:`CountResult`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from polity.counting.constraints import GroupMinimum
from polity.counting.election import Election
from polity.counting.result import CountResult, Stage, fixed
from polity.counting.ties import TieBreaker


@dataclass
class RawStage:
    action: str
    subject: list[int]
    transfer_value: int | None
    totals: list[int]
    exhausted: int
    loss: int
    elected: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    quota: int | None = None


class StageLog:
    """Stages in the making; ``places`` is the rule's number of decimal places."""

    def __init__(self, election: Election, places: int, ties: TieBreaker) -> None:
        self.election = election
        self.places = places
        self.ties = ties
        self.stages: list[RawStage] = []
        self.standing = [c for c in range(len(election.candidates)) if c not in election.withdrawn]

    def add(
        self,
        action: str,
        subject: Sequence[int],
        totals: Sequence[int],
        *,
        exhausted: int,
        loss: int,
        transfer_value: int | None = None,
        quota: int | None = None,
    ) -> RawStage:
        stage = RawStage(action, list(subject), transfer_value, list(totals), exhausted, loss, quota=quota)
        self.stages.append(stage)
        self.ties.record(totals)
        return stage

    @property
    def last(self) -> RawStage:
        return self.stages[-1]

    def note(self, text: str) -> None:
        self.last.notes.append(text)

    def result(
        self,
        method: str,
        seats: int,
        quota: int | None,
        valid: int,
        elected: Sequence[int],
        constraints: Sequence[GroupMinimum] = (),
    ) -> CountResult:
        names = self.election.candidates
        p = self.places
        stages = []
        for number, raw in enumerate(self.stages, start=1):
            stages.append(
                Stage(
                    number=number,
                    action=raw.action,
                    subject=tuple(names[c] for c in raw.subject),
                    transfer_value=None if raw.transfer_value is None else fixed(raw.transfer_value, p),
                    totals={names[c]: fixed(raw.totals[c], p) for c in self.standing},
                    non_transferable=fixed(raw.exhausted + raw.loss, p),
                    exhausted=fixed(raw.exhausted, p),
                    elected=tuple(names[c] for c in raw.elected),
                    excluded=tuple(names[c] for c in raw.excluded),
                    notes=tuple(raw.notes),
                    quota=None if raw.quota is None else fixed(raw.quota, p),
                )
            )
        return CountResult(
            method=method,
            seats=seats,
            candidates=names,
            quota=None if quota is None else fixed(quota, p),
            valid_poll=fixed(valid, p),
            precision=p,
            elected=tuple(names[c] for c in elected),
            stages=tuple(stages),
            seed=self.ties.seed,
            title=self.election.title,
            withdrawn=tuple(names[c] for c in sorted(self.election.withdrawn)),
            notes=tuple(self.ties.notes),
            lots_drawn=self.ties.lots,
            constraints=tuple(constraints),
            tie_break=self.ties.rule.describe(),
        )
