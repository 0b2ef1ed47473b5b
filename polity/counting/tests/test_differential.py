"""Our FPTP, AV and SV against independent implementations (pref_voting, pyrankvote) on random
profiles, where the rules coincide and no tie can matter (profiles with a tie that matters are skipped,
and the test insists that most profiles are used)."""

from __future__ import annotations

import warnings

import numpy as np
import pyrankvote
from pref_voting import voting_methods as vm
from pref_voting.profiles_with_ties import ProfileWithTies

from polity.counting import CountResult, Election, count

PROFILES = 150


def random_profile(
    rng: np.random.Generator, max_len: int | None = None
) -> tuple[list[str], list[tuple[int, list[int]]]]:
    n = int(rng.integers(3, 7))
    names = [f"C{i}" for i in range(n)]
    ballots = []
    appeal = rng.random(n) * 2
    for _ in range(int(rng.integers(5, 40))):
        order = list(np.argsort(-(appeal + rng.gumbel(size=n))))
        length = int(rng.integers(1, (max_len or n) + 1))
        ballots.append((int(rng.integers(1, 30)), [int(c) for c in order[:length]]))
    return names, ballots


def pref_profile(n: int, ballots: list[tuple[int, list[int]]]) -> ProfileWithTies:
    rankings = [{c: i + 1 for i, c in enumerate(r)} for _, r in ballots]
    return ProfileWithTies(rankings, rcounts=[w for w, _ in ballots], candidates=list(range(n)))


def index(result: CountResult) -> list[int]:
    return [result.candidates.index(c) for c in result.elected]


def exclusions_were_clear(result: CountResult) -> bool:
    """Was every excluded candidate the unique lowest (so tie rules never mattered)?"""
    continuing = set(result.candidates)
    for before, stage in zip(result.stages, result.stages[1:], strict=False):
        low = min(int(before.totals[c]) for c in continuing)
        if sum(1 for c in continuing if int(before.totals[c]) == low) > 1:
            return False
        continuing -= set(stage.excluded)
    return True


def test_fptp_matches_pref_voting_plurality() -> None:
    rng = np.random.default_rng(1)
    used = 0
    for _ in range(PROFILES):
        names, ballots = random_profile(rng)
        result = count(Election.from_rankings(names, ballots), "fptp")
        totals = sorted((int(v) for v in result.stages[0].totals.values()), reverse=True)
        if totals[0] == totals[1]:
            continue
        used += 1
        assert vm.plurality(pref_profile(len(names), ballots)) == index(result)
    assert used > PROFILES * 0.7


def test_block_fptp_top_k_by_first_preferences_for_single_mark_ballots() -> None:
    """With one mark per ballot the block vote is plain plurality ranking: compare the top k."""
    rng = np.random.default_rng(2)
    for _ in range(PROFILES):
        names, ballots = random_profile(rng, max_len=1)
        result = count(Election.from_rankings(names, ballots, seats=2), "fptp")
        totals = sorted((int(v) for v in result.stages[0].totals.values()), reverse=True)
        if totals[1] == totals[2]:
            continue
        ranking = vm.plurality_ranking(pref_profile(len(names), ballots))
        top2 = set(sorted(ranking.rmap, key=lambda c: ranking.rmap[c])[:2])
        assert top2 == set(index(result))


def test_av_matches_pref_voting_and_pyrankvote() -> None:
    rng = np.random.default_rng(3)
    used = 0
    for _ in range(PROFILES):
        names, ballots = random_profile(rng)
        result = count(Election.from_rankings(names, ballots), "av")
        if not exclusions_were_clear(result):
            continue
        used += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = vm.instant_runoff_for_truncated_linear_orders(pref_profile(len(names), ballots))
        assert theirs == index(result), (names, ballots)
        cands = [pyrankvote.Candidate(n) for n in names]
        prv_ballots = [
            pyrankvote.Ballot(ranked_candidates=[cands[c] for c in r]) for w, r in ballots for _ in range(w)
        ]
        winners = pyrankvote.instant_runoff_voting(cands, prv_ballots).get_winners()
        assert [w.name for w in winners] == list(result.elected)
    assert used > PROFILES * 0.5


def test_sv_matches_plurality_with_runoff_on_two_preference_ballots() -> None:
    """With at most two preferences per ballot, the supplementary vote and a plurality run-off between
    the top two agree."""
    rng = np.random.default_rng(4)
    used = 0
    for _ in range(PROFILES):
        names, ballots = random_profile(rng, max_len=2)
        result = count(Election.from_rankings(names, ballots), "sv")
        first = sorted((int(v) for v in result.stages[0].totals.values()), reverse=True)
        if first[1] == first[2] or first[0] == first[1]:
            continue
        if len(result.stages) > 1:
            finals = sorted((int(v) for v in result.stages[1].totals.values()), reverse=True)
            if finals[0] == finals[1]:
                continue
        used += 1
        profile = pref_profile(len(names), ballots)
        profile.use_extended_strict_preference()  # a ballot ranks its marked candidates above the rest
        assert vm.plurality_with_runoff_put(profile) == index(result)
    assert used > PROFILES * 0.5


def test_scottish_stv_matches_pref_voting_stv_scottish() -> None:
    """pref_voting's stv_scottish implements the same Order (WIGM, five places, look-back ties);
    profiles where we had to draw a lot are skipped."""
    import random

    from pref_voting.proportional_methods import stv_scottish

    rng = np.random.default_rng(11)
    used = 0
    for _ in range(100):
        names, ballots = random_profile(rng)
        seats = int(rng.integers(2, len(names)))
        result = count(Election.from_rankings(names, ballots, seats=seats), "stv-scottish")
        if result.lots_drawn:
            continue
        used += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = stv_scottish(pref_profile(len(names), ballots), num_seats=seats, rng=random.Random(0))
        assert sorted(theirs) == sorted(index(result)), (seats, ballots)
    assert used > 80
