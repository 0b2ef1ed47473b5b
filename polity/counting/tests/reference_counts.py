"""Loading the reference counts of other programs (RCTab, droop, OpenSTV) and pairing them with ours.

The data is kept beside the tests (`data/reference-counts.tar.xz`; its README names sources, licences
and the differences found) and unpacked once per process into a temporary folder.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from polity.counting.result import CountResult

ARCHIVE = Path(__file__).resolve().parent / "data" / "reference-counts.tar.xz"


@functools.cache
def reference_dir() -> Path:
    """The reference folder, unpacked once per process. A missing archive fails the tests, never skips."""
    target = Path(tempfile.mkdtemp(prefix="polity-reference-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    with tarfile.open(ARCHIVE, "r:xz") as archive:
        archive.extractall(target, filter="data")
    return target / "reference-counts"


def rctab_cases() -> list[str]:
    """Every converted RCTab case, the 1,041,313-ballot scale copy of Minneapolis 2013 included."""
    folder = reference_dir() / "rctab"
    return sorted(p.name.removesuffix(".expected.json") for p in folder.glob("*.expected.json"))


# --- RCTab ------------------------------------------------------------------------------------------


@dataclass
class RctabComparison:
    """How our count lines up with RCTab's rounds. Every RCTab round is paired with our stage of the
    same continuing candidates, or accounted for by a documented rule choice."""

    paired: list[tuple[int, int]] = field(default_factory=list)  # (RCTab round, our stage)
    tally_differences: list[str] = field(default_factory=list)
    withdrawn_rounds: list[int] = field(default_factory=list)  # rounds still holding withdrawn candidates
    batches: list[tuple[int, int]] = field(default_factory=list)  # (round, candidates eliminated together)
    unexplained: list[str] = field(default_factory=list)
    after_our_winner: list[int] = field(default_factory=list)  # continueUntilTwoCandidatesRemain rounds
    after_a_tie: list[int] = field(default_factory=list)  # rounds whose candidates differ after a tie
    our_ties: list[int] = field(default_factory=list)  # our stages that chose among equal candidates
    rctab_winner: str | None = None


def our_continuing(result: CountResult) -> list[frozenset[str]]:
    """The candidates still continuing at the end of each of our stages."""
    out = []
    gone: set[str] = set(result.withdrawn)
    for stage in result.stages:
        gone |= set(stage.excluded)
        out.append(frozenset(c for c in result.candidates if c not in gone))
    return out


def our_tie_stages(result: CountResult) -> list[int]:
    """Stages whose exclusion (or final election) chose among candidates with equal totals."""
    ties = []
    stages = result.stages
    continuing = our_continuing(result)
    for k, stage in enumerate(stages):
        if stage.excluded and k > 0:
            before = stages[k - 1].totals
            for c in stage.excluded:
                others = [d for d in continuing[k - 1] if d != c and before[d] == before[c]]
                if others:
                    ties.append(stage.number)
        if stage.elected:
            winner = stage.elected[0]
            if any(d != winner and stage.totals[d] == stage.totals[winner] for d in continuing[k]):
                ties.append(stage.number)
    return ties


def compare_rctab(expected: dict[str, Any], result: CountResult) -> RctabComparison:
    rules = expected["rules"]
    rounds = expected["expected"]["results"]
    withdrawn = set(result.withdrawn)
    continuing = our_continuing(result)
    comparison = RctabComparison(our_ties=our_tie_stages(result))
    for r in rounds:
        for item in r["tallyResults"]:
            if item.get("elected"):
                comparison.rctab_winner = item["elected"]
    last_paired: tuple[int, int] | None = None
    for r in rounds:
        number = r["round"]
        # RCTab lists "Undeclared Write-ins" with 0 votes even where no ballot names it (so the
        # conversion has no such candidate): such a candidate plays no part in the count
        tally = {
            name: Decimal(v) for name, v in r["tally"].items() if name in result.candidates or Decimal(v) != 0
        }
        eliminated = [item["eliminated"] for item in r["tallyResults"] if item.get("eliminated")]
        if set(tally) & withdrawn:
            # The conversion withdrew candidates RCTab eliminates in its first round: RCTab's tallies
            # plus what it transfers from them must be our first stage.
            comparison.withdrawn_rounds.append(number)
            if number != 1 or not set(eliminated) <= withdrawn:
                comparison.unexplained.append(f"round {number} holds withdrawn candidates")
                continue
            moved = {
                name: Decimal(v)
                for item in r["tallyResults"]
                if item.get("eliminated") in withdrawn
                for name, v in item["transfers"].items()
            }
            first = result.stages[0].totals
            for name in tally:
                if name not in withdrawn and tally[name] + moved.get(name, Decimal(0)) != Decimal(
                    first[name]
                ):
                    comparison.tally_differences.append(
                        f"round 1 + transfers from withdrawn, {name}: {tally[name] + moved.get(name, 0)} "
                        f"vs our stage 1 {first[name]}"
                    )
            last_paired = (number, 1)
            comparison.paired.append(last_paired)
            continue
        keys = frozenset(tally)
        matches = [k for k, names in enumerate(continuing) if names == keys]
        if not matches:
            if (
                last_paired is not None
                and last_paired[1] == len(result.stages)
                and rules.get("continueUntilTwoCandidatesRemain")
            ):
                comparison.after_our_winner.append(number)
            elif comparison.our_ties and (
                last_paired is None or min(comparison.our_ties) <= last_paired[1] + 1
            ):
                comparison.after_a_tie.append(number)
            else:
                comparison.unexplained.append(f"round {number} ({sorted(keys)}) is not one of our stages")
            continue
        stage_index = matches[0]
        totals = result.stages[stage_index].totals
        for name, votes in tally.items():
            if Decimal(totals[name]) != votes:
                comparison.tally_differences.append(
                    f"round {number}, {name}: RCTab {votes}, our stage {stage_index + 1} {totals[name]}"
                )
        if last_paired is not None and last_paired[0] == number - 1:
            # what RCTab eliminated in the previous round is what we excluded in between
            previous = next(x for x in rounds if x["round"] == number - 1)
            rctab_gone = {
                i["eliminated"]
                for i in previous["tallyResults"]
                if i.get("eliminated") in result.candidates  # not a write-in nobody named
            }
            ours_gone = {c for s in result.stages[last_paired[1] : stage_index + 1] for c in s.excluded}
            if last_paired[0] not in comparison.withdrawn_rounds and rctab_gone != ours_gone:
                comparison.unexplained.append(
                    f"round {number - 1}: RCTab eliminated {sorted(rctab_gone)}, we {sorted(ours_gone)}"
                )
            if len(rctab_gone - withdrawn) > 1:
                comparison.batches.append((number - 1, len(rctab_gone - withdrawn)))
        last_paired = (number, stage_index + 1)
        comparison.paired.append(last_paired)
    return comparison
