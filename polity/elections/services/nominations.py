"""Nominations: a candidate is nominated (by themselves with the rulebook's standing, or by bodies), accepts
in writing, and the returning officer validates each nomination or refuses it with reasons. Candidates
publish a statement; each may name agents (who see turnout, never ballots).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from django.db import IntegrityError, transaction

from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.elections import clock
from polity.elections.conflicts import refuse_if_conflicted, refuse_if_officials_conflicted
from polity.elections.models import (
    Agent,
    Candidate,
    CandidateState,
    Election,
    Group,
    Nomination,
    State,
    Teller,
)
from polity.elections.roll import STAND_RULE, electorate_people, standing_problems
from polity.elections.rules import NOMINATION, SHORTLIST, STATES, ElectionRefused
from polity.elections.services.common import locked, record, require_returning_officer
from polity.members.models import Person
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook

SHARE_RULE = "elections.body_nominations_share_percent"
NOMINATING_BODY = "general_committee"


def _open_for_nominations(election: Election) -> None:
    if election.state != State.NOMINATIONS:
        raise ElectionRefused(STATES, "nominations are not open")
    assert election.nominations_close_at is not None  # noqa: S101 - set at the freeze
    if clock.now() >= election.nominations_close_at:
        raise ElectionRefused(
            NOMINATION, f"nominations closed on {election.nominations_close_at:%-d %B %Y at %H:%M}"
        )


def _may_stand(election: Election, person: Person) -> None:
    assert election.freeze_on is not None  # noqa: S101
    problems = standing_problems(person, election.freeze_on, STAND_RULE)
    if problems:
        words = "; ".join(
            p.replace("you were", "they were").replace("your ", "their ").replace("you ", "they ")
            for p in problems
        )
        raise ElectionRefused(NOMINATION, f"{person.full_name} may not stand: {words}")


def refuse_if_from_shortlist(election: Election) -> None:
    """An election whose candidates come from a shortlist takes no nomination from members or bodies."""
    if election.candidates_from_shortlist:
        raise ElectionRefused(
            SHORTLIST,
            "the candidates of this election come from a shortlist; nobody may be nominated onto it",
        )


def candidate_nominate(*, actor: Actor, election: Election, person: Person | None = None) -> Candidate:
    """Put a name forward: a member nominates themselves, or the returning officer records a nomination
    received on paper. The candidate must still accept in writing."""
    with transaction.atomic():
        election = locked(election.pk)
        if person is None or person.pk == actor.person_id:
            if actor.person_id is None:
                raise Forbidden("only a member can stand")
            person = Person.objects.get(pk=actor.person_id)
        else:
            require_returning_officer(actor, election)
        refuse_if_from_shortlist(election)
        _open_for_nominations(election)
        _may_stand(election, person)
        refuse_if_officials_conflicted(election, person.pk, "candidate")
        try:
            with transaction.atomic():
                candidate = Candidate.objects.create(
                    election=election, person=person, ballot_name=person.full_name, nominated_at=clock.now()
                )
        except IntegrityError:
            raise ElectionRefused(NOMINATION, f"{person.full_name} is already nominated") from None
        record(actor, election, "election.nominate", {"candidate": candidate.pk}, subjects=[person.pk])
    return candidate


def candidate_accept(
    *, actor: Actor, candidate: Candidate, acceptance: str, groups: Sequence[str] = (), statement: str = ""
) -> Candidate:
    """The candidate accepts in writing, self-identifies with any group of a group minimum, and may give a
    statement (published with the ballot paper)."""
    if actor.person_id != candidate.person_id:
        raise Forbidden("only the candidate accepts their nomination")
    if not acceptance.strip():
        raise InvalidInput("acceptance: write that you accept the nomination, in your own words")
    with transaction.atomic():
        election = locked(candidate.election_id)
        _open_for_nominations(election)
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.state not in (CandidateState.NOMINATED, CandidateState.ACCEPTED):
            raise ElectionRefused(NOMINATION, f"the nomination is {candidate.get_state_display().lower()}")
        chosen = list(Group.objects.filter(election=election, label__in=list(groups)))
        if len(chosen) != len(set(groups)):
            raise InvalidInput("groups: choose among this election's groups")
        candidate.acceptance = acceptance.strip()
        candidate.accepted_at = clock.now()
        candidate.statement = statement.strip()
        candidate.state = CandidateState.ACCEPTED
        candidate.save()
        candidate.groups.set(chosen)
        record(
            actor, election, "election.accept", {"candidate": candidate.pk}, subjects=[candidate.person_id]
        )
    return candidate


def candidate_statement(*, actor: Actor, candidate: Candidate, statement: str) -> Candidate:
    if actor.person_id != candidate.person_id:
        raise Forbidden("only the candidate writes their statement")
    with transaction.atomic():
        election = locked(candidate.election_id)
        if election.state not in (State.NOMINATIONS, State.FROZEN):
            raise ElectionRefused(STATES, "statements close when the ballot paper is published")
        candidate.statement = statement.strip()
        candidate.save(update_fields=["statement"])
        record(
            actor, election, "election.statement", {"candidate": candidate.pk}, subjects=[candidate.person_id]
        )
    return candidate


def required_body_nominations(election: Election) -> int:
    """The rulebook's share of the nominating bodies in the electorate's unit, at least one."""
    unit = election.electorate_unit or Unit.objects.get(pk=election.unit_id)
    bodies = Body.objects.filter(unit__path__startswith=unit.path, kind=NOMINATING_BODY).count()
    share = get_rulebook().number(SHARE_RULE)
    return max(1, math.ceil(bodies * share / 100))


def body_nomination_choices(*, actor: Actor, election: Election) -> tuple[list[Body], list[Candidate]]:
    """What a body's nomination may name: the nominating bodies on whose behalf `actor` may record one (those
    of the units where they hold messages.send, or all for the returning officer), and the candidates still
    awaiting a decision. Refused to anyone who may act for no body."""
    refuse_if_from_shortlist(election)
    unit = election.electorate_unit or election.unit
    bodies = list(
        Body.objects.filter(unit__path__startswith=unit.path, kind=NOMINATING_BODY).select_related("unit")
    )
    if actor.person_id is None or actor.person_id != election.returning_officer_id:
        bodies = [b for b in bodies if has_perm(actor, Perm.MESSAGES_SEND, b.unit)]
    if not bodies:
        raise Forbidden("only an officer of a nominating body's unit or the returning officer records it")
    candidates = list(
        election.candidates.filter(state__in=[CandidateState.NOMINATED, CandidateState.ACCEPTED]).order_by(
            "ballot_name"
        )
    )
    return bodies, candidates


def may_record_body_nomination(*, actor: Actor, election: Election) -> bool:
    """Whether the page should offer `actor` the body's nomination form (the form asks the same question)."""
    if not election.needs_body_nominations or election.candidates_from_shortlist:
        return False
    try:
        body_nomination_choices(actor=actor, election=election)
    except (Forbidden, ElectionRefused):
        return False
    return True


