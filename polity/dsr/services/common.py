"""What every dsr service shares: the permission gate, loading a request, the clock's recomputation."""

from __future__ import annotations

from datetime import date

from polity.access.perms import Perm
from polity.access.policy import require
from polity.common.actor import Actor
from polity.common.errors import DomainError, NotVisible
from polity.dsr import clock
from polity.dsr.models import OPEN_STATES, Kind, Request
from polity.org.models import Unit


def root_unit() -> Unit:
    unit = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    if unit is None:
        raise NotVisible("not found")
    return unit


def require_dpo(actor: Actor) -> None:
    """Data subject requests are the data protection officer's: the permission over the whole tree."""
    require(actor, Perm.DSR_HANDLE, scope=root_unit())


def locked(request: Request) -> Request:
    return Request.objects.select_for_update(of=("self",)).select_related("person").get(pk=request.pk)


def require_open(request: Request) -> None:
    if request.state not in OPEN_STATES:
        raise DomainError("this request is already closed: a closed request is not reopened")


def response_rule_key(kind: str) -> str:
    """A data-protection complaint is acknowledged on its own clock; every other request is answered."""
    return clock.COMPLAINT_ACK if kind == Kind.COMPLAINT else clock.RESPONSE


def recompute_due(request: Request, today: date) -> None:
    """The first due date and the current one, from receipt, the pauses and the extension."""
    from polity.rulebook.loader import get_rulebook

    rule = get_rulebook().rule(response_rule_key(request.kind))
    pauses = [clock.Pause(p.started_on, p.ended_on) for p in request.pauses.all()]
    request.first_due_on = clock.first_due(request.received_on, rule.duration, pauses, today=today)
    request.due_on = clock.due_on(
        request.received_on,
        response=rule.duration,
        pauses=pauses,
        extended_to=request.extended_to,
        today=today,
    )
