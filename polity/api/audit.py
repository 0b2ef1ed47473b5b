"""GET /audit/events: the data protection officer's search of the whole access log (polity.audit.search)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut
from polity.audit.search import MAX_PAGE, LogRow, access_log_search

router = Router(tags=["audit"])


class PersonRefOut(Schema):
    name: str
    membership_number: str


class ActorOut(Schema):
    who: str  # "Sam Secretary, Secretary of North A", or "The system (scheduler)"
    name: str
    membership_number: str | None
    offices: list[str]  # held when the event happened


class AuditEventOut(Schema):
    seq: int
    at: datetime
    actor: ActorOut
    verb: str
    what: str
    purpose: str
    channel: str
    subject_count: int
    subject: PersonRefOut | None  # the one person touched, when there was exactly one


class AuditSearchOut(Schema):
    page: int
    page_size: int
    pages: int
    total: int
    has_next: bool
    actor: PersonRefOut | None
    person: PersonRefOut | None
    items: list[AuditEventOut]


def _event_out(row: LogRow) -> dict[str, object]:
    a = row.actor
    return {
        "seq": row.seq,
        "at": row.at,
        "actor": {
            "who": str(a),
            "name": a.name,
            "membership_number": a.membership_number or None,
            "offices": list(a.offices),
        },
        "verb": row.verb,
        "what": row.what,
        "purpose": row.purpose,
        "channel": row.channel,
        "subject_count": row.subject_count,
        "subject": row.subject,
    }


@router.get(
    "/events",
    response={200: AuditSearchOut, 404: ErrorOut, 422: ErrorOut},
    summary="Search the access log (data protection officer)",
)
def audit_events(
    request: HttpRequest,
    actor: Annotated[str, Query(max_length=100, description="Who acted: a membership number or a name")] = "",
    person: Annotated[
        str, Query(max_length=100, description="Whose data: a membership number or a name")
    ] = "",
    verb: Annotated[str, Query(max_length=80, description="e.g. member.view")] = "",
    purpose: Annotated[str, Query(max_length=200, description="Exactly as recorded")] = "",
    since: Annotated[date | None, Query(description="First day, included (YYYY-MM-DD)")] = None,
    until: Annotated[date | None, Query(description="Last day, included (YYYY-MM-DD)")] = None,
    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 1,
) -> dict[str, object]:
    """Events of the whole access log, newest first, 50 a page, with the total and the number of pages.

    Only for holders of `audit.view` over the whole organisation (the data protection officer); anyone
    else gets 404. Actors are shown as people with the offices they held at the time, never as logins.
    A filter that cannot be used answers 422 naming it (`until: the end date ... is before the start
    date`, `actor: 3 members match ...`). The search itself is recorded in the access log.
    """
    result = access_log_search(
        actor=actor_of(request),
        who=actor,
        person=person,
        verb=verb,
        purpose=purpose,
        since=since,
        until=until,
        page=page,
        channel="api",
    )
    return {
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "total": result.total,
        "has_next": result.has_next,
        "actor": result.actor,
        "person": result.person,
        "items": [_event_out(row) for row in result.rows],
    }
