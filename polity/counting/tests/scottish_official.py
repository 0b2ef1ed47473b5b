"""Loading the official 2017 Scottish council counts and comparing a count with them."""

from __future__ import annotations

import atexit
import csv
import functools
import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

from polity.counting.result import CountResult

ARCHIVE = Path(__file__).resolve().parent / "data" / "scottish-stv.tar.xz"


@functools.cache
def shared_data_dir() -> Path:
    """The Scottish data folder, unpacked once per process from the archive kept beside the tests
    (data/README.md names its sources). A missing archive makes the tests fail, never skip."""
    target = Path(tempfile.mkdtemp(prefix="polity-scottish-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    with tarfile.open(ARCHIVE, "r:xz") as archive:
        archive.extractall(target, filter="data")
    return target / "scottish-stv"


@dataclass(frozen=True)
class OfficialCount:
    seats: int
    quota: int
    valid_poll: int
    # stages[k][surname-key] = total as published (a decimal string)
    stages: list[dict[tuple[str, str], str]]
    elected: set[tuple[str, str]]


def load_pairs(data: Path) -> list[tuple[Path, Path]]:
    with (data / "pairs-2017.csv").open(newline="") as fh:
        return [(data / row["blt"], data / row["official"]) for row in csv.DictReader(fh)]


def load_official(path: Path) -> OfficialCount:
    body = json.loads(path.read_text())["Constituency"]
    info, rows = body["countInfo"], body["countGroup"]
    count = max(int(r["Count_Number"]) for r in rows)
    stages: list[dict[tuple[str, str], str]] = [{} for _ in range(count)]
    elected = set()
    for r in rows:
        key = (r["Surname"].strip().lower(), r["Firstname"].strip().lower())
        stages[int(r["Count_Number"]) - 1][key] = str(r["Total_Votes"])
        if r["Status"] == "Elected":
            elected.add(key)
    return OfficialCount(
        int(info["Number_Of_Seats"]), int(info["Quota"]), int(info["Valid_Poll"]), stages, elected
    )


def match_names(ours: tuple[str, ...], official: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Pair official (surname, first names) with our BLT names ("First SURNAME (Party)")."""

    def squash(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalpha())

    if len(ours) == len(official) and all(
        squash(k[0]) in squash(n) for k, n in zip(official, ours, strict=True)
    ):
        return dict(zip(official, ours, strict=True))  # same ballot-paper order, surnames agree
    out: dict[tuple[str, str], str] = {}
    for key in official:
        surname, first = key
        exact = [n for n in ours if n.lower().startswith(f"{first} {surname}")]
        hits = exact or [n for n in ours if surname in n.lower()]
        if len(hits) > 1:
            hits = [n for n in hits if n.lower().startswith(first.split()[0])] or hits
        if len(hits) != 1:
            raise AssertionError(f"cannot pair official candidate {key} with {ours}")
        out[key] = hits[0]
    if len(set(out.values())) != len(out):
        raise AssertionError(f"official candidates pair twice with {ours}")
    return out


def agrees(ours: str, theirs: str) -> bool:
    """Does our total equal the published one at its precision (most print 5 places; some print
    fewer, rounded or cut)?"""
    places = len(theirs.split(".")[1]) if "." in theirs else 0
    step = Decimal(1).scaleb(-places)
    shown = Decimal(theirs)
    return shown in (Decimal(ours).quantize(step, ROUND_HALF_UP), Decimal(ours).quantize(step, ROUND_DOWN))


def differences(result: CountResult, official: OfficialCount) -> list[str]:
    """Every way our count departs from the official one (empty when they agree)."""
    problems: list[str] = []
    if Decimal(result.quota or "0") != official.quota:
        problems.append(f"quota {result.quota} != {official.quota}")
    if Decimal(result.valid_poll) != official.valid_poll:
        problems.append(f"valid poll {result.valid_poll} != {official.valid_poll}")
    names = match_names(result.candidates, list(official.stages[0]))
    if {names[k] for k in official.elected} != set(result.elected):
        problems.append(f"elected {sorted(result.elected)} != {sorted(names[k] for k in official.elected)}")
    if len(result.stages) != len(official.stages):
        problems.append(f"{len(result.stages)} stages != {len(official.stages)}")
    for number, (stage, theirs) in enumerate(zip(result.stages, official.stages, strict=False), start=1):
        for key, value in theirs.items():
            if not agrees(stage.totals[names[key]], value):
                problems.append(f"stage {number}: {names[key]} {stage.totals[names[key]]} != {value}")
    return problems
