"""Calling an election and walking it through its timetable: freeze, nominations, poll, close.

Every step is the named returning officer's, once, in order (workflow.STEPS), not before its time; each
writes its audit event in its transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from polity.access.perms import Perm
from polity.access.policy import has_perm, require
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.elections import clock
from polity.elections.conflicts import refuse_if_conflicted
from polity.elections.models import (
    SINGLE_SEAT_METHODS,
    Candidate,
    CandidateState,
    Election,
    Electorate,
    Group,
    Method,
    State,
)
from polity.elections.roll import roll_build
from polity.elections.rules import FREEZE, INDEPENDENT, STATES, ElectionRefused
from polity.elections.services.common import check_step, locked, record, require_returning_officer
from polity.members.models import Person
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook

NOMINATION_RULE = "elections.nomination_period"
CAMPAIGN_RULE = "elections.campaign_period"
POLL_RULE = "elections.poll_period"


@dataclass(frozen=True)
class GroupSpec:
    """A group minimum: at least `minimum` elected from those who self-identify as `label`."""

    label: str
    minimum: int
    description: str = ""


def election_create(
    *,
    actor: Actor,
    title: str,
    office: str,
    unit: Unit,
    method: str,
    returning_officer: Person,
    seats: int = 1,
    electorate_unit: Unit | None = None,
    electorate_body: Body | None = None,
    electorate_section: str = "",
    groups: Sequence[GroupSpec] = (),
    needs_body_nominations: bool = False,
    candidates_from_shortlist: bool = False,
) -> Election:
    """Call an election of `unit` (elections.manage there), naming its returning officer. The electorate is
    the members of `electorate_unit` (default `unit`), or the office holders of `electorate_body`, or, with
    `electorate_section` (a key of the rulebook's [sections]), the members of that section within the unit."""
    if not actor.is_system:
        require(actor, Perm.ELECTIONS_MANAGE, scope=unit, visible=False)
    _validate(title, office, method, seats, groups)
    if electorate_body is None and electorate_unit is None:
        electorate_unit = unit
    if electorate_body is not None and electorate_unit is not None:
        raise InvalidInput("electorate: name a unit or a body, not both")
    electorate_section = electorate_section.strip()
    if electorate_section:
        if electorate_body is not None:
            raise InvalidInput("electorate: a section's members are counted within a unit, not a body")
        if electorate_section not in get_rulebook().sections:
            known = ", ".join(sorted(get_rulebook().sections)) or "none"
            raise InvalidInput(
                f"electorate_section: the rulebook has no section {electorate_section!r} ({known})"
            )
    for where in (electorate_unit, electorate_body.unit if electorate_body else None):
        if where is not None and not where.path.startswith(unit.path):
            raise InvalidInput("electorate: it must lie within the unit that holds the election")
    _require_returning_officer_role(returning_officer, unit)
    with transaction.atomic():
        election = Election.objects.create(
            title=title.strip(),
            office=office.strip(),
            unit=unit,
            method=method,
            seats=seats,
            electorate=Electorate.BODY
            if electorate_body is not None
            else Electorate.SECTION
            if electorate_section
            else Electorate.UNIT,
            electorate_unit=electorate_unit,
            electorate_body=electorate_body,
            electorate_section=electorate_section,
            needs_body_nominations=needs_body_nominations,
            candidates_from_shortlist=candidates_from_shortlist,
            returning_officer=returning_officer,
            created_at=clock.now(),
            created_by=actor.label,
        )
        for spec in groups:
            Group.objects.create(
                election=election,
                label=spec.label.strip(),
                minimum=spec.minimum,
                description=spec.description,
            )
        record(actor, election, "election.create", {"method": method, "seats": seats})
    return election


def _validate(title: str, office: str, method: str, seats: int, groups: Sequence[GroupSpec]) -> None:
    if not title.strip():
        raise InvalidInput("title: give the election a title")
    if not office.strip():
        raise InvalidInput("office: say what is elected")
    if method not in Method.values:
        raise InvalidInput(f"method: choose one of {', '.join(Method.values)}")
    if seats < 1:
        raise InvalidInput("seats: at least one")
    if method in SINGLE_SEAT_METHODS and seats != 1:
        raise InvalidInput(f"seats: {Method(method).label} fills one seat")
    if groups and method in SINGLE_SEAT_METHODS:
        raise InvalidInput(f"groups: {Method(method).label} fills one seat and takes no group minimum")
    labels = [g.label.strip() for g in groups]
    if len(set(labels)) != len(labels) or any(not x for x in labels):
        raise InvalidInput("groups: each group needs its own label")
    if any(":" in x or "," in x for x in labels):
        raise InvalidInput(
            "groups: a label has no colon or comma (it is written in the count's command line)"
        )
    for g in groups:
        if not 1 <= g.minimum <= seats:
            raise InvalidInput(f"groups: the minimum for {g.label} must be between 1 and the seats ({seats})")


def _require_returning_officer_role(person: Person, unit: Unit) -> None:
    probe = Actor(user_id=None, person_id=person.pk, label="returning officer")
    if not has_perm(probe, Perm.ELECTIONS_RETURN, unit):
        raise ElectionRefused(
            INDEPENDENT,
            "the returning officer must hold the returning officer's role over the election's unit",
        )


def election_name_returning_officer(*, actor: Actor, election: Election, person: Person) -> Election:
    """Name another returning officer (before the count), refused if they have a stake."""
    if not actor.is_system:
        require(actor, Perm.ELECTIONS_MANAGE, scope=election.unit, visible=False)
    with transaction.atomic():
        election = locked(election.pk)
        if election.state in (State.COUNTED, State.PUBLISHED):
            raise ElectionRefused(STATES, "the returning officer cannot change after the count")
        _require_returning_officer_role(person, election.unit)
        refuse_if_conflicted(election, person.pk, "returning officer")
        election.returning_officer = person
        election.save(update_fields=["returning_officer"])
        record(actor, election, "election.name_returning_officer")
    return election


def election_freeze(*, actor: Actor, election: Election) -> Election:
    """Publish the freeze date (today) and fix the roll on it; the timetable follows from the rulebook."""
    with transaction.atomic():
        election = locked(election.pk)
        require_returning_officer(actor, election)
        if election.freeze_on is not None:
            raise ElectionRefused(
                FREEZE, f"the freeze date was published as {election.freeze_on:%-d %B %Y} and cannot move"
            )
        check_step(election, "freeze")
        refuse_if_conflicted(election, election.returning_officer_id, "returning officer")
        now = clock.now()
        rulebook = get_rulebook()
        freeze_on: date = now.date()
        election.freeze_on = freeze_on
        election.frozen_at = now
        election.nominations_close_at = rulebook.rule(NOMINATION_RULE).add_to(now)
        election.poll_opens_at = rulebook.rule(CAMPAIGN_RULE).add_to(election.nominations_close_at)
        election.poll_closes_at = rulebook.rule(POLL_RULE).add_to(election.poll_opens_at)
        election.rulebook_version = rulebook.version
        election.roll_size = roll_build(election, freeze_on, now)
        election.state = State.FROZEN
        election.save()
        record(actor, election, "election.freeze", {"freeze_on": str(freeze_on), "roll": election.roll_size})
    return election


def election_open_nominations(*, actor: Actor, election: Election) -> Election:
    with transaction.atomic():
        election = locked(election.pk)
        require_returning_officer(actor, election)
        step = check_step(election, "open_nominations")
        election.state = step.target
        election.save(update_fields=["state"])
        record(actor, election, "election.open_nominations")
    return election


def election_open_poll(*, actor: Actor, election: Election) -> Election:
    """Publish the ballot paper (the valid candidates by family name) and the lot seed; open the poll."""
    with transaction.atomic():
        election = locked(election.pk)
        require_returning_officer(actor, election)
        step = check_step(election, "open_poll")
        now = clock.now()
        assert election.poll_opens_at is not None  # noqa: S101 - set at the freeze
        if now < election.poll_opens_at:
            raise ElectionRefused(STATES, f"the poll opens on {election.poll_opens_at:%-d %B %Y at %H:%M}")
        valid = list(
            Candidate.objects.filter(election=election, state=CandidateState.VALID).order_by(
                "person__family_name", "person__given_name", "id"
            )
        )
        if len(valid) < 1:
            raise ElectionRefused(STATES, "there is no validly nominated candidate to put on the ballot")
        still_open = Candidate.objects.filter(
            election=election, state__in=[CandidateState.NOMINATED, CandidateState.ACCEPTED]
        ).count()
        if still_open:
            raise ElectionRefused(
                STATES, f"{still_open} nomination(s) still await acceptance or validation: decide them first"
            )
        for group in election.groups.all():
            standing = group.candidates.filter(state=CandidateState.VALID).count()
            if standing < group.minimum:
                raise ElectionRefused(
                    STATES,
                    f"the group minimum for {group.label} needs at least {group.minimum} valid candidate(s) "
                    f"who self-identify with it; there are {standing}",
                )
        for position, candidate in enumerate(valid, start=1):
            candidate.ballot_position = position
            candidate.save(update_fields=["ballot_position"])
        election.seed = secrets.randbelow(2**31)
        election.ballot_published_at = now
        election.poll_opened_at = now
        election.state = step.target
        election.save()
        record(actor, election, "election.open_poll", {"seed": election.seed, "candidates": len(valid)})
    return election


def election_close(*, actor: Actor, election: Election) -> Election:
    """Close the poll, at or after its time. Web ballots stop at once (they wait on this row's lock)."""
    with transaction.atomic():
        election = locked(election.pk)
        require_returning_officer(actor, election)
        step = check_step(election, "close")
        now = clock.now()
        assert election.poll_closes_at is not None  # noqa: S101 - set at the freeze
        if now < election.poll_closes_at:
            raise ElectionRefused(
                STATES, f"the poll closes on {election.poll_closes_at:%-d %B %Y at %H:%M}, not before"
            )
        election.closed_at = now
        election.state = step.target
        election.save(update_fields=["closed_at", "state"])
        record(actor, election, "election.close")
    return election
