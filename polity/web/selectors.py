"""Reads the web pages need beyond the domain selectors: offices, grants, notices, a member's history.

Each takes the actor and asks `polity.access` first; objects out of scope answer NotVisible (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from polity.access.models import AccessNotice, Grant, OfficeTerm, Restriction
from polity.access.perms import Perm
from polity.access.policy import has_perm, require, require_member, scopes, units_q, visible_units
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput, NotVisible
from polity.members.models import (
    ENDING_STATUSES,
    Payment,
    Person,
    Resignation,
    ResignationState,
    StatusChange,
    Transfer,
)
from polity.members.sections import SectionRow, member_sections
from polity.members.selectors import member_get, resignations_for
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook


def office_label(key: str) -> str:
    office = get_rulebook().offices.get(key)
    return office.label if office is not None else key


@dataclass
class Home:
    terms: list[OfficeTerm]
    grants: list[Grant]
    notices: list[AccessNotice]
    perms: set[str] = field(default_factory=set)
    # Units whose page (its offices) the actor may open: a seat on a body does not open its unit's page.
    openable_unit_ids: set[int] = field(default_factory=set)


def home_for(*, actor: Actor) -> Home:
    """The actor's own offices (current and future, with end dates), grants in force, and notices."""
    if actor.person_id is None:
        return Home([], [], [], _perms(actor))
    now = timezone.now()
    terms = list(
        OfficeTerm.objects.not_ended(now)
        .filter(person_id=actor.person_id)
        .select_related("unit", "body")
        .order_by("starts_at")
    )
    grants = list(
        Grant.objects.filter(person_id=actor.person_id, expires_at__gt=now, revoked_at__isnull=True)
        .select_related("unit")
        .order_by("expires_at")
    )
    notices = list(AccessNotice.objects.filter(person_id=actor.person_id).order_by("-created_at")[:20])
    openable = {t.unit_id for t in terms if has_perm(actor, Perm.OFFICES_VIEW, t.unit)}
    return Home(terms, grants, notices, _perms(actor), openable)


def _perms(actor: Actor) -> set[str]:
    return {p.value for p in held_perms(actor)}


def held_perms(actor: Actor) -> set[Perm]:
    """Every permission the actor holds somewhere now (access memoises "now" per actor)."""
    return {p for p in Perm if scopes(actor, p)}


@dataclass
class MemberRecord:
    person: Person
    is_self: bool
    shows_contact: bool
    can_edit: bool
    can_transfer: bool
    periods: list[object]
    status_changes: list[StatusChange]
    payments: list[Payment]
    transfers: list[Transfer]
    resignations: list[Resignation] = field(default_factory=list)
    # The member's own, or an officer's with members.view_sections (recorded); None: not shown at all.
    sections: list[SectionRow] | None = None

    @property
    def pending_resignation(self) -> Resignation | None:
        return next((r for r in self.resignations if r.state == ResignationState.PENDING), None)

    @property
    def may_resign(self) -> bool:
        return self.person.status not in ENDING_STATUSES and self.pending_resignation is None


def member_record(*, actor: Actor, member_id: int, purpose: str = "member record") -> MemberRecord:
    """A member's record with its history. Opening it is recorded by member_get (unless it is one's own)."""
    person = member_get(actor=actor, member_id=member_id, purpose=purpose)
    is_self = actor.person_id == person.pk
    unit = person.home_unit
    return MemberRecord(
        person=person,
        is_self=is_self,
        shows_contact=is_self or has_perm(actor, Perm.MEMBERS_VIEW_CONTACT, unit),
        can_edit=has_perm(actor, Perm.MEMBERS_EDIT, unit),
        can_transfer=has_perm(actor, Perm.MEMBERS_TRANSFER, unit),
        periods=list(person.periods.order_by("-started_on", "-id")),
        status_changes=list(person.status_changes.order_by("-changed_at", "-id")),
        payments=list(person.payments.order_by("-paid_on", "-id")),
        transfers=list(
            Transfer.objects.filter(person=person).select_related("from_unit", "to_unit").order_by("-at")
        ),
        resignations=resignations_for(actor=actor, person=person),
        sections=member_sections(actor=actor, person=person),
    )


