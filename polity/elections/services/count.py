"""Sealing, counting and recounting the ballots, and the publication bundle.

The seal is taken when the count first runs (after the close and the paper ballots): a SHA-256 digest of
the grouped rankings, and another of the sorted receipt hashes. Every count and recount re-reads the
ballots, checks them against the seal, and runs `polity.counting` with the seed published when the poll
opened. The bundle's BLT holds the same grouped ballots, so `polity count ballots.blt --method ... --seed ...`
prints the same result.
"""

from __future__ import annotations

import hashlib
import shlex
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Count

from polity.common.actor import Actor
from polity.counting import CountResult, GroupMinimum, count, write_blt
from polity.counting import Election as Profile
from polity.counting.election import RANK_DTYPE
from polity.counting.render_json import render_json, result_to_dict
from polity.counting.render_svg import render_svg
from polity.counting.render_text import render_text
from polity.elections import clock
from polity.elections.models import Ballot, Candidate, Election, Paper, PaperState, State
from polity.elections.rules import DOUBLE_ENTRY, SEAL, STATES, ElectionRefused
from polity.elections.services.common import check_step, locked, record, require_returning_officer


@dataclass(frozen=True)
class Sealed:
    """The ballots grouped by ranking, in the seal's order (the database's order of the rankings): each
    ranking followed by a 0 in one string of ballot positions, the number of ballots of each, the digests."""

    rankings: str  # "3 1 2 0 1 0 ..." : every distinct ranking, ended by 0
    weights: np.ndarray  # how many ballots gave each ranking
    digest: str
    receipts_digest: str
    total: int


# On PostgreSQL the seal is taken where the ballots are: the grouped rankings are hashed (SHA-256 of
# "ranking<TAB>n<LF>" in the rankings' order, as before) and handed back as two strings, not as a Python
# row per distinct ranking; the receipts are hashed without leaving the database.
_SEAL_SQL = """
WITH g AS (
    SELECT ranking, count(*) AS n FROM elections_ballot WHERE election_id = %s GROUP BY ranking
)
SELECT encode(sha256(convert_to(coalesce(string_agg(ranking || E'\t' || n || E'\n', '' ORDER BY ranking), ''), 'UTF8')), 'hex'),
       coalesce(string_agg(ranking || ' 0', ' ' ORDER BY ranking), ''),
       coalesce(string_agg(n::text, ' ' ORDER BY ranking), ''),
       coalesce(sum(n), 0)
FROM g
"""
_RECEIPTS_SQL = """
SELECT encode(sha256(convert_to(coalesce(string_agg(receipt_hash || E'\n', '' ORDER BY receipt_hash), ''), 'UTF8')), 'hex')
FROM elections_ballot WHERE election_id = %s AND receipt_hash IS NOT NULL
"""


