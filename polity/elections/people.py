"""Whom election forms may name with the person picker (scope "elections").

The members of the electorate's unit (its subtree) of every election in progress in which the actor has a
part that names people: the returning officer (tellers, postal ballots received), a teller (postal ballots
received) and a candidate (their agents). Nobody else, and nobody from a draft or a finished election.
Every match shown and every person resolved is in the access log (polity.members.picker).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from polity.common.actor import Actor
from polity.elections.models import Candidate, Election, State, Teller
from polity.members.models import Person

IN_PROGRESS = (State.FROZEN, State.NOMINATIONS, State.POLLING, State.CLOSED)


def election_people(actor: Actor) -> QuerySet[Person]:
    people = Person.objects.all()
    if actor.is_system:
        return people
    if actor.person_id is None:
        return people.none()
    me = actor.person_id
    elections = Election.objects.filter(state__in=IN_PROGRESS).filter(
        Q(returning_officer_id=me)
        | Q(pk__in=Teller.objects.filter(person_id=me).values("election_id"))
        | Q(pk__in=Candidate.objects.filter(person_id=me).values("election_id"))
    )
    paths = {
        (e.electorate_unit or e.unit).path
        for e in elections.select_related("unit", "electorate_unit", "electorate_body__unit")
    }
    if not paths:
        return people.none()
    where = Q()
    for path in paths:
        where |= Q(home_unit__path__startswith=path)
    return people.filter(where)
