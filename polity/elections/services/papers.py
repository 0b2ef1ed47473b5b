"""Paper and postal ballots. A returned postal envelope's declaration marks its voter on the roll (one
participation, like a web ballot: a voter who voted on the web cannot also vote on paper); the ballot
paper inside, separated from the envelope, is entered by two different tellers under a reference written
on it at the opening. Entries that agree make one ballot; entries that differ are shown as a discrepancy
for the returning officer to resolve, with reasons. No entry or paper names a voter.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.elections import ballots
from polity.elections.models import (
    Ballot,
    Channel,
    Election,
    Paper,
    PaperEntry,
    PaperState,
    Participation,
    RollEntry,
    State,
)
from polity.elections.rules import DOUBLE_ENTRY, ONE_BALLOT, POLL_OPEN, ROLL, ElectionRefused
from polity.elections.services.common import is_returning_officer, key_share_lock, locked, record
from polity.elections.services.voting import check_ranking
from polity.members.models import Person


def _require_teller(actor: Actor, election: Election) -> None:
    if actor.is_system or is_returning_officer(actor, election):
        return
    if actor.person_id is None or not election.tellers.filter(person_id=actor.person_id).exists():
        raise Forbidden("only the election's tellers and returning officer handle paper ballots")


def paper_mark_received(*, actor: Actor, election: Election, person: Person) -> None:
    """A postal ballot's envelope came back with its declaration: the voter has voted (on paper)."""
    _require_teller(actor, election)
    with transaction.atomic():
        key_share_lock(election.pk)
        election = Election.objects.get(pk=election.pk)
        if election.state != State.POLLING:
            raise ElectionRefused(POLL_OPEN, "postal ballots are received while the poll is open")
        entry_id = (
            RollEntry.objects.filter(election=election, person=person).values_list("pk", flat=True).first()
        )
        if entry_id is None:
            raise ElectionRefused(ROLL, f"{person.full_name} is not on the roll")
        try:
            with transaction.atomic():
                Participation.objects.create(entry_id=entry_id, election=election, channel=Channel.PAPER)
        except IntegrityError:
            raise ElectionRefused(ONE_BALLOT, f"{person.full_name} has already voted") from None
        record(actor, election, "election.paper_received", subjects=[person.pk], purpose="election roll")


def paper_enter(*, actor: Actor, election: Election, reference: str, ranking: Sequence[int]) -> Paper:
    """One teller's reading of one ballot paper."""
    _require_teller(actor, election)
    reference = reference.strip()
    if not reference:
        raise InvalidInput("reference: the reference written on the ballot paper")
    with transaction.atomic():
        election = locked(election.pk)
        if election.state not in (State.POLLING, State.CLOSED):
            raise ElectionRefused(POLL_OPEN, "paper ballots are entered between the opening and the count")
        check_ranking(election, ranking)
        paper, _ = Paper.objects.get_or_create(election=election, reference=reference)
        if paper.state != PaperState.PENDING:
            raise ElectionRefused(
                DOUBLE_ENTRY, f"paper {reference} is already {paper.get_state_display().lower()}"
            )
        teller_id = actor.person_id if actor.person_id is not None else election.returning_officer_id
        if paper.entries.filter(teller_id=teller_id).exists():
            raise ElectionRefused(
                DOUBLE_ENTRY, f"you entered paper {reference} already: a different teller enters it again"
            )
        PaperEntry.objects.create(paper=paper, teller_id=teller_id, ranking=ballots.encode(ranking))
        readings = set(paper.entries.values_list("ranking", flat=True))
        if paper.entries.count() == 2:
            if len(readings) == 1:
                Ballot.objects.create(election=election, ranking=readings.pop())
                paper.state = PaperState.AGREED
            else:
                paper.state = PaperState.DISCREPANCY
            paper.save(update_fields=["state"])
        record(actor, election, "election.paper_entry", {"reference": reference, "state": paper.state})
    return paper


def paper_resolve(
    *, actor: Actor, election: Election, reference: str, ranking: Sequence[int], reasons: str
) -> Paper:
    """The returning officer reads a paper whose entries differ and records the reading, with reasons."""
    if not is_returning_officer(actor, election):
        raise Forbidden("only the returning officer resolves a discrepancy")
    if not reasons.strip():
        raise InvalidInput("reasons: say why this reading is the right one")
    with transaction.atomic():
        election = locked(election.pk)
        paper = (
            Paper.objects.select_for_update().filter(election=election, reference=reference.strip()).first()
        )
        if paper is None or paper.state != PaperState.DISCREPANCY:
            raise ElectionRefused(DOUBLE_ENTRY, "only a paper whose two entries differ is resolved")
        check_ranking(election, ranking)
        Ballot.objects.create(election=election, ranking=ballots.encode(ranking))
        paper.state = PaperState.RESOLVED
        paper.resolution = reasons.strip()
        paper.save(update_fields=["state", "resolution"])
        record(actor, election, "election.paper_resolve", {"reference": reference})
    return paper


def paper_discrepancies(election: Election) -> list[tuple[str, list[str]]]:
    """Papers whose entries differ, with the two readings (positions), for the returning officer."""
    out = []
    for paper in Paper.objects.filter(election=election, state=PaperState.DISCREPANCY).prefetch_related(
        "entries"
    ):
        out.append((paper.reference, [e.ranking for e in paper.entries.all()]))
    return out
