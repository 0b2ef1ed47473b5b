"""Reads of deadlines: a unit's own, those escalated to it, and public counts without personal data."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from polity.access.perms import Perm
from polity.access.policy import require
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.deadlines.models import PENDING_STATES, Deadline
from polity.org.models import Unit


def deadlines_for_unit(*, actor: Actor, unit: Unit, pending_only: bool = False) -> QuerySet[Deadline]:
    """Deadlines owned in `unit`'s subtree, and those escalated to it or below it, soonest first."""
    require(actor, Perm.DEADLINES_VIEW, scope=unit)
    qs = Deadline.objects.filter(
        Q(owner_unit__path__startswith=unit.path) | Q(escalated_to__path__startswith=unit.path)
    )
    if pending_only:
        qs = qs.filter(state__in=PENDING_STATES)
    return qs.select_related("owner_unit", "escalated_to").order_by("due_at", "id")


def deadlines_in_scope(
    *, actor: Actor, pending_only: bool = True, limit: int = 200
) -> list[tuple[Unit, list[Deadline]]]:
    """For each unit where the actor holds deadlines.view: its deadlines (own subtree, and escalated to it)."""
    from polity.access.policy import scopes

    found = scopes(actor, Perm.DEADLINES_VIEW)
    if not found:
        raise NotVisible("not found")
    units = Unit.objects.in_bulk([s.unit_id for s in found])
    return [
        (
            units[s.unit_id],
            list(deadlines_for_unit(actor=actor, unit=units[s.unit_id], pending_only=pending_only)[:limit]),
        )
        for s in found
    ]


def deadlines_for_person(*, actor: Actor) -> QuerySet[Deadline]:
    """The deadlines the signed-in person owns."""
    if actor.person_id is None:
        return Deadline.objects.none()
    return Deadline.objects.filter(owner_person_id=actor.person_id).order_by("due_at", "id")


def deadlines_for_subject(*, subject_type: str, subject_id: int | str) -> list[Deadline]:
    """The deadlines of one object, for the app that owns the object (it checks who may see it)."""
    return list(
        Deadline.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by("due_at")
    )


def deadline_stats(
    *,
    actor: Actor,
    unit: Unit,
    since: datetime | None = None,
    until: datetime | None = None,
    subject_type: str | None = None,
) -> dict[str, int]:
    """Public counts for a unit's subtree: no names, no subjects. Deadlines due within [since, until)."""
    if unit.parent_id is None:  # the top of the tree: every deadline a unit owns, no list of its units
        qs = Deadline.objects.filter(owner_unit__isnull=False)
    else:
        unit_ids = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
        qs = Deadline.objects.filter(owner_unit_id__in=unit_ids)
    if since is not None:
        qs = qs.filter(due_at__gte=since)
    if until is not None:
        qs = qs.filter(due_at__lt=until)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    row = qs.aggregate(
        total=Count("id"),
        met_on_time=Count(
            "id", filter=Q(met_at__isnull=False, missed_at__isnull=True, met_at__lte=F("due_at"))
        ),
        missed=Count("id", filter=Q(missed_at__isnull=False)),
        met_late=Count("id", filter=Q(met_at__isnull=False, missed_at__isnull=False)),
        escalated=Count("id", filter=Q(escalation_level__gte=1)),
        pending=Count("id", filter=Q(state__in=PENDING_STATES)),
    )
    return {k: int(v or 0) for k, v in row.items()}
