"""All authorisation in one place.

Permissions come from offices held (during their term, within their unit's subtree) and from explicit
grants (purpose, scope, expiry, not revoked). Everything that reads or writes personal data asks here.
Objects the actor may not see raise NotVisible, which every interface answers exactly like "not found".
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from polity.access.perms import PERSONAL_DATA, Perm
from polity.common.actor import Actor
from polity.common.errors import Forbidden, NotVisible
from polity.members.models import Person
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook


@dataclass(frozen=True)
class Scope:
    """One unit subtree in which a permission holds, and why."""

    unit_id: int
    path: str
    source: str  # "office:<key>" or "grant:<id>"


@functools.cache
def _sources_sql() -> str:
    """The offices and grants of one person in force at one moment, each with whether a restriction in force
    covers its unit, in one statement. Written once as SQL (not composed by the ORM on every request): every
    signed-in request asks it, and composing the two querysets it replaced cost more CPU than running them.
    Parameters, for each half: at, at, person (the restriction test), then person, at, at. "In force" here is
    what `OfficeTerm.objects.in_force` and `Restriction.objects.in_force` say: change them together."""
    from polity.access.models import Grant, OfficeTerm, Restriction

    term, grant, restriction = OfficeTerm._meta.db_table, Grant._meta.db_table, Restriction._meta.db_table
    unit = Unit._meta.db_table
    cut = (
        f"EXISTS (SELECT 1 FROM {restriction} r JOIN {unit} ru ON ru.id = r.unit_id"  # noqa: S608 (table names only)
        " WHERE r.starts_at <= %s AND (r.lifted_at IS NULL OR r.lifted_at > %s)"
        " AND (r.person_id IS NULL OR r.person_id = %s)"
        " AND SUBSTR(u.path, 1, LENGTH(ru.path)) = ru.path)"
    )
    return (
        f"SELECT 'office', t.office, NULL, t.unit_id, u.path, {cut} FROM {term} t JOIN {unit} u ON u.id = t.unit_id"  # noqa: S608
        " WHERE t.person_id = %s AND t.starts_at <= %s AND (t.ends_at IS NULL OR t.ends_at > %s)"
        f" UNION ALL SELECT 'grant', CAST(g.id AS VARCHAR(20)), g.permissions, g.unit_id, u.path, {cut}"
        f" FROM {grant} g JOIN {unit} u ON u.id = g.unit_id"
        " WHERE g.person_id = %s AND g.starts_at <= %s AND g.expires_at > %s AND g.revoked_at IS NULL"
        " ORDER BY 1, 5, 2"
    )


def _sources(
    actor: Actor, at: datetime, *, current: bool = False
) -> list[tuple[frozenset[Perm], int, str, str]]:
    """(permissions, unit id, unit path, source) for every office and grant in force at `at`.

    `current` means "now": memoised once per actor (an actor lives for one request or task), where a
    key on the exact moment would never hit again.

    A restriction of access in force at `at` (one on this person, or one on a whole unit) withholds the
    personal-data permissions of every office and grant in the restricted unit's subtree: this is the
    one place where a restriction takes effect.
    """
    key = "sources@now" if current else f"sources@{at.isoformat()}"
    if key in actor.cache:
        return actor.cache[key]  # type: ignore[no-any-return]
    out: list[tuple[frozenset[Perm], int, str, str]] = []
    held_terms: list[tuple[str, int]] = []
    if actor.person_id is not None:
        rulebook = get_rulebook()
        when = connection.ops.adapt_datetimefield_value(at)
        with connection.cursor() as cursor:
            half = [when, when, actor.person_id, actor.person_id, when, when]
            cursor.execute(_sources_sql(), half + half)
            rows = cursor.fetchall()
        for kind, name, granted, unit_id, path, is_cut in rows:
            if kind == "office":
                held_terms.append((name, unit_id))
                office_type = rulebook.offices.get(name)
                if office_type is not None and office_type.permissions:
                    perms = office_type.permissions - PERSONAL_DATA if is_cut else office_type.permissions
                    out.append((perms, unit_id, path, f"office:{name}"))
                continue
            if isinstance(granted, str | bytes):
                granted = json.loads(granted)
            valid = frozenset(Perm(p) for p in granted if p in Perm._value2member_map_)
            out.append((valid - PERSONAL_DATA if is_cut else valid, unit_id, path, f"grant:{name}"))
    actor.cache[key] = out
    # Every office in force, with or without permissions (a chair's), for the questions asked of offices.
    actor.cache[f"terms:{key}"] = held_terms
    return out


def scopes(actor: Actor, perm: Perm, *, at: datetime | None = None) -> list[Scope]:
    """The unit subtrees where `actor` holds `perm`, with nested ones folded into their ancestors."""
    current = at is None
    at = at or timezone.now()
    if actor.is_system:
        return [Scope(unit.pk, unit.path, "system") for unit in Unit.objects.filter(parent__isnull=True)]
    found = sorted(
        (
            Scope(unit_id, path, source)
            for perms, unit_id, path, source in _sources(actor, at, current=current)
            if perm in perms
        ),
        key=lambda s: (s.path, s.source),
    )
    folded: list[Scope] = []
    for scope in found:
        if not any(scope.path.startswith(outer.path) for outer in folded):
            folded.append(scope)
    return folded


def has_perm(actor: Actor, perm: Perm, unit: Unit | None = None, *, at: datetime | None = None) -> bool:
    """Whether `actor` holds `perm` over `unit` (or anywhere, when unit is None)."""
    found = scopes(actor, perm, at=at)
    if unit is None:
        return bool(found)
    return any(unit.path.startswith(s.path) for s in found)


def require(actor: Actor, perm: Perm, *, scope: Unit | None = None, visible: bool = True) -> None:
    """Refuse unless `actor` holds `perm` over `scope`.

    `visible=True` (the default) means the refusal is NotVisible (404): use it when the object itself is
    what the actor may not see. `visible=False` raises Forbidden for actions on objects they can see.
    """
    if has_perm(actor, perm, scope):
        return
    if visible:
        raise NotVisible("not found")
    raise Forbidden(f"you need the permission {perm.value!r} here")


def units_q(actor: Actor, perm: Perm, *, field: str = "path", at: datetime | None = None) -> Q:
    """A Q over Unit (or a relation to one via `field`, e.g. "home_unit__path") limited to scope."""
    found = scopes(actor, perm, at=at)
    if not found:
        return Q(pk__in=[])
    q = Q()
    for s in found:
        q |= Q(**{f"{field}__startswith": s.path})
    return q


def visible_units(qs: QuerySet[Unit], *, actor: Actor, perm: Perm = Perm.UNITS_VIEW) -> QuerySet[Unit]:
    return qs.filter(units_q(actor, perm))


def visible_members(
    qs: QuerySet[Person], *, actor: Actor, perm: Perm = Perm.MEMBERS_VIEW, at: datetime | None = None
) -> QuerySet[Person]:
    """Members whose home unit lies in one of the actor's scopes for `perm`.

    The unit ids are resolved first (a few hundred at most) so the member query is an indexed IN on
    home_unit_id, whatever the size of the register.
    """
    found = scopes(actor, perm, at=at)
    if not found:
        return qs.none()
    unit_ids = _unit_ids_in(found)
    return qs.filter(home_unit_id__in=unit_ids)


def _unit_ids_in(found: Iterable[Scope]) -> list[int]:
    q = Q()
    for s in found:
        q |= Q(path__startswith=s.path)
    return list(Unit.objects.filter(q).values_list("pk", flat=True))


def can_see_member(actor: Actor, person: Person, perm: Perm = Perm.MEMBERS_VIEW) -> bool:
    if actor.person_id is not None and actor.person_id == person.pk and perm == Perm.MEMBERS_VIEW:
        return True
    return has_perm(actor, perm, person.home_unit)


def require_member(actor: Actor, person: Person, perm: Perm = Perm.MEMBERS_VIEW) -> None:
    """Refuse (404) unless the actor may see this member; members may always see themselves."""
    if not can_see_member(actor, person, perm):
        raise NotVisible("not found")


def needs_second_factor(actor: Actor) -> bool:
    """Every account that can see other people's data must use two-factor authentication."""
    if actor.is_superuser:
        return True
    return any(perms for perms, _unit, _path, _source in _sources(actor, timezone.now(), current=True))