def sealed_ballots(election: Election) -> Sealed:
    """The ballots as the database holds them now, grouped, with their digests."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_SEAL_SQL, [election.pk])
            digest, rankings, weights, total = cursor.fetchone()
            cursor.execute(_RECEIPTS_SQL, [election.pk])
            (receipts,) = cursor.fetchone()
        counts = np.array(weights.split(), dtype=np.int64) if weights else np.zeros(0, dtype=np.int64)
        return Sealed(rankings, counts, digest, receipts, int(total))
    return _sealed_in_python(election)


def _sealed_in_python(election: Election) -> Sealed:
    """The same seal, read row by row (SQLite has no SHA-256 of its own)."""
    rows = (
        Ballot.objects.filter(election_id=election.pk)
        .values_list("ranking")
        .annotate(n=Count("id"))
        .order_by("ranking")
    )
    groups = [(ranking, int(n)) for ranking, n in rows]
    digest = hashlib.sha256()
    for ranking, n in groups:
        digest.update(f"{ranking}\t{n}\n".encode())
    receipts = hashlib.sha256()
    hashes = (
        Ballot.objects.filter(election_id=election.pk, receipt_hash__isnull=False)
        .order_by("receipt_hash")
        .values_list("receipt_hash", flat=True)
    )
    for value in hashes.iterator(chunk_size=20_000):
        receipts.update(f"{value}\n".encode())
    weights = np.fromiter((n for _, n in groups), dtype=np.int64, count=len(groups))
    rankings = " ".join(f"{r} 0" for r, _ in groups)
    return Sealed(rankings, weights, digest.hexdigest(), receipts.hexdigest(), int(weights.sum()))


def profile(election: Election, sealed: Sealed) -> Profile:
    """The counting library's election: candidates in ballot-paper order, positions from 0."""
    names = ballot_names(election)
    # The groups are distinct already (GROUP BY) and each ranking was checked when it was cast: lay them out
    # in one pass (a hundred thousand distinct rankings cost a fraction of a second).
    count = len(sealed.weights)
    weights = sealed.weights
    # Positions from 1, each ranking ended by a 0, parsed by numpy in one call.
    flat = np.fromstring(sealed.rankings, dtype=np.int64, sep=" ") if count else np.zeros(0, np.int64)
    ends = np.flatnonzero(flat == 0)
    lengths = ends - np.concatenate(([0], ends[:-1] + 1)) if count else ends
    values = np.delete(flat, ends) - 1
    ranks = np.full((count, max(int(lengths.max()) if count else 0, 1)), -1, dtype=RANK_DTYPE)
    if values.size:
        rows = np.repeat(np.arange(count), lengths)
        cols = np.arange(values.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        ranks[rows, cols] = values
    return Profile(tuple(names), election.seats, ranks, weights, frozenset(), election.title)


def ballot_names(election: Election) -> list[str]:
    return list(
        Candidate.objects.filter(election=election, ballot_position__isnull=False)
        .order_by("ballot_position")
        .values_list("ballot_name", flat=True)
    )


def constraints(election: Election) -> list[GroupMinimum]:
    out = []
    for group in election.groups.all().order_by("label"):
        members = frozenset(
            group.candidates.filter(ballot_position__isnull=False).values_list("ballot_name", flat=True)
        )
        out.append(GroupMinimum(group.label, members, group.minimum))
    return out


def run_count(election: Election, sealed: Sealed) -> CountResult:
    assert election.seed is not None  # noqa: S101 - published when the poll opened
    return count(
        profile(election, sealed),
        election.method,
        seats=election.seats,
        seed=election.seed,
        constraints=constraints(election),
    )


def _check_seal(election: Election, sealed: Sealed) -> None:
    if sealed.digest != election.sealed_digest or sealed.receipts_digest != election.receipts_digest:
        raise ElectionRefused(
            SEAL,
            "the ballots in the database no longer match the seal taken at the first count: nothing is counted",
        )


def election_count(*, actor: Actor, election: Election) -> Election:
    """Seal the ballots and count them. One transaction: a count killed half way leaves the poll closed
    and its ballots untouched, ready to count again."""
    with transaction.atomic():
        election = locked(election.pk)
        require_returning_officer(actor, election)
        step = check_step(election, "count")
        waiting = Paper.objects.filter(
            election=election, state__in=[PaperState.PENDING, PaperState.DISCREPANCY]
        ).count()
        if waiting:
            raise ElectionRefused(
                DOUBLE_ENTRY, f"{waiting} paper ballot(s) still need a second entry or a resolution"
            )
        papers = Paper.objects.filter(
            election=election, state__in=[PaperState.AGREED, PaperState.RESOLVED]
        ).count()
        marked = election.participations.filter(channel="paper").count()
        if papers > marked:
            raise ElectionRefused(
                DOUBLE_ENTRY,
                f"{papers} paper ballots are entered but only {marked} postal voters were marked",
            )
        sealed = sealed_ballots(election)
        election.sealed_digest = sealed.digest
        election.receipts_digest = sealed.receipts_digest
        election.sealed_count = sealed.total
        result = run_count(election, sealed)
        election.result = result_to_dict(result)
        election.counted_at = clock.now()
        election.state = step.target
        election.save()
        record(
            actor,
            election,
            "election.count",
            {"seal": sealed.digest, "ballots": sealed.total, "elected": list(result.elected)},
        )
    return election


def election_recount(*, actor: Actor, election: Election) -> dict[str, object]:
    """Count the sealed ballots again; the returning officer sees whether it agrees (it must)."""
    with transaction.atomic():
        election = locked(election.pk)
        require_returning_officer(actor, election)
        if election.state not in (State.COUNTED, State.PUBLISHED):
            raise ElectionRefused(STATES, "a recount needs a first count")
        sealed = sealed_ballots(election)
        _check_seal(election, sealed)
        again = result_to_dict(run_count(election, sealed))
        same = again == election.result
        entry = {"at": clock.now().isoformat(), "by": actor.label, "same": same, "elected": again["elected"]}
        election.recounts = [*election.recounts, entry]
        election.save(update_fields=["recounts"])
        record(actor, election, "election.recount", {"same": same})
    return entry


def election_publish(*, actor: Actor, election: Election) -> Election:
    with transaction.atomic():
        election = locked(election.pk)
        require_returning_officer(actor, election)
        step = check_step(election, "publish")
        election.published_at = clock.now()
        election.state = step.target
        election.save(update_fields=["published_at", "state"])
        record(actor, election, "election.publish")
    return election


BUNDLE_FILES = ("result.json", "stages.txt", "chart.svg", "ballots.blt", "receipts.txt", "README.txt")


def bundle(election: Election) -> dict[str, str]:
    """The publication bundle, regenerated from the sealed ballots (and checked against the seal)."""
    if election.state != State.PUBLISHED:
        raise ElectionRefused(STATES, "the result is not published yet")
    sealed = sealed_ballots(election)
    _check_seal(election, sealed)
    counted = profile(election, sealed)
    result = run_count(election, sealed)
    receipts = (
        Ballot.objects.filter(election_id=election.pk, receipt_hash__isnull=False)
        .order_by("receipt_hash")
        .values_list("receipt_hash", flat=True)
    )
    return {
        "result.json": render_json(result),
        "stages.txt": render_text(result),
        "chart.svg": render_svg(result),
        "ballots.blt": write_blt(counted),
        "receipts.txt": "".join(f"{h}\n" for h in receipts.iterator(chunk_size=20_000)),
        "README.txt": readme(election),
    }


def reproduce_args(election: Election) -> list[str]:
    """The options of `polity count ballots.blt ...` that repeat this count (groups by ballot position)."""
    args = ["--method", election.method, "--seed", str(election.seed)]
    for group in election.groups.all().order_by("label"):
        positions = sorted(
            p
            for p in group.candidates.filter(ballot_position__isnull=False).values_list(
                "ballot_position", flat=True
            )
            if p is not None
        )
        members = ",".join(str(p) for p in positions)
        if group.minimum == 1:
            args += ["--reserve", f"{group.label}:{members}"]
        else:
            args += ["--at-least", f"{group.label}:{group.minimum}:{members}"]
    return args


def reproduce_command(election: Election) -> str:
    return "polity count ballots.blt " + " ".join(shlex.quote(a) for a in reproduce_args(election))


def readme(election: Election) -> str:
    return (
        f"{election.title}\n\n"
        f"Method: {election.get_method_display()} ({election.method}), seats: {election.seats}\n"
        f"Freeze date: {election.freeze_on}; roll: {election.roll_size} members\n"
        f"Ballots sealed: {election.sealed_count}; seal (SHA-256 of the grouped rankings): {election.sealed_digest}\n"
        f"Receipts (SHA-256 of each voter's receipt code, sorted): receipts.txt; digest {election.receipts_digest}\n"
        f"Lot seed, published when the poll opened: {election.seed}\n\n"
        "To repeat the count:\n\n"
        f"    {reproduce_command(election)}\n"
    )
