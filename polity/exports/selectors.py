"""Reads of exports: the requester's own, those waiting for an approver, and the DPO's incidents. A file is
never listed for anyone but its requester; decoys are shown to nobody (the attribution tool reports counts)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet

from polity.access.perms import Perm
from polity.access.policy import has_perm, require, scopes, units_q
from polity.audit.search import actors_in_words
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.comms.models import Audience
from polity.deadlines.models import Deadline
from polity.exports.models import Export, Incident, State
from polity.members.models import Person
from polity.org.models import Unit
from polity.rulebook.loader import Purpose, get_rulebook


def export_purposes() -> list[Purpose]:
    return [p for p in get_rulebook().purposes.values() if p.export_columns]


def may_export(actor: Actor) -> bool:
    return bool(scopes(actor, Perm.EXPORTS_MAKE)) or bool(scopes(actor, Perm.EXPORTS_APPROVE))


def export_audiences(*, actor: Actor) -> list[Audience]:
    """Saved audiences of units where the actor may export (comms audiences, built on the Messages page)."""
    return list(
        Audience.objects.filter(units_q(actor, Perm.EXPORTS_MAKE, field="unit__path"))
        .filter(units_q(actor, Perm.MESSAGES_SEND, field="unit__path"))
        .select_related("unit", "body")[:200]
    )


def export_audience(*, actor: Actor, audience_id: int) -> Audience:
    audience = Audience.objects.select_related("unit", "body").filter(pk=audience_id).first()
    if audience is None or not has_perm(actor, Perm.EXPORTS_MAKE, audience.unit):
        raise NotVisible("not found")
    return audience


def my_exports(*, actor: Actor) -> QuerySet[Export]:
    return Export.objects.filter(requested_by_user_id=actor.user_id or -1).select_related("unit", "audience")[
        :100
    ]


def my_export(*, actor: Actor, export_id: int) -> Export:
    export = Export.objects.select_related("unit", "audience").filter(pk=export_id).first()
    if export is None or actor.user_id is None or export.requested_by_user_id != actor.user_id:
        raise NotVisible("not found")
    return export


def exports_awaiting(*, actor: Actor) -> QuerySet[Export]:
    """Exports waiting for approval by a unit where the actor approves (never their own)."""
    return (
        Export.objects.filter(state=State.AWAITING_APPROVAL)
        .filter(units_q(actor, Perm.EXPORTS_APPROVE, field="approver_unit__path"))
        .exclude(requested_by_user_id=actor.user_id or -1)
        .select_related("unit", "audience")[:100]
    )


def export_for_approval(*, actor: Actor, export_id: int) -> Export:
    export = Export.objects.select_related("unit", "audience", "approver_unit").filter(pk=export_id).first()
    if (
        export is None
        or export.approver_unit is None
        or not has_perm(actor, Perm.EXPORTS_APPROVE, export.approver_unit)
    ):
        raise NotVisible("not found")
    return export


def _top() -> Unit | None:
    return Unit.objects.filter(parent__isnull=True).order_by("path").first()


def may_attribute(actor: Actor) -> bool:
    top = _top()
    return top is not None and has_perm(actor, Perm.EXPORTS_ATTRIBUTE, top)


def incidents(*, actor: Actor) -> list[tuple[Incident, Deadline | None]]:
    require(actor, Perm.EXPORTS_ATTRIBUTE, scope=_top())
    found = list(Incident.objects.all()[:100])
    deadlines = Deadline.objects.in_bulk([i.deadline_id for i in found if i.deadline_id])
    return [(i, deadlines.get(i.deadline_id) if i.deadline_id else None) for i in found]


def incident_get(*, actor: Actor, incident_id: int) -> Incident:
    require(actor, Perm.EXPORTS_ATTRIBUTE, scope=_top())
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise NotVisible("not found")
    return incident


def members_shown(*, actor: Actor, person_ids: list[int], limit: int = 200) -> list[Person]:
    """The members an excerpt showed, for the DPO's breach report (recorded by the attribution itself)."""
    require(actor, Perm.EXPORTS_ATTRIBUTE, scope=_top())
    return list(
        Person.objects.filter(pk__in=person_ids[:limit])
        .select_related("home_unit")
        .order_by("family_name", "given_name")
    )


def export_by_id(export_id: int) -> Export | None:
    """For the DPO's tool (who made an export, when, for what): no file, no members."""
    return Export.objects.select_related("unit", "audience").filter(pk=export_id).first()


def with_requesters[T](rows: Iterable[T], export: Callable[[T], Export]) -> list[tuple[T, str]]:
    """Each row with who asked for its export, by name and office at the time (never a login name)."""
    found = list(rows)
    words = actors_in_words(
        [
            (e.requested_at, e.requested_by_person_id, e.requested_by_user_id, e.requested_by_label)
            for e in map(export, found)
        ]
    )
    return list(zip(found, words, strict=True))
