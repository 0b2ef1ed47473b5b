"""A request at risk of missing its date goes to the national officers, the office above the data
protection officer's: a message naming the reference and the days left (never the requester)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.dsr import clock
from polity.dsr.models import Request
from polity.dsr.services.common import root_unit
from polity.outbox.services import dispatch_create
from polity.rulebook.loader import get_rulebook


def escalation_people(at: object = None) -> list[int]:
    root = root_unit()
    offices = get_rulebook().unit_officer_offices()
    terms = OfficeTerm.objects.in_force(timezone.now()).filter(
        unit=root, office__in=offices, body__isnull=True
    )
    return sorted(set(terms.values_list("person_id", flat=True)))


def escalate(actor: Actor, request: Request, today: date) -> None:
    """Record the escalation and tell the national officers. Call inside a transaction."""
    left = clock.days_left(request.due_on, today)
    request.escalated_at = timezone.now()
    request.save(update_fields=["escalated_at"])
    people = escalation_people()
    if people:
        dispatch_create(
            actor=actor,
            purpose="statutory",
            channel="email",
            subject=f"Data protection request {request.reference} is at risk",
            body=(
                f"The data protection request {request.reference} is due on {request.due_on:%d %B %Y} "
                + (f"and is {-left} days overdue." if left < 0 else f"with {left} days left.")
                + " The law sets this date: please make sure the data protection officer can answer in time."
            ),
            person_ids=people,
            source_type="dsr.escalation",
            source_id=request.pk,
        )
    audit_record(
        actor=actor,
        verb="dsr.request_escalate",
        purpose="data subject request",
        object_type="dsr.request",
        object_id=request.pk,
        data={"days_left": left, "told": len(people), "rule": get_rulebook().rule(clock.AT_RISK).key},
    )
