"""Who may see and run a body's meetings. Every meetings service and selector asks here.

- See a body (its page, meetings, published minutes): anyone who holds units.view over its unit, the
  members of its unit's subtree, and anyone who has ever sat on it.
- Run its meetings (call, notice, attendance, business, minutes, seats): meetings.manage over its unit.
- Call a meeting of a kind: the offices the rulebook's kind names, in the body's unit (or meetings.manage
  from the unit above, once a requisition was left uncalled past its deadline).
A body one may not see answers exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.common.actor import Actor
from polity.common.errors import Forbidden, NotVisible
from polity.members.models import Person
from polity.org.models import Body


def body_visible(actor: Actor, body: Body) -> bool:
    if (
        actor.is_system
        or has_perm(actor, Perm.UNITS_VIEW, body.unit)
        or has_perm(actor, Perm.MEETINGS_MANAGE, body.unit)
    ):
        return True
    if actor.person_id is None:
        return False
    key = f"meetings.home@{actor.person_id}"
    if key not in actor.cache:
        paths = Person.objects.filter(pk=actor.person_id).order_by().values_list("home_unit__path", flat=True)
        actor.cache[key] = next(iter(paths[:1]), None)
    home = actor.cache[key] or ""
    if home.startswith(body.unit.path):
        return True
    return OfficeTerm.objects.filter(person_id=actor.person_id, body=body).exists()


def require_body(actor: Actor, body: Body) -> None:
    if not body_visible(actor, body):
        raise NotVisible("not found")


def may_manage(actor: Actor, body: Body) -> bool:
    return actor.is_system or has_perm(actor, Perm.MEETINGS_MANAGE, body.unit)


def require_manage(actor: Actor, body: Body) -> None:
    if may_manage(actor, body):
        return
    require_body(actor, body)
    raise Forbidden(f"only the officers who run the meetings of {body.name} may do this")


def holds_office(
    actor: Actor, body: Body, offices: tuple[str, ...] | list[str], at: datetime | None = None
) -> bool:
    if actor.person_id is None or not offices:
        return False
    return (
        OfficeTerm.objects.in_force(at or timezone.now())
        .filter(person_id=actor.person_id, unit=body.unit, office__in=list(offices))
        .exists()
    )
