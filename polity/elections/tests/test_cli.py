"""`polity election publish ID --out DIR` writes the bundle; `polity count` on its BLT repeats the result."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from polity.elections.services import ballot_cast, election_count


def test_publish_writes_the_bundle_that_recounts_the_same(walk, org, tmp_path):
    walk.freeze()
    walk.stand("member", "member2", "secretary")
    walk.open_poll()
    for name, ranking in (("national", [1, 2]), ("regional", [2]), ("branchsec", [3, 2]), ("member", [1])):
        ballot_cast(actor=org.actor(name), election=walk.election, ranking=ranking)
    walk.close()
    election_count(actor=walk.ro_actor(), election=walk.election)
    call_command("election", "publish", str(walk.election.pk), "--out", str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["README.txt", "ballots.blt", "chart.svg", "receipts.txt", "result.json", "stages.txt"]
    walk.election.refresh_from_db()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "polity.cli",
            "count",
            str(tmp_path / "ballots.blt"),
            "--method",
            "av",
            "--seed",
            str(walk.election.seed),
            "--format",
            "json",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == json.loads((tmp_path / "result.json").read_text())


def test_publish_before_the_count_is_refused_with_the_rule(walk, tmp_path):
    walk.freeze()
    with pytest.raises(CommandError, match="not published"):
        call_command("election", "publish", str(walk.election.pk), "--out", str(tmp_path))
