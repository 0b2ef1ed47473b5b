"""Casting a ballot. One statement stores the voter's participation (the database allows one per roll
entry), another the ballot, in one transaction: both or neither. Nothing links the two, nothing is timed,
and no access-log event names the voter (the participation row is the record that they voted).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence

from django.db import connection, transaction

from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.elections import ballots
from polity.elections.models import Ballot, Candidate, Channel, Election, RollEntry, State
from polity.elections.rules import BALLOT, ONE_BALLOT, POLL_OPEN, ROLL, ElectionRefused
from polity.elections.services.common import poll_state_held
from polity.elections.workflow import reached


def receipt_code() -> str:
    """80 random bits as 16 letters and digits in four groups (base32, no padding): XXXX-XXXX-XXXX-XXXX."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def receipt_hash(code: str) -> str:
    normal = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(normal.encode()).hexdigest()


def ballot_positions(election: Election) -> dict[int, str]:
    """The ballot paper: position -> name, as published when the poll opened."""
    rows = Candidate.objects.filter(election=election, ballot_position__isnull=False).values_list(
        "ballot_position", "ballot_name"
    )
    return {int(p): name for p, name in rows if p is not None}


def check_ranking(
    election: Election, ranking: Sequence[int], positions: dict[int, str] | None = None
) -> None:
    """Refuse a ranking the method does not allow (the API and tellers send positions directly)."""
    positions = positions if positions is not None else ballot_positions(election)
    if not ranking:
        raise InvalidInput(f"{BALLOT}: the ballot marks no candidate")
    if len(set(ranking)) != len(ranking):
        raise InvalidInput(f"{BALLOT}: a candidate is marked twice")
    if any(p not in positions for p in ranking):
        raise InvalidInput(f"{BALLOT}: the ballot marks a position that is not on the ballot paper")
    limit = election.max_preferences
    if limit is not None and len(ranking) > limit:
        raise InvalidInput(f"{BALLOT}: this ballot takes at most {limit} marks")


def ballot_cast(
    *, actor: Actor, election: Election, ranking: Sequence[int], positions: dict[int, str] | None = None
) -> str:
    """Store the actor's ballot and return their receipt code (shown once, stored only as a hash).

    `positions` is the published ballot paper when the caller has read it already (it cannot change while
    the poll is open, and the state is re-read under the lock here). Three statements in one transaction:
    the poll's state under FOR KEY SHARE, the participation inserted straight from the roll entry (the
    primary key refuses a second one, however many requests race), the ballot."""
    code = receipt_code()
    with transaction.atomic():
        state = poll_state_held(election.pk)
        if state != State.POLLING:
            raise ElectionRefused(POLL_OPEN, poll_words(state))
        check_ranking(election, ranking, positions)
        if actor.person_id is None:
            raise ElectionRefused(ROLL, "only a member on the roll votes")
        if not _participation_insert(election.pk, actor.person_id):
            if RollEntry.objects.filter(election_id=election.pk, person_id=actor.person_id).exists():
                raise ElectionRefused(ONE_BALLOT, "your ballot in this election is already cast")
            raise ElectionRefused(
                ROLL,
                f"you are not on the roll fixed on {election.freeze_on:%-d %B %Y} (see why on your eligibility page)",
            )
        Ballot.objects.create(
            election_id=election.pk, ranking=ballots.encode(ranking), receipt_hash=receipt_hash(code)
        )
    return code


_PARTICIPATION_INSERT = (
    "INSERT INTO elections_participation (entry_id, election_id, channel) "
    "SELECT id, election_id, %s FROM elections_rollentry WHERE election_id = %s AND person_id = %s "
    "ON CONFLICT DO NOTHING"
)


def _participation_insert(election_id: int, person_id: int) -> bool:
    """Record that the person's roll entry has voted on the web; False when they are not on the roll or
    their participation exists already (the primary key, not a read, decides: no race between the two)."""
    with connection.cursor() as cursor:
        cursor.execute(_PARTICIPATION_INSERT, [Channel.WEB.value, election_id, person_id])
        return bool(cursor.rowcount == 1)


def poll_words(state: str) -> str:
    if state == State.POLLING:
        return "the poll is open"
    if reached(state, State.CLOSED):
        return "the poll is closed"
    return "the poll is not open yet"
