"""The count runs on the sealed ballots with the published seed; the bundle's BLT reproduces it exactly
with `polity count`; a recount agrees; ballots changed after the seal are refused, not counted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import make_person
from polity.accounts.models import User
from polity.elections.models import Ballot, RollEntry
from polity.elections.rules import SEAL, ElectionRefused
from polity.elections.services import (
    GroupSpec,
    ballot_cast,
    election_count,
    election_create,
    election_publish,
    election_recount,
)
from polity.elections.services.count import bundle


def _stv(walk, org, groups=()):
    walk.election = election_create(
        actor=org.actor("national"),
        title="North executive",
        office="Regional executive",
        unit=org.units["north"],
        method="stv-scottish",
        seats=2,
        returning_officer=walk.ro,
        groups=groups,
    )
    walk.freeze()
    return walk.election


def _voters(walk, org, rankings):
    election = walk.election
    for i, ranking in enumerate(rankings):
        p = make_person(org.units["north_b_1"], f"Voter{i}", "Count")
        RollEntry.objects.create(election=election, person=p)
        org.users[f"c{i}"] = User.objects.create_user(username=f"c{i}", password="x-pass-word-1", person=p)
        ballot_cast(actor=org.actor(f"c{i}"), election=election, ranking=ranking)


def _counted(walk, org, groups=(), group_of=None):
    _stv(walk, org, groups)
    walk.stand("member", "member2", "secretary", "branchsec", groups=group_of or {})
    walk.open_poll()
    pos = walk.positions()
    m, m2, s, b = pos["member"], pos["member2"], pos["secretary"], pos["branchsec"]
    _voters(walk, org, [[m, m2]] * 7 + [[m2, s]] * 4 + [[s, b]] * 3 + [[b, s]] * 2 + [[m, b]] * 2)
    walk.close()
    election = election_count(actor=walk.ro_actor(), election=walk.election)
    return election_publish(actor=walk.ro_actor(), election=election)


def test_the_published_blt_reproduces_the_count_with_polity_count(walk, org, tmp_path):
    election = _counted(walk, org)
    files = bundle(election)
    (tmp_path / "ballots.blt").write_text(files["ballots.blt"])
    run = subprocess.run(  # the real command line, in a fresh process, as a member of the public would
        [
            sys.executable,
            "-m",
            "polity.cli",
            "count",
            str(tmp_path / "ballots.blt"),
            "--method",
            election.method,
            "--seed",
            str(election.seed),
            "--format",
            "json",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == json.loads(files["result.json"]) == election.result
    assert election.result["elected"] == ["Mina Member", "Milo Member"]
    assert f"--seed {election.seed}" in files["README.txt"]
    assert files["chart.svg"].startswith("<svg") or "<svg" in files["chart.svg"][:200]
    assert len(files["receipts.txt"].split()) == 18


def test_a_recount_agrees_and_a_changed_ballot_is_refused(walk, org):
    election = _counted(walk, org)
    assert election_recount(actor=walk.ro_actor(), election=election)["same"] is True
    ballot = Ballot.objects.filter(election=election).first()
    ballot.ranking = "4"
    ballot.save()
    with pytest.raises(ElectionRefused) as refused:
        election_recount(actor=walk.ro_actor(), election=election)
    assert refused.value.rule == SEAL
    with pytest.raises(ElectionRefused):
        bundle(election)


def test_a_reserved_seat_reaches_the_count_and_the_command_line_repeats_it(walk, org, tmp_path):
    from polity.elections.services.count import reproduce_args

    groups = [GroupSpec("BAME", 1, "Reserved for a member who self-identifies as BAME")]
    election = _counted(walk, org, groups=groups, group_of={"branchsec": ["BAME"]})
    assert "Bea Branchsec" in election.result["elected"]  # fourth on first preferences, elected by the rule
    assert election.result["elected"] != ["Mina Member", "Milo Member"]
    files = bundle(election)
    (tmp_path / "ballots.blt").write_text(files["ballots.blt"])
    args = reproduce_args(election)
    assert "--reserve" in args and "--reserve" in files["README.txt"]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "polity.cli",
            "count",
            str(tmp_path / "ballots.blt"),
            *args,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == json.loads(files["result.json"]) == election.result


def test_a_group_without_enough_candidates_stops_the_poll_from_opening(walk, org):
    from polity.elections.services import election_open_poll

    _stv(walk, org, groups=[GroupSpec("Women", 2)])
    walk.stand("member", "member2")
    with (
        pytest.raises(ElectionRefused, match="needs at least 2 valid candidate"),
        walk.at(walk.election.poll_opens_at),
    ):
        election_open_poll(actor=walk.ro_actor(), election=walk.election)


def test_the_seal_taken_in_the_database_is_the_one_python_takes(walk, org):
    """PostgreSQL hashes the grouped rankings and the receipts itself; the digests are those of the
    row-by-row reading (the one SQLite uses), so seals taken either way check against each other."""
    from polity.elections.models import Ballot
    from polity.elections.services.count import _sealed_in_python, sealed_ballots

    walk.freeze()
    walk.stand("member", "member2", "secretary")
    election = walk.open_poll()
    rankings = ["1 2 3", "2", "1 2 3", "3 1", "2", "1 2 3", "3 2 1"]
    Ballot.objects.bulk_create(
        [Ballot(election=election, ranking=r, receipt_hash=f"{i:064x}") for i, r in enumerate(rankings)]
        + [Ballot(election=election, ranking="1")]  # a paper ballot: no receipt
    )
    fast, slow = sealed_ballots(election), _sealed_in_python(election)
    assert (fast.digest, fast.receipts_digest, fast.total) == (slow.digest, slow.receipts_digest, slow.total)
    assert fast.rankings == slow.rankings == "1 0 1 2 3 0 2 0 3 1 0 3 2 1 0"
    assert fast.weights.tolist() == slow.weights.tolist() == [1, 3, 2, 1, 1]