def nomination_record(*, actor: Actor, candidate: Candidate, body: Body, decided_on: date) -> Nomination:
    """A body's nomination of a candidate, recorded by an officer of the body's unit or the returning officer."""
    election = candidate.election
    if not (
        has_perm(actor, Perm.MESSAGES_SEND, body.unit) or actor.person_id == election.returning_officer_id
    ):
        raise Forbidden("only an officer of the nominating body's unit or the returning officer records it")
    with transaction.atomic():
        election = locked(election.pk)
        refuse_if_from_shortlist(election)
        _open_for_nominations(election)
        unit = election.electorate_unit or election.unit
        if not body.unit.path.startswith(unit.path) or body.kind != NOMINATING_BODY:
            raise ElectionRefused(NOMINATION, f"{body.name} is not a nominating body for this election")
        try:
            with transaction.atomic():
                nomination = Nomination.objects.create(
                    candidate=candidate,
                    body=body,
                    decided_on=decided_on,
                    recorded_at=clock.now(),
                    recorded_by=actor.label,
                )
        except IntegrityError:
            raise ElectionRefused(NOMINATION, f"{body.name} has already nominated this candidate") from None
        record(actor, election, "election.body_nomination", {"candidate": candidate.pk, "body": body.pk})
    return nomination


def candidate_validate(*, actor: Actor, candidate: Candidate, valid: bool, reasons: str = "") -> Candidate:
    """The returning officer's decision on a nomination: valid, or refused with written reasons."""
    with transaction.atomic():
        election = locked(candidate.election_id)
        require_returning_officer(actor, election)
        if election.state not in (State.NOMINATIONS,):
            raise ElectionRefused(STATES, "nominations are decided while they are open or before the poll")
        candidate = Candidate.objects.select_for_update().select_related("person").get(pk=candidate.pk)
        if valid:
            if candidate.state != CandidateState.ACCEPTED:
                raise ElectionRefused(NOMINATION, "the candidate has not accepted in writing")
            if election.needs_body_nominations:
                have = candidate.nominations.count()
                need = required_body_nominations(election)
                if have < need:
                    raise ElectionRefused(
                        NOMINATION,
                        f"the candidate has {have} body nomination(s); the rulebook asks for {need}",
                    )
            if Candidate.objects.filter(
                election=election, state=CandidateState.VALID, ballot_name=candidate.ballot_name
            ).exists():
                raise ElectionRefused(NOMINATION, "another valid candidate has the same name on the ballot")
            candidate.state = CandidateState.VALID
            candidate.reasons = reasons.strip()
        else:
            if not reasons.strip():
                raise InvalidInput("reasons: a refused nomination needs written reasons")
            candidate.state = CandidateState.REFUSED
            candidate.reasons = reasons.strip()
        candidate.decided_at = clock.now()
        candidate.decided_by = actor.label
        candidate.save()
        record(
            actor,
            election,
            "election.validate",
            {"candidate": candidate.pk, "valid": valid},
            subjects=[candidate.person_id],
        )
    return candidate


