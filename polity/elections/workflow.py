"""The election's states as an explicit transition table. Services check it; pages list from it.

draft → frozen (the freeze date published, the roll fixed) → nominations → polling (ballot paper
published, lot seed published) → closed (ballots sealed) → counted → published. Each step is taken by
the named returning officer, once, in order, and not before its time in the timetable.
"""

from __future__ import annotations

from dataclasses import dataclass

from polity.elections.models import State as S


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    source: str
    target: str


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("freeze", "Publish the freeze date and fix the roll", S.DRAFT, S.FROZEN),
        Step("open_nominations", "Open nominations", S.FROZEN, S.NOMINATIONS),
        Step("open_poll", "Publish the ballot paper and open the poll", S.NOMINATIONS, S.POLLING),
        Step("close", "Close the poll and seal the ballots", S.POLLING, S.CLOSED),
        Step("count", "Count the sealed ballots", S.CLOSED, S.COUNTED),
        Step("publish", "Publish the result", S.COUNTED, S.PUBLISHED),
    )
}

ORDER = [S.DRAFT, S.FROZEN, S.NOMINATIONS, S.POLLING, S.CLOSED, S.COUNTED, S.PUBLISHED]


def next_step(state: str) -> Step | None:
    return next((s for s in STEPS.values() if s.source == state), None)


def reached(state: str, milestone: str) -> bool:
    """Whether an election in `state` has reached `milestone` (e.g. closed: closed, counted, published)."""
    return ORDER.index(S(state)) >= ORDER.index(S(milestone))
