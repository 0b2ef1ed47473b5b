"""Casting a ballot. One statement stores the voter's participation (the database allows one per roll
entry), another the ballot, in one transaction: both or neither. Nothing links the two, nothing is timed,
and no access-log event names the voter (the participation row is the record that they voted).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.elections import ballots
from polity.elections.models import Ballot, Candidate, Channel, Election, Participation, RollEntry, State
from polity.elections.rules import BALLOT, ONE_BALLOT, POLL_OPEN, ROLL, ElectionRefused
from polity.elections.services.common import key_share_lock
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


def ballot_cast(*, actor: Actor, election: Election, ranking: Sequence[int]) -> str:
    """Store the actor's ballot and return their receipt code (shown once, stored only as a hash)."""
    code = receipt_code()
    with transaction.atomic():
        key_share_lock(election.pk)
        state = Election.objects.filter(pk=election.pk).values_list("state", flat=True).get()
        if state != State.POLLING:
            raise ElectionRefused(POLL_OPEN, _poll_words(state))
        check_ranking(election, ranking)
        if actor.person_id is None:
            raise ElectionRefused(ROLL, "only a member on the roll votes")
        entry_id = (
            RollEntry.objects.filter(election_id=election.pk, person_id=actor.person_id)
            .values_list("pk", flat=True)
            .first()
        )
        if entry_id is None:
            raise ElectionRefused(
                ROLL,
                f"you are not on the roll fixed on {election.freeze_on:%-d %B %Y} (see why on your eligibility page)",
            )
        try:
            with transaction.atomic():
                Participation.objects.create(entry_id=entry_id, election_id=election.pk, channel=Channel.WEB)
        except IntegrityError:
            raise ElectionRefused(ONE_BALLOT, "your ballot in this election is already cast") from None
        Ballot.objects.create(
            election_id=election.pk, ranking=ballots.encode(ranking), receipt_hash=receipt_hash(code)
        )
    return code


def _poll_words(state: str) -> str:
    if reached(state, State.CLOSED):
        return "the poll is closed"
    return "the poll is not open yet"