def candidate_add(*, actor: Actor, election: Election, person: Person, statement: str = "") -> Candidate:
    """A validly nominated candidate, straight onto the ballot (a selection's shortlist, decided elsewhere
    with its reasons): the returning officer, during nominations."""
    with transaction.atomic():
        election = locked(election.pk)
        require_returning_officer(actor, election)
        if election.state != State.NOMINATIONS:
            raise ElectionRefused(STATES, "candidates are added while nominations are open")
        refuse_if_officials_conflicted(election, person.pk, "candidate")
        now = clock.now()
        try:
            with transaction.atomic():
                candidate = Candidate.objects.create(
                    election=election,
                    person=person,
                    ballot_name=person.full_name,
                    nominated_at=now,
                    acceptance="Shortlisted; accepted by the applicant",
                    accepted_at=now,
                    statement=statement,
                    state=CandidateState.VALID,
                    decided_at=now,
                    decided_by=actor.label,
                )
        except IntegrityError:
            raise ElectionRefused(NOMINATION, f"{person.full_name} is already a candidate") from None
        record(actor, election, "election.add_candidate", {"candidate": candidate.pk}, subjects=[person.pk])
    return candidate


def agent_appoint(*, actor: Actor, candidate: Candidate, person: Person) -> Agent:
    if actor.person_id != candidate.person_id:
        raise Forbidden("only the candidate appoints their agents")
    with transaction.atomic():
        election = locked(candidate.election_id)
        refuse_if_officials_conflicted(election, person.pk, "agent")
        agent, _ = Agent.objects.get_or_create(candidate=candidate, person=person)
        record(actor, election, "election.agent", {"candidate": candidate.pk}, subjects=[person.pk])
    return agent


def teller_appoint(*, actor: Actor, election: Election, person: Person) -> Teller:
    with transaction.atomic():
        election = locked(election.pk)
        require_returning_officer(actor, election)
        refuse_if_conflicted(election, person.pk, "teller")
        teller, _ = Teller.objects.get_or_create(election=election, person=person)
        record(actor, election, "election.teller", subjects=[person.pk])
    return teller


def is_in_electorate(election: Election, person: Person) -> bool:
    return electorate_people(election, clock.now()).filter(pk=person.pk).exists()
