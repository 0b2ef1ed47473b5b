"""Who sits on a body, and who is entitled to take part in its meeting on a date.

Seats are office terms tied to the body (its delegates, co-opted and other members: offices whose
rulebook `body` is the body's kind, or terms attached to the body itself) plus, ex officio, holders of the
offices the rulebook's `[bodies.<kind>] ex_officio` names in the body's unit. Each is a term with a start
and an end, so the body on any date is one query. A body no office ties to (a general meeting of members)
is every member of its unit's subtree.

Entitlement adds standing on the day: an active member whose subscription is paid, or unpaid for no longer
than the rulebook's arrears grace. Decoy records never count.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.meetings.rules import GRACE
from polity.members.models import Person, Status
from polity.org.models import Body
from polity.rulebook.loader import get_rulebook


def seat_offices(body: Body) -> list[str]:
    return [key for key, office in get_rulebook().offices.items() if office.body == body.kind]


def is_open_body(body: Body) -> bool:
    """A body no office ties to (an AGM) is a meeting of all the unit's members."""
    if seat_offices(body) or get_rulebook().bodies[body.kind].ex_officio:
        return False
    return not OfficeTerm.objects.filter(body=body).exists()


def seat_terms(body: Body, at: datetime) -> QuerySet[OfficeTerm]:
    """Office terms in force at `at` that seat someone on the body."""
    rulebook = get_rulebook()
    tied = Q(body=body) | Q(office__in=seat_offices(body), body__isnull=True, unit=body.unit)
    ex_officio = rulebook.bodies[body.kind].ex_officio
    if ex_officio:
        tied |= Q(office__in=ex_officio, unit=body.unit)
    return OfficeTerm.objects.in_force(at).filter(tied)


def in_good_standing(people: QuerySet[Person], on: date) -> QuerySet[Person]:
    paid_since = get_rulebook().rule(GRACE).subtract_from(on)
    return people.filter(status=Status.ACTIVE).filter(
        Q(paid_until__isnull=True) | Q(paid_until__gte=paid_since)
    )


def entitled_people(body: Body, at: datetime) -> QuerySet[Person]:
    """Everyone entitled to take part in a meeting of the body at `at`.

    A seated body's members are read first (a few thousand at most, by the terms' body and unit indexes), so
    the people are then found by primary key whatever the planner believes about the register's size: as
    one semi-join, a register not yet analysed was planned as a scan of every active member (580 ms against
    2.5 ms on the 500,000-member demo)."""
    on = timezone.localtime(at).date()
    if is_open_body(body):
        people = Person.objects.filter(home_unit__path__startswith=body.unit.path)
    else:
        seated = set(seat_terms(body, at).values_list("person_id", flat=True))
        people = Person.objects.filter(pk__in=sorted(seated))
    return in_good_standing(people, on)


def entitled_ids(body: Body, at: datetime) -> QuerySet[Any]:
    return entitled_people(body, at).values("pk")


def is_entitled(body: Body, person_id: int, at: datetime) -> bool:
    """Whether one person is entitled: their seat (or home unit, for an open body) and standing, in two
    indexed look-ups whatever the body's size."""
    on = timezone.localtime(at).date()
    if is_open_body(body):
        person = Person.objects.filter(pk=person_id, home_unit__path__startswith=body.unit.path)
    elif seat_terms(body, at).filter(person_id=person_id).exists():
        person = Person.objects.filter(pk=person_id)
    else:
        return False
    return in_good_standing(person, on).exists()
