"""The person picker: find people by name or membership number within the actor's scope for one form,
and resolve what was typed (a membership number, or a name that matches one person) to a Person.

Each form names a *scope*: who the actor may choose there. "members" is everyone whose record the actor
may open; other apps register their own (the cases app registers "cases"). Every search result shown and
every person resolved is an access-log event, like a page of the members list.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from polity.access.policy import visible_members
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.members.models import Person
from polity.members.search import parse_person_query, person_query_q

PICK_LIMIT = 10
ScopeFn = Callable[[Actor], QuerySet[Person]]

_SCOPES: dict[str, ScopeFn] = {
    "members": lambda actor: visible_members(Person.objects.all(), actor=actor),
}


def register_scope(name: str, people: ScopeFn) -> None:
    """Let an app say whom its forms may name (called from its AppConfig.ready)."""
    _SCOPES[name] = people


def scope_names() -> list[str]:
    return sorted(_SCOPES)


class PickError(InvalidInput):
    """What was typed names nobody in scope, or several people: the message says which, for the field."""


def _in_scope(actor: Actor, scope: str) -> QuerySet[Person]:
    try:
        people = _SCOPES[scope]
    except KeyError:
        raise InvalidInput(f"unknown picker scope {scope!r}") from None
    return people(actor)


def describe(person: Person) -> str:
    """How a person is told apart from a namesake: name, branch, membership number."""
    return f"{person.given_name} {person.family_name} ({person.home_unit.name}, {person.membership_number})"


def person_pick(
    *, actor: Actor, q: str, scope: str = "members", limit: int = PICK_LIMIT, channel: str = "web"
) -> list[Person]:
    """Up to `limit` people in scope matching what was typed, by name. The result shown is logged."""
    query = parse_person_query(q)
    if query.is_empty:
        return []
    rows = list(
        _in_scope(actor, scope)
        .filter(person_query_q(query))
        .select_related("home_unit")
        .order_by("family_name", "given_name", "membership_number")[:limit]
    )
    _log(actor, rows, scope=scope, channel=channel, verb="members.pick")
    return rows


def person_resolve(*, actor: Actor, text: str, scope: str = "members", channel: str = "web") -> Person:
    """The one person in scope that `text` names (a membership number, or a name only one matches).

    PickError says "No member … in your area" or "Several match: …" (with each one's branch and number)."""
    typed = " ".join((text or "").split())
    query = parse_person_query(typed)
    if query.is_empty:
        raise PickError("type a name or a membership number")
    rows = list(
        _in_scope(actor, scope)
        .filter(person_query_q(query))
        .select_related("home_unit")
        .order_by("family_name", "given_name", "membership_number")[: PICK_LIMIT + 1]
    )
    exact = [p for p in rows if p.membership_number.lower() == typed.lower()]
    if exact:
        rows = exact
    if not rows:
        raise PickError(f"No member {typed} in your area.")
    _log(actor, rows[:PICK_LIMIT], scope=scope, channel=channel, verb="members.pick")
    if len(rows) > 1:
        more = " and more" if len(rows) > PICK_LIMIT else ""
        names = "; ".join(describe(p) for p in rows[:PICK_LIMIT])
        raise PickError(f"Several match: {names}{more}. Type the membership number of the one you mean.")
    return rows[0]


def people_resolve(*, actor: Actor, text: str, scope: str = "members", channel: str = "web") -> list[Person]:
    """Several people, separated by commas or semicolons; one error lists every entry that is wrong."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    people: list[Person] = []
    problems: list[str] = []
    for part in parts:
        try:
            person = person_resolve(actor=actor, text=part, scope=scope, channel=channel)
        except PickError as error:
            problems.append(str(error))
        else:
            if person not in people:
                people.append(person)
    if problems:
        raise PickError(" ".join(problems))
    return people


def _log(actor: Actor, rows: list[Person], *, scope: str, channel: str, verb: str) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        subjects=[p.pk for p in rows if p.pk != actor.person_id],
        purpose=f"choosing a person ({scope})",
        data={"scope": scope, "shown": len(rows), "channel": channel},
    )