def member_for_action(*, actor: Actor, member_id: int) -> Person:
    """A member the actor may see, for a write the service will check and record (no read event)."""
    person = Person.objects.select_related("home_unit").filter(pk=member_id).first()
    if person is None:
        raise NotVisible("not found")
    require_member(actor, person)
    return person


def transfer_targets(*, actor: Actor, person: Person) -> list[Unit]:
    """Branches in the actor's transfer scope, other than the member's own."""
    leaf = get_rulebook().levels[-1]
    return list(
        visible_units(Unit.objects.filter(level=leaf), actor=actor, perm=Perm.MEMBERS_TRANSFER)
        .exclude(pk=person.home_unit_id)
        .order_by("path")[:1000]
    )


FILTER_MAX_UNITS = 1000


def units_for_filter(*, actor: Actor) -> list[Unit]:
    """Units the actor may list members of, in tree order, for the members list's filter.

    A scope too large for one menu (a national officer's) offers the levels above branches only.
    """
    qs = visible_units(Unit.objects.all(), actor=actor, perm=Perm.MEMBERS_VIEW).order_by("path")
    units = list(qs[: FILTER_MAX_UNITS + 1])
    if len(units) > FILTER_MAX_UNITS:
        leaf = get_rulebook().levels[-1]
        units = list(qs.exclude(level=leaf)[:FILTER_MAX_UNITS])
    return units


@dataclass
class UnitOffices:
    unit: Unit
    children: list[Unit]
    current: list[OfficeTerm]
    past: list[OfficeTerm]
    can_manage: bool
    restrictions: list[Restriction] = field(default_factory=list)
    can_restrict: bool = False


