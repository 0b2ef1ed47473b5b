"""Properties every count must keep, on hypothesis-generated profiles (many with ties)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polity.counting import METHODS, CountResult, Election, GroupMinimum, count, parse_blt
from polity.counting.ties import TieBreak

STV = ("stv-scottish", "stv-ers97", "stv-meek")


@st.composite
def elections(draw: st.DrawFn, *, max_candidates: int = 7, tie_prone: bool = False) -> Election:
    n = draw(st.integers(2, max_candidates))
    ranking = st.permutations(list(range(n))).flatmap(lambda p: st.integers(1, n).map(lambda k: p[:k]))
    weight = st.integers(1, 3) if tie_prone else st.integers(1, 40)
    ballots = draw(st.lists(st.tuples(weight, ranking), min_size=1, max_size=4 if tie_prone else 25))
    seats = draw(st.integers(1, n - 1))
    withdrawn = draw(st.sets(st.integers(0, n - 1), max_size=1)) if n - seats >= 2 else set()
    return Election.from_rankings([f"C{i}" for i in range(n)], ballots, seats=seats, withdrawn=withdrawn)


def _standing(election: Election) -> int:
    return len(election.candidates) - len(election.withdrawn)


def check_conservation(result: CountResult) -> None:
    valid = Decimal(result.valid_poll)
    for stage in result.stages:
        held = sum(Decimal(v) for v in stage.totals.values())
        assert held + Decimal(stage.non_transferable) == valid, (result.method, stage)
        assert Decimal(stage.non_transferable) >= 0


def check_shape(result: CountResult, seats: int) -> None:
    assert [s.number for s in result.stages] == list(range(1, len(result.stages) + 1))
    assert len(result.elected) == seats
    assert len(set(result.elected)) == seats
    excluded = [c for s in result.stages for c in s.excluded]
    assert not set(excluded) & set(result.elected)
    elected_in_stages = [c for s in result.stages for c in s.elected]
    assert elected_in_stages == list(result.elected)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.integers(0, 2**31))
def test_stv_conserves_votes_and_fills_seats(election: Election, seed: int) -> None:
    if election.effective_ranks()[:, 0].max() < 0:
        return  # every ballot was for a withdrawn candidate
    for method in STV:
        result = count(election, method, seed=seed)
        check_conservation(result)
        check_shape(result, election.seats)
        assert count(election, method, seed=seed) == result  # a recount with the seed agrees


@settings(max_examples=80, deadline=None)
@given(elections(tie_prone=True), st.integers(0, 2**31))
def test_tie_heavy_profiles_are_counted_and_reproducible(election: Election, seed: int) -> None:
    if election.effective_ranks()[:, 0].max() < 0:
        return
    for method in METHODS:
        seats = 1 if method in ("av", "sv") else election.seats
        result = count(election, method, seats=seats, seed=seed)
        check_shape(result, seats)
        if method != "fptp":
            check_conservation(result)
        again = count(election, method, seats=seats, seed=seed)
        assert again == result
        assert result.seed == seed
        assert result.lots_drawn == len(result.notes)


@settings(max_examples=80, deadline=None)
@given(elections(), st.data())
def test_group_minimum_is_met(election: Election, data: st.DataObject) -> None:
    if election.effective_ranks()[:, 0].max() < 0:
        return
    standing = [c for i, c in enumerate(election.candidates) if i not in election.withdrawn]
    members = data.draw(st.sets(st.sampled_from(standing), min_size=1))
    minimum = data.draw(st.integers(1, min(len(members), election.seats)))
    rule = GroupMinimum("group", frozenset(members), minimum)
    for method in ("stv-scottish", "stv-ers97", "stv-meek", "fptp"):
        result = count(election, method, constraints=[rule])
        assert len(result.elected) == election.seats
        assert sum(1 for c in result.elected if c in members) >= minimum, (method, result.elected)
        if method != "fptp":
            check_conservation(result)


@st.composite
def elections_with_equal_preferences(draw: st.DrawFn) -> Election:
    """Ballots whose preferences come in groups, some of several equal candidates (droop's ``2=3``)."""
    n = draw(st.integers(2, 6))
    order = st.permutations(list(range(n)))
    cuts = st.lists(st.integers(1, n - 1), unique=True, max_size=n - 1).map(sorted)

    def grouped(pair: tuple[list[int], list[int]]) -> tuple[tuple[int, ...], ...]:
        perm, at = pair
        bounds = [0, *at, len(perm)]
        return tuple(tuple(perm[a:b]) for a, b in zip(bounds, bounds[1:], strict=False))

    ranking = (
        st.tuples(order, cuts).map(grouped).flatmap(lambda g: st.integers(1, len(g)).map(lambda k: g[:k]))
    )
    ballots = draw(st.lists(st.tuples(st.integers(1, 30), ranking), min_size=1, max_size=15))
    seats = draw(st.integers(1, n - 1))
    lines = [f"{n} {seats}"]
    lines += [" ".join([str(w), *("=".join(str(c + 1) for c in g) for g in r), "0"]) for w, r in ballots]
    lines += ["0", *(f"C{i}" for i in range(n))]
    return parse_blt("\n".join(lines).encode())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections_with_equal_preferences(), st.integers(0, 2**31))
def test_meek_with_equal_preferences_conserves_votes(election: Election, seed: int) -> None:
    result = count(election, "stv-meek", seed=seed)
    check_conservation(result)
    check_shape(result, election.seats)
    assert count(election, "stv-meek", seed=seed) == result


@settings(max_examples=60, deadline=None)
@given(elections(tie_prone=True), st.randoms(use_true_random=False))
def test_ordered_tie_breaks_draw_no_lot(election: Election, rng: object) -> None:
    if election.effective_ranks()[:, 0].max() < 0:
        return
    names = list(election.candidates)
    rng.shuffle(names)  # type: ignore[attr-defined]
    for ties in (TieBreak("candidate-order"), TieBreak("permutation", tuple(names))):
        for method in METHODS:
            seats = 1 if method in ("av", "sv") else election.seats
            result = count(election, method, seats=seats, ties=ties)
            check_shape(result, seats)
            assert result.lots_drawn == 0
            assert result.tie_break == ties.describe()
            assert count(election, method, seats=seats, ties=ties) == result
