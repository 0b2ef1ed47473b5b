"""Building the organisation's tree. Structure changes are rare and always audited."""

from __future__ import annotations

from django.db import transaction

from polity.access.perms import Perm
from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook


def unit_create(*, actor: Actor, name: str, code: str, level: str, parent: Unit | None) -> Unit:
    """Add a unit under `parent` (or the root, which only the system may create)."""
    levels = get_rulebook().levels
    if level not in levels:
        raise InvalidInput(f"level: {level!r} is not a level of the rulebook ({', '.join(levels)})")
    if parent is None:
        if not actor.is_system:
            raise InvalidInput("only the system creates the root unit")
        if levels.index(level) != 0:
            raise InvalidInput(f"the root unit must be a {levels[0]}")
    else:
        require(actor, Perm.OFFICES_MANAGE, scope=parent, visible=False)
        if levels.index(level) != levels.index(parent.level) + 1:
            raise InvalidInput(f"a {level} cannot sit directly under a {parent.level}")
    with transaction.atomic():
        unit = Unit.objects.create(
            name=name,
            code=code,
            level=level,
            parent=parent,
            path=f"tmp-{code}",
            depth=0 if parent is None else parent.depth + 1,
        )
        unit.path = (parent.path if parent else "") + Unit.segment(unit.pk)
        unit.save(update_fields=["path"])
        audit_record(
            actor=actor,
            verb="unit.create",
            object_type="unit",
            object_id=unit.pk,
            data={"level": level, "parent": parent.pk if parent else None},
        )
    return unit


def body_create(*, actor: Actor, unit: Unit, kind: str, name: str = "") -> Body:
    body_type = get_rulebook().bodies.get(kind)
    if body_type is None:
        raise InvalidInput(f"kind: the rulebook has no body {kind!r}")
    if unit.level not in body_type.levels:
        raise InvalidInput(f"a {body_type.label.lower()} belongs to a {' or '.join(body_type.levels)}")
    if not actor.is_system:
        require(actor, Perm.OFFICES_MANAGE, scope=unit, visible=False)
    with transaction.atomic():
        body = Body.objects.create(
            unit=unit, kind=kind, name=name or f"{unit.name} {body_type.label.lower()}"
        )
        audit_record(
            actor=actor, verb="body.create", object_type="body", object_id=body.pk, data={"unit": unit.pk}
        )
    return body