def unit_offices(*, actor: Actor, unit_id: int) -> UnitOffices:
    """A unit's office holders (current and the last ended terms). Needs Perm.OFFICES_VIEW there."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotVisible("not found")
    require(actor, Perm.OFFICES_VIEW, scope=unit)
    now = timezone.now()
    terms = OfficeTerm.objects.filter(unit=unit).select_related("person", "body")
    current = list(terms.in_force(now).order_by("office", "starts_at"))
    past = list(terms.filter(ends_at__lte=now).order_by("-ends_at")[:20])
    children = list(unit.children.order_by("name"))
    ancestors = [unit.path[:i] for i in range(1, len(unit.path) + 1) if unit.path[i - 1] == "."]
    restrictions = list(
        Restriction.objects.in_force(now)
        .filter(Q(unit__path__startswith=unit.path) | Q(unit__path__in=ancestors))
        .select_related("unit", "person")
        .order_by("review_at")[:50]
    )
    # The page names the holders and the restricted: a read of their data, recorded like any other.
    shown = {t.person_id for t in (*current, *past)} | {r.person_id for r in restrictions if r.person_id}
    audit_record(
        actor=actor,
        verb="offices.view",
        subjects=sorted(shown),
        purpose="governance: the unit's offices",
        object_type="unit",
        object_id=unit.pk,
        data={"current": len(current), "past": len(past), "restrictions": len(restrictions)},
    )
    return UnitOffices(
        unit,
        children,
        current,
        past,
        has_perm(actor, Perm.OFFICES_MANAGE, unit),
        restrictions,
        has_perm(actor, Perm.ACCESS_RESTRICT, unit),
    )


def office_term_get(*, actor: Actor, term_id: int) -> OfficeTerm:
    """One office term in a unit where the actor may see offices; any other answers NotVisible."""
    term = OfficeTerm.objects.select_related("unit", "person", "body").filter(pk=term_id).first()
    if term is None:
        raise NotVisible("not found")
    require(actor, Perm.OFFICES_VIEW, scope=term.unit)
    return term


def grants_in_scope(*, actor: Actor, include_ended: bool = False, limit: int = 200) -> list[Grant]:
    """Grants over units where the actor holds Perm.GRANTS_MANAGE, newest first."""
    qs = Grant.objects.filter(units_q(actor, Perm.GRANTS_MANAGE, field="unit__path"))
    if not include_ended:
        qs = qs.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    grants = list(qs.select_related("unit", "person").order_by("-starts_at")[:limit])
    if grants:  # the holders are named: a read of their data
        audit_record(
            actor=actor,
            verb="grants.list",
            subjects=sorted({g.person_id for g in grants}),
            purpose="governance: access grants",
            object_type="grant",
            data={"shown": len(grants), "include_ended": include_ended},
        )
    return grants


def grant_get(*, actor: Actor, grant_id: int) -> Grant:
    """One grant over a unit the actor manages grants in; any other answers NotVisible."""
    grant = Grant.objects.select_related("unit", "person").filter(pk=grant_id).first()
    if grant is None:
        raise NotVisible("not found")
    require(actor, Perm.GRANTS_MANAGE, scope=grant.unit)
    return grant


def grantable_units(*, actor: Actor) -> list[Unit]:
    return list(
        visible_units(Unit.objects.all(), actor=actor, perm=Perm.GRANTS_MANAGE).order_by("path")[:500]
    )


def unit_tree(*, actor: Actor) -> list[Unit]:
    """Units the actor may see, in tree order (parents first); `depth` gives the indentation."""
    return list(visible_units(Unit.objects.all(), actor=actor).order_by("path")[:2000])


def own_term_get(*, actor: Actor, term_id: int) -> OfficeTerm:
    """One of the actor's own terms still running; anyone else's answers NotVisible."""
    if actor.person_id is None:
        raise NotVisible("not found")
    term = (
        OfficeTerm.objects.not_ended(timezone.now())
        .select_related("unit", "body")
        .filter(pk=term_id, person_id=actor.person_id)
        .first()
    )
    if term is None:
        raise NotVisible("not found")
    return term


def restrictable_units(*, actor: Actor) -> list[Unit]:
    return list(
        visible_units(Unit.objects.all(), actor=actor, perm=Perm.ACCESS_RESTRICT).order_by("path")[:1000]
    )


def restrictable_holders(*, actor: Actor, limit: int = 1000) -> list[Person]:
    """People holding an office now in a unit where the actor may restrict access, by name."""
    terms = OfficeTerm.objects.in_force(timezone.now()).filter(
        units_q(actor, Perm.ACCESS_RESTRICT, field="unit__path")
    )
    return list(
        Person.objects.filter(pk__in=terms.values("person_id"))
        .exclude(pk=actor.person_id or 0)
        .select_related("home_unit")
        .order_by("family_name", "given_name", "id")[:limit]
    )


def restrictions_in_scope(*, actor: Actor, limit: int = 200) -> list[Restriction]:
    """Restrictions over units where the actor may restrict access: in force first, by review date."""
    require(actor, Perm.ACCESS_RESTRICT)
    qs = Restriction.objects.filter(units_q(actor, Perm.ACCESS_RESTRICT, field="unit__path"))
    return list(
        qs.select_related("unit", "person", "authority").order_by("lifted_at", "review_at", "id")[:limit]
    )


def restriction_get(*, actor: Actor, restriction_id: int) -> Restriction:
    restriction = (
        Restriction.objects.select_related("unit", "person", "authority").filter(pk=restriction_id).first()
    )
    if restriction is None:
        raise NotVisible("not found")
    require(actor, Perm.ACCESS_RESTRICT, scope=restriction.unit)
    return restriction


def holder_for_restriction(*, actor: Actor, person_id: int) -> Person:
    """A person holding an office now where the actor may restrict access; anyone else answers NotVisible."""
    terms = OfficeTerm.objects.in_force(timezone.now()).filter(
        units_q(actor, Perm.ACCESS_RESTRICT, field="unit__path"), person_id=person_id
    )
    person = Person.objects.filter(pk=person_id, pk__in=terms.values("person_id")).first()
    if person is None:
        raise NotVisible("not found")
    return person


def appointing_body_get(*, term: OfficeTerm, body_id: int | None) -> Body | None:
    """The body named for a decision on `term` (None when none was named); one that does not appoint to
    it is refused with the rule."""
    from polity.access.services import appointing_bodies

    if body_id is None:
        return None
    body = next((b for b in appointing_bodies(term) if b.pk == body_id), None)
    if body is None:
        raise InvalidInput("body: only a body of the office's unit, or of the unit above it, appoints to it")
    return body
