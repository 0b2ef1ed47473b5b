"""Whom selection forms may name (the person picker's "selections" scope), and naming a person over the API
by id or membership number within it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import scopes
from polity.common.actor import Actor
from polity.common.errors import InvalidInput, NotVisible
from polity.members.models import Person
from polity.members.picker import person_resolve
from polity.rulebook.loader import get_rulebook


def selection_people(actor: Actor) -> QuerySet[Person]:
    """Members under the actor's `selections.manage` scope, and the holders of an office that seats people on
    selection panels or runs elections in a unit of that scope or above it (a region's panel member, a
    national returning officer, for a constituency)."""
    people = Person.objects.all()
    found = scopes(actor, Perm.SELECTIONS_MANAGE)
    if actor.is_system:
        return people
    if not found:
        return people.none()
    q = Q()
    paths: set[str] = set()
    for scope in found:
        q |= Q(home_unit__path__startswith=scope.path)
        segments = scope.path.split(".")[:-1]
        paths |= {".".join(segments[: i + 1]) + "." for i in range(len(segments))}
    # Panel members and returning officers (a member ballot's) are named from the offices that carry them.
    named = {Perm.SELECTIONS_SHORTLIST, Perm.ELECTIONS_RETURN}
    offices = [k for k, o in get_rulebook().offices.items() if named & set(o.permissions)]
    sitting = OfficeTerm.objects.in_force(timezone.now()).filter(office__in=offices)
    where = Q(unit__path__in=paths)
    for scope in found:
        where |= Q(unit__path__startswith=scope.path)
    sitting = sitting.filter(where)
    q |= Q(pk__in=sitting.values("person_id"))
    return people.filter(q)


def person_named(actor: Actor, value: Any) -> Person:
    """The person an API request names by id or membership number, if selection forms may name them."""
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        found = selection_people(actor).filter(pk=int(value)).first()
        if found is None:
            raise NotVisible("not found")
        return found
    if isinstance(value, str) and value.strip():
        return person_resolve(actor=actor, text=value, scope="selections", channel="api")
    raise InvalidInput("person: give a person's id or membership number")
