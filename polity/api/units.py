"""GET /units: the units you may see."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from polity.api.auth import actor_of
from polity.api.schemas import UnitOut
from polity.org.selectors import unit_list

router = Router(tags=["units"])


@router.get("", response=list[UnitOut], summary="Units in scope")
def units_list(request: HttpRequest) -> list[dict[str, object]]:
    """Every unit where you hold `units.view`, parents before children."""
    return [
        {"id": u.pk, "name": u.name, "code": u.code, "level": u.level, "parent": u.parent_id}
        for u in unit_list(actor=actor_of(request))
    ]
