"""What the elections app holds about a person (polity/dsr/registry.py): which rolls they were on and
whether they voted (never how: ballots link to nobody and are not personal data), their candidacies
(acceptance, statement, nominations, the returning officer's decision), and the roles they held in an
election (returning officer, teller, agent)."""

from __future__ import annotations

from collections.abc import Iterator

from polity.dsr.registry import Holding, Record, Subject, register
from polity.elections.models import (
    Agent,
    Candidate,
    Election,
    Nomination,
    PaperEntry,
    Participation,
    RollEntry,
    Teller,
)


def _rolls(subject: Subject) -> Iterator[Record]:
    if subject.person_id is None:
        return
    entries = RollEntry.objects.filter(person_id=subject.person_id).select_related("election")
    voted = dict(
        Participation.objects.filter(entry__person_id=subject.person_id).values_list("entry_id", "channel")
    )
    for entry in entries:
        e = entry.election
        yield Record(
            kind="Roll of an election",
            ref=f"roll:{entry.pk}",
            at=e.freeze_on,
            fields={
                "Election": e.title,
                "Freeze date": e.freeze_on,
                "Voted": "Yes" if entry.pk in voted else "No",
                "How the ballot came": {"web": "Web ballot", "paper": "Paper or postal ballot"}.get(
                    voted.get(entry.pk, ""), ""
                ),
            },
        )


def _candidacies(subject: Subject) -> Iterator[Record]:
    if subject.person_id is None:
        return
    for c in Candidate.objects.filter(person_id=subject.person_id).select_related("election"):
        yield Record(
            kind="Candidacy",
            ref=f"candidate:{c.pk}",
            at=c.nominated_at,
            fields={
                "Election": c.election.title,
                "Name on the ballot": c.ballot_name,
                "State": c.get_state_display(),
                "Your acceptance": c.acceptance,
                "Your statement": c.statement,
                "Reasons of the returning officer": c.reasons,
                "Nominating bodies": ", ".join(n.body.name for n in c.nominations.select_related("body")),
            },
        )


def _roles(subject: Subject) -> Iterator[Record]:
    pid = subject.person_id
    if pid is None:
        return
    for e in Election.objects.filter(returning_officer_id=pid):
        yield Record("Returning officer", f"ro:{e.pk}", e.created_at, {"Election": e.title})
    for t in Teller.objects.filter(person_id=pid).select_related("election"):
        entries = PaperEntry.objects.filter(teller_id=pid, paper__election=t.election).count()
        yield Record(
            "Teller", f"teller:{t.pk}", None, {"Election": t.election.title, "Papers entered": entries}
        )
    for a in Agent.objects.filter(person_id=pid).select_related("candidate__election"):
        yield Record(
            "Agent",
            f"agent:{a.pk}",
            None,
            {"Election": a.candidate.election.title, "Agent of": a.candidate.ballot_name},
        )


register(
    Holding(
        key="elections.roll",
        title="Rolls of elections you were on, and whether you voted",
        data="For each election: that you were on its roll (fixed at the freeze date) and whether you voted, on the "
        "web or on paper. How you voted is not held with your name anywhere.",
        purposes=("Running internal elections under the rules: one vote for each member on the roll",),
        lawful_basis="contract",
        recipients="The election's returning officer (looking up the roll, which is recorded in the access log)",
        retention="For as long as the election's record is kept",
        source="The register on the freeze date; your vote",
        models=(RollEntry, Participation),
        records=_rolls,
        on_erasure="keep",
        kept_because="The roll and who voted are the record that each member voted at most once; an election "
        "can be challenged on them",
        order=60,
    )
)

register(
    Holding(
        key="elections.candidacies",
        title="Your candidacies in elections",
        data="Your nominations, your written acceptance, your statement, nominations by bodies, the groups you "
        "self-identified with for a reserved seat, and the returning officer's decision with reasons",
        purposes=("Running internal elections under the rules: nominations and the ballot paper",),
        lawful_basis="contract",
        recipients="Every member who can see the election (statements and names on the ballot paper); the "
        "returning officer",
        retention="For as long as the election's record is kept",
        source="You, the nominating bodies and the returning officer",
        models=(Candidate, Nomination),
        records=_candidacies,
        on_erasure="keep",
        kept_because="A published ballot paper and result cannot be changed after the election",
        order=61,
    )
)

register(
    Holding(
        key="elections.roles",
        title="Your roles in elections",
        data="Elections for which you were the returning officer, a teller (and how many papers you entered) "
        "or a candidate's agent",
        purposes=("Running internal elections under the rules: who ran and watched each election",),
        lawful_basis="contract",
        recipients="Members who can see the election (the returning officer's name); the returning officer",
        retention="For as long as the election's record is kept",
        source="The officer who called the election; the returning officer; the candidate who named you",
        models=(Election, Teller, Agent, PaperEntry),
        records=_roles,
        on_erasure="keep",
        kept_because="Who ran, told and watched an election is part of its record",
        order=62,
    )
)
