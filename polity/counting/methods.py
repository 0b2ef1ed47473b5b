"""The counting methods by name, and :func:`count` to run one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from polity.counting.constraints import GroupMinimum
from polity.counting.election import Election
from polity.counting.errors import CountError
from polity.counting.plurality import count_fptp
from polity.counting.result import CountResult
from polity.counting.runoff import count_av, count_sv
from polity.counting.stv_ers97 import count_stv_ers97
from polity.counting.stv_meek import count_stv_meek
from polity.counting.stv_scottish import count_stv_scottish
from polity.counting.ties import TieBreak


class Method(Protocol):
    def __call__(
        self,
        election: Election,
        *,
        seats: int | None = None,
        seed: int = 0,
        constraints: Sequence[GroupMinimum] = (),
        ties: TieBreak | None = None,
    ) -> CountResult: ...


METHODS: dict[str, Method] = {
    "fptp": count_fptp,
    "av": count_av,
    "sv": count_sv,
    "stv-scottish": count_stv_scottish,
    "stv-ers97": count_stv_ers97,
    "stv-meek": count_stv_meek,
}


def count(
    election: Election,
    method: str,
    *,
    seats: int | None = None,
    seed: int = 0,
    constraints: Sequence[GroupMinimum] = (),
    ties: TieBreak | None = None,
) -> CountResult:
    """Count ``election`` by ``method`` (a key of :data:`METHODS`) with the lot seed fixed beforehand.

    ``ties`` decides what the rule's own look-back leaves equal (default: lot with ``seed``)."""
    try:
        run = METHODS[method]
    except KeyError:
        raise CountError(f"unknown method {method!r}; choose from {', '.join(METHODS)}") from None
    return run(election, seats=seats, seed=seed, constraints=constraints, ties=ties)
