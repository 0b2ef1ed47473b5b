"""GET /me and /me/access-log: who you are, what you may do where, and who viewed your data."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from polity.access.perms import Perm
from polity.access.policy import scopes
from polity.api.auth import actor_of
from polity.api.members import member_out
from polity.api.schemas import AccessLogEntryOut, MeOut
from polity.audit.selectors import access_log_for_person
from polity.members.selectors import member_get

router = Router(tags=["me"])


@router.get("", response=MeOut, summary="The token's account")
def me(request: HttpRequest) -> dict[str, object]:
    """Your account, your own record (if you are on the register) and your permissions with their scopes."""
    actor = actor_of(request)
    person = None
    if actor.person_id is not None:
        person = member_out(member_get(actor=actor, member_id=actor.person_id, channel="api"), actor)
    permissions = [
        {"permission": perm.value, "unit": s.unit_id, "source": s.source}
        for perm in Perm
        for s in scopes(actor, perm)
    ]
    return {"username": actor.label, "person": person, "permissions": permissions}


@router.get("/access-log", response=list[AccessLogEntryOut], summary="Who viewed or changed my data")
def my_access_log(request: HttpRequest, limit: Annotated[int, Field(ge=1, le=500)] = 50) -> list[object]:
    """Events of the access log that touched your data, newest first."""
    actor = actor_of(request)
    if actor.person_id is None:
        return []
    return list(access_log_for_person(actor=actor, person_id=actor.person_id, limit=limit))