def is_operator(actor: Actor) -> bool:
    """The system, or a superuser: for operations no office grants (bounces, suppressions, others' tokens)."""
    return actor.is_system or actor.is_superuser


def may_issue_enrolment_code(actor: Actor) -> bool:
    """Who hands out the one-time codes that let a person set up a second factor: an operator, never an
    office, so no officer can take over another's account by enrolling a phone for it."""
    return is_operator(actor)


def may_read_caught_mail(actor: Actor) -> bool:
    """The local mail catcher holds whole messages with every recipient's address: operators only, in every
    mode (DEBUG too: `make run` is where it is used, with every demo login signed in at some point)."""
    return is_operator(actor)


def notice_request_unit_ids(actor: Actor, *, at: datetime | None = None) -> list[int]:
    """The units whose governance notices `actor` may ask the region to send (DESIGN invariant 8): those
    where they hold an office of the unit itself (chair, secretary, treasurer...) now, even with their data
    access cut. A seat on a body or a staff role does not count."""
    from polity.access.models import OfficeTerm

    if actor.person_id is None:
        return []
    officers = get_rulebook().unit_officer_offices()
    if at is None:
        # "Now": the offices the request's permission check already read (no second query per page).
        _sources(actor, timezone.now(), current=True)
        held = actor.cache["terms:sources@now"]
        return sorted({unit_id for office, unit_id in held if office in officers})
    return list(
        OfficeTerm.objects.in_force(at)
        .filter(person_id=actor.person_id, office__in=officers)
        .values_list("unit_id", flat=True)
        .distinct()
    )


def may_request_notice(actor: Actor, unit: Unit | None = None, *, at: datetime | None = None) -> bool:
    """Whether `actor` may ask the region to send a governance notice of `unit` (of any unit when None)."""
    found = notice_request_unit_ids(actor, at=at)
    return bool(found) if unit is None else unit.pk in found
