"""The roll: members in good standing on the freeze date, fixed then; and why a member is or is not on it.

Good standing on a date: status active, paid (if they ever paid) no more than `membership.arrears_grace`
before it, joined at least `membership.min_length_to_vote` before it (export decoys are not people: they are
never on a roll). The electorate is the members of a unit's subtree, or the office holders of a body, at the
freeze; or the members of a unit's subtree who were in a section of the rulebook on the freeze date
(polity/members/sections.py), under the same standing rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import Q, QuerySet

from polity.access.models import OfficeTerm
from polity.elections.models import Election, Electorate, RollEntry
from polity.members.models import Person, Status
from polity.members.sections import in_section_q, is_in_section, section_label
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

VOTE_RULE = "membership.min_length_to_vote"
STAND_RULE = "membership.min_length_to_stand"
ARREARS_RULE = "membership.arrears_grace"


def electorate_people(election: Election, at: datetime, on: date | None = None) -> QuerySet[Person]:
    """Everyone in the electorate's unit or body (or section within the unit on `on`: by default the freeze
    date, or today before the freeze), before the standing rules."""
    if election.electorate == Electorate.BODY:
        holders = OfficeTerm.objects.in_force(at).filter(body=election.electorate_body)
        return Person.objects.filter(pk__in=holders.values("person_id"))
    people = _unit_people(election)
    if election.electorate == Electorate.SECTION:
        day = on or election.freeze_on or at.date()
        people = people.filter(in_section_q(election.electorate_section, day))
    return people


def _unit_people(election: Election) -> QuerySet[Person]:
    unit = election.electorate_unit or Unit.objects.get(pk=election.unit_id)
    return Person.objects.filter(home_unit__path__startswith=unit.path)


def _electorate_reasons(
    election: Election, person: Person, at: datetime, on: date, *, fixed: bool
) -> list[str]:
    """Why `person` is not in the electorate (empty if they are), in words."""
    if election.electorate != Electorate.SECTION:
        if electorate_people(election, at).filter(pk=person.pk).exists():
            return []
        return [f"you are not among the voters: {electorate_words(election)}"]
    if not _unit_people(election).filter(pk=person.pk).exists():
        return [f"you are not among the voters: {electorate_words(election)}"]
    if is_in_section(person, election.electorate_section, on):
        return []
    label = section_label(election.electorate_section)
    if fixed:
        return [f"you were not a member of the {label} on {on:%-d %B %Y}, the freeze date"]
    return [f"on today's record you are not a member of the {label}"]


def standing_q(on: date, length_rule: str) -> Q:
    rulebook = get_rulebook()
    joined_by = rulebook.rule(length_rule).subtract_from(on)
    paid_from = rulebook.rule(ARREARS_RULE).subtract_from(on)
    return Q(status=Status.ACTIVE, joined_on__lte=joined_by) & (
        Q(paid_until__isnull=True) | Q(paid_until__gte=paid_from)
    )


def roll_build(election: Election, on: date, at: datetime) -> int:
    """Insert the roll in one statement (half a million rows without a Python loop); returns its size."""
    voters = electorate_people(election, at, on).filter(standing_q(on, VOTE_RULE)).values("id")
    sql, params = voters.query.sql_with_params()
    table = RollEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (election_id, person_id) SELECT %s, v.id FROM ({sql}) v",  # noqa: S608
            [election.pk, *params],
        )
        return int(cursor.rowcount)


@dataclass(frozen=True)
class Standing:
    """Whether a person may vote (or stand) in an election, and why, in words."""

    eligible: bool
    reasons: tuple[str, ...]
    fixed: bool  # the roll is fixed (after the freeze) rather than a forecast on today's data


def standing_problems(person: Person, on: date, length_rule: str) -> list[str]:
    rulebook = get_rulebook()
    problems: list[str] = []
    rule = rulebook.rule(length_rule)
    joined_by = rule.subtract_from(on)
    if person.status != Status.ACTIVE:
        problems.append(f"your membership is {person.get_status_display().lower()}, not active")
    paid_from = rulebook.rule(ARREARS_RULE).subtract_from(on)
    if person.paid_until is not None and person.paid_until < paid_from:
        problems.append(
            f"you were in arrears on {on:%-d %B %Y} (paid until {person.paid_until:%-d %B %Y}; the grace "
            f"period ended {rulebook.rule(ARREARS_RULE).add_to(person.paid_until):%-d %B %Y})"
        )
    if person.joined_on > on:
        problems.append(f"you joined on {person.joined_on:%-d %B %Y}, after the freeze date {on:%-d %B %Y}")
    elif person.joined_on > joined_by:
        problems.append(
            f"you joined on {person.joined_on:%-d %B %Y}; the rules ask for {_words(str(rule.duration))} of "
            f"membership by {on:%-d %B %Y}, so members who joined by {joined_by:%-d %B %Y}"
        )
    return problems


def voter_standing(election: Election, person: Person, at: datetime) -> Standing:
    """May `person` vote in `election`, and why: from the fixed roll after the freeze, a forecast before."""
    if election.freeze_on is not None:
        on_roll = RollEntry.objects.filter(election=election, person=person).exists()
        if on_roll:
            return Standing(
                True,
                (
                    f"you are on the roll fixed on {election.freeze_on:%-d %B %Y}: a member of the electorate "
                    "in good standing on that date",
                ),
                True,
            )
        reasons = standing_problems(person, election.freeze_on, VOTE_RULE)
        reasons += _electorate_reasons(election, person, at, election.freeze_on, fixed=True)
        if not reasons:
            reasons.append(
                f"you were not a member of the electorate in good standing on {election.freeze_on:%-d %B %Y}"
            )
        return Standing(False, tuple(reasons), True)
    today = at.date()
    reasons = standing_problems(person, today, VOTE_RULE)
    reasons += _electorate_reasons(election, person, at, today, fixed=False)
    if reasons:
        return Standing(False, tuple(reasons), False)
    return Standing(
        True, ("on today's record you would be on the roll; it is fixed on the freeze date",), False
    )


def electorate_words(election: Election) -> str:
    if election.electorate == Electorate.BODY and election.electorate_body is not None:
        return f"the members of the {election.electorate_body.name} ({election.electorate_body.unit.name})"
    if election.electorate == Electorate.SECTION and election.electorate_unit is not None:
        return f"the members of the {section_label(election.electorate_section)} in {election.electorate_unit.name}"
    if election.electorate_unit is not None:
        return f"the members of {election.electorate_unit.name}"
    return "the electorate"


def _words(duration: str) -> str:
    amount, unit = int(duration[:-1]), duration[-1]
    name = {"d": "day", "w": "week", "m": "month", "y": "year"}[unit]
    return f"{amount} {name}{'' if amount == 1 else 's'}"
