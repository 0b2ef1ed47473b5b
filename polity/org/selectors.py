"""Reads of the unit tree, scoped by `access`."""

from __future__ import annotations

from polity.access.perms import Perm
from polity.access.policy import require, visible_units
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.org.models import Unit


def unit_list(*, actor: Actor, perm: Perm = Perm.UNITS_VIEW) -> list[Unit]:
    """The units in the actor's scopes for `perm`, in tree order (parents before children)."""
    return list(visible_units(Unit.objects.all(), actor=actor, perm=perm).order_by("path"))


def unit_get(*, actor: Actor, unit_id: int, perm: Perm = Perm.UNITS_VIEW) -> Unit:
    """One unit the actor holds `perm` over; any other answers NotVisible, like a missing one."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotVisible("not found")
    require(actor, perm, scope=unit)
    return unit


def register_is_empty() -> bool:
    """True before any unit exists: a fresh database that `polity run` fills with the demo organisation."""
    return not Unit.objects.exists()
