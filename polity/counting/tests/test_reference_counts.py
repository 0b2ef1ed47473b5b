"""Every case of the reference counts of other programs (data/reference-counts.tar.xz), counted by us.

* RCTab (instant run-off, 51 cases): every RCTab round is paired with our stage of the same continuing
  candidates and every tally must be equal. What cannot pair is asserted as the rule choice behind it:
  RCTab eliminates in batches (we exclude one at a time and reach the same candidates), RCTab breaks
  ties at random or by candidate order without looking back (we look back first, then lot), RCTab can
  continue past a majority, and RCTab "elects" with no vote at all (we refuse).
* droop (Meek, PR Foundation reference rule, 9 places): the same exclusions in the same order with
  every candidate's vote within our stopping tolerance (0.00001) at each, and the same elected; one
  documented rule difference (droop takes candidates within the surplus of the lowest as tied).
* ERS97 on every STV file: the stage invariants, the quota in force at every stage, sequential deeming,
  and OpenSTV's published outcome for the three files written to reproduce its differences.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from polity.counting import CountError, CountResult, count, parse_blt, read_blt
from polity.counting.tests.reference_counts import compare_rctab, rctab_cases, reference_dir
from polity.counting.ties import TieBreak

REF = reference_dir()
RCTAB = REF / "rctab"
STV = REF / "stv"

# RCTab's tie-break modes we can follow: useCandidateOrder = our candidate-order (after our look-back).
# random, generatePermutation and stopCountingAndAsk cannot be reproduced: our seeded lot decides.
RCTAB_TIE_MODES = {"useCandidateOrder": TieBreak("candidate-order")}


def rctab_expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RCTAB / f"{case}.expected.json").read_text())
    return data


def count_rctab(case: str) -> CountResult:
    expected = rctab_expected(case)
    ties = RCTAB_TIE_MODES.get(expected["rules"]["tiebreakMode"])
    return count(read_blt(RCTAB / f"{case}.blt"), "av", ties=ties)


def test_all_rctab_cases_are_here() -> None:
    report = json.loads((RCTAB / "conversion_report.json").read_text())
    converted = sorted(name for name, entry in report.items() if entry["status"] == "converted")
    assert len(converted) == 51  # 50 cases and the 1,041,313-ballot scale copy
    assert rctab_cases() == converted


@pytest.mark.parametrize("case", [c for c in rctab_cases() if c != "nist_xml_cdf_2"])
def test_rctab_case(case: str) -> None:
    expected = rctab_expected(case)
    rules = expected["rules"]
    rounds = expected["expected"]["results"]
    result = count_rctab(case)
    comparison = compare_rctab(expected, result)

    assert comparison.tally_differences == []
    assert comparison.unexplained == []
    assert comparison.paired, "at least one round is compared"
    # every round is paired or stands after a documented rule choice
    assert len(comparison.paired) + len(comparison.after_our_winner) + len(comparison.after_a_tie) == len(
        rounds
    )
    if comparison.batches:
        assert rules["batchElimination"], "several eliminated in one round only under batch elimination"
    if comparison.after_our_winner:
        assert rules["continueUntilTwoCandidatesRemain"]
    if comparison.after_a_tie:
        assert comparison.our_ties
    # the winner is RCTab's, unless a tie decided it (RCTab: random, or candidate order without looking
    # back; we: the last round where they differed, then lot) or RCTab stopped before electing anyone
    if comparison.rctab_winner is None:
        assert rules["stopTabulationEarlyAfterRound"] == str(len(rounds))
    elif result.elected[0] != comparison.rctab_winner:
        assert comparison.our_ties, "winners differ only at ties"
        assert rules["tiebreakMode"] in {"random", "useCandidateOrder", "generatePermutation"}


def test_rctab_minneapolis_2013_every_round_equal() -> None:
    """The largest published case: 35 candidates and a write-in line, 80,101 ballots, 33 rounds."""
    expected = rctab_expected("2013_minneapolis_mayor")
    result = count_rctab("2013_minneapolis_mayor")
    comparison = compare_rctab(expected, result)
    assert len(comparison.paired) == 33 == len(expected["expected"]["results"])
    assert comparison.batches == [(31, 2), (32, 2)]  # RCTab's last two rounds eliminate two at once
    assert result.elected == ("BETSY HODGES",)


def test_rctab_no_valid_vote_is_refused_where_rctab_draws_a_winner() -> None:
    """nist_xml_cdf_2: one ballot with no mark. RCTab eliminates and elects by lot on zero votes;
    we report that nothing can be counted (issue 15, fix 5)."""
    expected = rctab_expected("nist_xml_cdf_2")
    assert all(Decimal(v) == 0 for r in expected["expected"]["results"] for v in r["tally"].values())
    with pytest.raises(CountError, match="no valid vote"):
        count_rctab("nist_xml_cdf_2")


def test_rctab_summary() -> None:
    """The figures quoted in docs/counting.md."""
    paired = rounds = same_winner = 0
    other_winner = []
    for case in rctab_cases():
        expected = rctab_expected(case)
        rounds += len(expected["expected"]["results"])
        if case == "nist_xml_cdf_2":
            continue
        result = count_rctab(case)
        comparison = compare_rctab(expected, result)
        paired += len(comparison.paired)
        if result.elected[0] == comparison.rctab_winner:
            same_winner += 1
        else:
            other_winner.append(case)
    assert len(rctab_cases()) == 51
    assert (paired, rounds, same_winner) == (262, 284, 45)
    assert other_winner == [
        "first_round_determines_threshold_tiebreaker_test",  # a tie: RCTab's random draw, our lot
        "missing_precinct_example",  # a tie: RCTab's candidate order, our look-back to round 3
        "stop_tabulation_early_test",  # RCTab stops after round 1 by configuration, electing nobody
        "test_set_treat_blank_as_undeclared_write_in",  # a tie: RCTab's random draw, our look-back
        "tiebreak_seed_test",  # a tie: RCTab's random draw, our lot
    ]


# --- droop's Meek reference counts -------------------------------------------------------------------

DROOP_REFS = sorted(p.name.split("-meek-prf")[0] for p in (STV / "droop-ref").glob("*.txt"))
TOLERANCE = Decimal("0.00001")  # our Meek stopping threshold: total surplus below 0.00001


def droop_reference(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((STV / "droop-ref" / f"{name}-meek-prf-o6-fixed-p9-d9.txt").read_text())
    return data


def count_like_droop(name: str) -> tuple[CountResult, dict[str, Any]]:
    """Our Meek count with droop's published tie order: droop defeats the first of tied candidates in
    its order, our permutation excludes the last, so we pass it reversed."""
    ref = droop_reference(name)
    by_tie = sorted(ref["cdict"].values(), key=lambda c: c["tie_order"])
    ties = TieBreak("permutation", tuple(c["name"] for c in reversed(by_tie)))
    return count(read_blt(STV / f"droop_{name}.blt"), "stv-meek", seats=ref["seats"], ties=ties), ref


def droop_defeats(ref: dict[str, Any]) -> list[tuple[str, dict[str, Decimal], Decimal]]:
    """(candidate, every candidate's vote, surplus) at each of droop's defeats."""
    names = {cid: c["name"] for cid, c in ref["cdict"].items()}
    out = []
    for action in ref["actions"]:
        if action["tag"] == "defeat" and not action["msg"].startswith("Defeat remaining"):
            who = action["msg"].rsplit(": ", 1)[1]
            votes = {
                names[cid]: Decimal(state["vote"])
                for cid, state in action["cstate"].items()
                if "vote" in state
            }
            out.append((who, votes, Decimal(action["surplus"])))
    return out


def droop_elected(ref: dict[str, Any]) -> set[str]:
    names = {cid: c["name"] for cid, c in ref["cdict"].items()}
    return {names[cid] for cid, s in ref["actions"][-1]["cstate"].items() if s["state"] == "elected"}


@pytest.mark.parametrize("name", [n for n in DROOP_REFS if n != "SC-Vm-12"])
def test_droop_meek_reference(name: str) -> None:
    result, ref = count_like_droop(name)
    assert result.quota is not None
    assert Decimal(result.stages[0].totals[result.candidates[0]]) >= 0
    assert set(result.elected) == droop_elected(ref)
    defeats = droop_defeats(ref)
    ours = [(stage, c) for stage in result.stages for c in stage.excluded]
    assert [c for _, c in ours] == [who for who, _, _ in defeats]
    for (stage, who), (_, votes, _) in zip(ours, defeats, strict=True):
        for candidate, vote in votes.items():
            if vote:  # droop reports defeated and withdrawn candidates as 0
                assert abs(Decimal(stage.totals[candidate]) - vote) <= TOLERANCE, (who, candidate)
    # the first round is exact: no iteration has happened yet
    first = next(a for a in ref["actions"] if a["tag"] == "begin")
    assert Decimal(first["quota"]) == Decimal(result.stages[0].quota or "0")


def test_droop_meek_voting_matters_12_differs_by_droops_tie_rule() -> None:
    """SC-Vm-12 (Voting matters 12, on the accuracy Meek needs): X, Y and Z end round 2 within a
    millionth of a vote. droop's PRF rule takes candidates within the total surplus of the lowest as
    tied and defeats X by its tie order; we compare the votes as they are and exclude Z, the lowest, so
    X is elected where droop elects Y. A rule choice, not an arithmetic difference: the votes agree."""
    result, ref = count_like_droop("SC-Vm-12")
    (who, votes, surplus), *_ = droop_defeats(ref)
    assert who == "X"
    xyz = [votes[c] for c in ("X", "Y", "Z")]
    assert max(xyz) - min(xyz) <= surplus  # droop: effectively tied
    round_two = result.stages[1]
    assert round_two.excluded == ("Z",)
    ours = {c: Decimal(round_two.totals[c]) for c in ("X", "Y", "Z")}
    assert ours["Z"] < ours["Y"] < ours["X"]
    for c in ("X", "Y", "Z"):
        assert abs(ours[c] - votes[c]) <= TOLERANCE
    assert droop_elected(ref) == {"A", "B", "Y"}
    assert set(result.elected) == {"A", "B", "X"}


# --- droop's dialect and its Meek files with equal preferences ----------------------------------------


def droop_original(name: str, nick_line: bytes) -> bytes:
    """The copies in reference-counts were normalised; droop's meek/eq files name candidates by
    nickname, so the copy still holds ``b=c``: give the ``[nick ...]`` line back as droop has it."""
    data = (STV / name).read_bytes()
    header, rest = data.split(b"\n", 1)
    return header + b"\n" + nick_line + b"\n" + rest


def test_droop_meek_equal_preferences_eq1() -> None:
    election = parse_blt(droop_original("droop_meek_eq1.blt", b"[nick a b c]"))
    assert election.equal_ballots == ((1, ((1, 2),)),)
    result = count(election, "stv-meek")
    first = result.stages[0].totals
    # the b=c ballot is split equally between B and C
    assert (first["A"], first["B"], first["C"]) == ("5.000000000", "0.500000000", "3.500000000")
    assert result.quota == "3.000000001"
    assert result.elected == ("A", "C")


def test_droop_meek_equal_preferences_eq2() -> None:
    election = parse_blt(droop_original("droop_meek_eq2.blt", b"[nick a b c d]"))
    result = count(election, "stv-meek")
    first = result.stages[0].totals
    # 5 a b=c d; 1 b=c a; 3 c=d b=a; 2 b a=d c
    assert (first["A"], first["B"], first["C"], first["D"]) == (
        "5.000000000",
        "2.500000000",
        "2.000000000",
        "1.500000000",
    )
    for stage in result.stages:  # nothing is lost: totals + excess = valid poll
        total = sum(Decimal(v) for v in stage.totals.values()) + Decimal(stage.non_transferable)
        assert total == Decimal(result.valid_poll)
    assert set(result.elected) == {"A", "C"}


@pytest.mark.parametrize("method", ["fptp", "stv-scottish", "stv-ers97"])
def test_equal_preferences_refused_by_rule_name(method: str) -> None:
    election = parse_blt(droop_original("droop_meek_eq1.blt", b"[nick a b c]"))
    with pytest.raises(CountError, match=r"equal preferences \(e\.g\. 1=2\) are not defined by the"):
        count(election, method)


# --- ERS97 on every STV file ---------------------------------------------------------------------------

STV_FILES = sorted(p.name for p in STV.glob("*.blt") if not p.name.startswith("droop_meek_eq"))
REPRO_FILES = sorted(p.name for p in (REF / "repro").glob("*.blt"))


def stv_seats(name: str) -> int | None:
    seats: dict[str, int] = json.loads((STV / "seats.json").read_text())
    return seats.get(name)


def check_ers97_stages(result: CountResult) -> None:
    """What every ERS97 count must show at every stage."""
    valid = Decimal(result.valid_poll)
    elected: list[str] = []
    excluded: list[str] = []
    for stage in result.stages:
        assert stage.quota is not None, "the quota in force is in every stage"
        total = sum(Decimal(v) for v in stage.totals.values()) + Decimal(stage.non_transferable)
        assert total == valid, f"stage {stage.number}: totals + non-transferable = valid poll"
        quota = Decimal(stage.quota)
        unfilled = result.seats - len(elected)
        for c in stage.elected:
            assert c not in elected and c not in excluded
            elected.append(c)
        excluded.extend(stage.excluded)
        if stage.action == "exclusion":
            assert set(stage.subject) <= set(excluded), "the excluded are listed as excluded"
        # nobody continuing is left at the quota after the stage's elections (5.1.7, 5.4.9)
        if len(elected) < result.seats:
            for c, v in stage.totals.items():
                if c not in elected and c not in excluded and c not in result.withdrawn:
                    assert Decimal(v) < quota or unfilled == 0, f"stage {stage.number}: {c} at the quota"
    assert tuple(elected) == result.elected
    assert len(result.elected) == result.seats
    # the quota only falls, and only while nobody is elected (5.4.8)
    quotas = [Decimal(s.quota or 0) for s in result.stages]
    assert quotas == sorted(quotas, reverse=True)
    assert result.quota == result.stages[-1].quota


@pytest.mark.parametrize("name", STV_FILES)
def test_ers97_every_stv_file(name: str) -> None:
    result = count(read_blt(STV / name), "stv-ers97", seats=stv_seats(name))
    check_ers97_stages(result)


@pytest.mark.parametrize("name", REPRO_FILES)
def test_ers97_openstv_outcomes_of_the_repro_files(name: str) -> None:
    """OpenSTV's ERS97 count of the files written to show the differences (repro/stv_results.json):
    the same quota and the same elected, now also in the same stages."""
    published = {
        (r["file"], r["method"]): r for r in json.loads((REF / "repro" / "stv_results.json").read_text())
    }
    openstv = published[(name, "stv-ers97")]
    result = count(read_blt(REF / "repro" / name), "stv-ers97")
    check_ers97_stages(result)
    assert result.quota == openstv["quota"][1]
    assert set(result.elected) == set(openstv["ref_elected"])
    assert len(result.stages) == openstv["ref_rounds"]
    meek = published[(name, "stv-meek")]
    assert set(count(read_blt(REF / "repro" / name), "stv-meek").elected) == set(meek["ref_elected"])


def test_ers97_deems_one_at_a_time_with_the_threshold_worked_out_again() -> None:
    """Fix 1 (5.4.9): at the exclusion of B, F reaches the threshold; once F is elected the threshold
    is worked out again and E reaches it too, so both are elected at that stage without a further
    transfer (OpenSTV: round 3 elects E and F)."""
    result = count(read_blt(REF / "repro" / "ers97_deem_sequential.blt"), "stv-ers97")
    last = result.stages[-1]
    assert last.action == "exclusion" and last.subject == ("B",)
    assert last.elected == ("F", "E")
    assert len(result.stages) == 4
    assert result.elected == ("A", "F", "E")


def test_ers97_zero_paper_exclusion_is_a_stage() -> None:
    """Fix 2: D holds no papers; its exclusion is still a stage listing D as excluded."""
    result = count(read_blt(REF / "repro" / "ers97_zero_vote_exclusion.blt"), "stv-ers97")
    zero = [s for s in result.stages if s.subject == ("D",)]
    assert len(zero) == 1
    assert zero[0].action == "exclusion" and zero[0].excluded == ("D",)
    assert "no papers to transfer" in zero[0].notes


def test_ers97_glasgow_partick_west_elects_colleran_once_mason_is_elected() -> None:
    """Fix 1 on real ballots: after batch 1 of Sullivan's exclusion Mason passes the quota; with Mason
    elected the threshold falls below Colleran's 2281.48 and she is deemed elected at the same stage,
    so batch 2 of Sullivan's papers no longer reaches her."""
    result = count(read_blt(STV / "glasgow2007_Partick-West-2007.blt"), "stv-ers97")
    stage4 = result.stages[3]
    assert stage4.subject == ("Richard Alan Sullivan",)
    assert stage4.elected == ("Christopher Mason", "Aileen Colleran")
    assert stage4.totals["Aileen Colleran"] == "2281.48"
    assert result.stages[4].totals["Aileen Colleran"] == "2281.48"  # receives nothing more
    assert result.elected == ("Kenny McLean", "Christopher Mason", "Aileen Colleran", "Stuart Clay")


def test_ers97_quota_per_stage_is_reported() -> None:
    """Fix 6: under 5.4.8 the quota falls with the non-transferable votes while nobody is elected;
    every stage carries the quota in force, and it appears in the JSON output."""
    falling = []
    for name in STV_FILES:
        result = count(read_blt(STV / name), "stv-ers97", seats=stv_seats(name))
        if len({s.quota for s in result.stages}) > 1:
            falling.append(name)
    assert falling, "some reference file has a quota that changes during the count"


# --- the small edge files --------------------------------------------------------------------------------


def test_edge_bom_blt_is_read_like_the_csv() -> None:
    blt = read_blt(REF / "edge" / "bom.blt")
    assert blt.candidates == ("A", "B", "C")
    assert count(blt, "av").elected == ("A",)


@pytest.mark.parametrize("name", ["all_empty.blt", "only_withdrawn_votes.blt"])
def test_edge_no_valid_vote(name: str) -> None:
    election = read_blt(REF / "edge" / name)
    for method in ("fptp", "av", "sv", "stv-scottish", "stv-ers97", "stv-meek"):
        with pytest.raises(CountError, match="no valid vote"):
            count(election, method, seats=1)


def test_edge_files_each_have_an_outcome(tmp_path: Path) -> None:
    """Every other edge file is either counted or refused with a message naming the fault."""
    from polity.counting import BallotFileError, read_ballot_file

    outcomes = {}
    for path in sorted((REF / "edge").iterdir()):
        if path.name in {"all_empty.blt", "only_withdrawn_votes.blt"}:
            continue
        try:
            election = read_ballot_file(path)
            outcomes[path.name] = count(election, "stv-scottish").elected
        except (BallotFileError, CountError) as exc:
            outcomes[path.name] = (str(exc).split(": ", 1)[-1],)
    assert outcomes == {
        "bom.blt": ("A",),
        "bom.csv": ("A",),
        "seats_eq_cands.blt": ("A", "B", "C"),
        "simple.csv": ("A",),
        "trailing_text.blt": ("wrong counts: unexpected text after the title: 'extra'",),
        "withdrawn_too_many.blt": ("2 seats for 1 standing candidates",),
        "zero_cand.blt": ("A", "B"),  # C has no vote: the seats are filled without it
    }
