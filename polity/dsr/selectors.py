"""Reads of data subject requests: the DPO's queue by days left, one request, the member's own requests,
the package preview. Reads of a person's data are recorded in the access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.dsr import clock
from polity.dsr.models import OPEN_STATES, PAUSED_STATES, Delivery, PendingRequest, Request
from polity.dsr.package import Package, assemble, subject_of
from polity.dsr.services.common import require_dpo
from polity.dsr.services.intake import digest

QUEUE_PAGE = 50


@dataclass(frozen=True)
class QueueRow:
    pk: int
    reference: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    received_on: date
    due_on: date
    days_left: int
    is_paused: bool
    is_extended: bool
    is_escalated: bool


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    overdue: int
    at_risk: int
    paused: int
    total_open: int
    page: int
    pages: int


def request_queue(*, actor: Actor, page: int = 1, today: date | None = None) -> Queue:
    """Open requests, soonest due first (the index dsr_queue), with the counts the dashboard shows.
    No personal data: references, kinds and dates."""
    require_dpo(actor)
    today = today or clock.local_today()
    at_risk_by = clock.rules().at_risk.add_to(today)
    open_q = Request.objects.filter(closed_at__isnull=True)
    counts = open_q.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today) & ~Q(state__in=list(PAUSED_STATES))),
        at_risk=Count(
            "pk", filter=Q(due_on__gte=today, due_on__lte=at_risk_by) & ~Q(state__in=list(PAUSED_STATES))
        ),
        paused=Count("pk", filter=Q(state__in=list(PAUSED_STATES))),
    )
    pages = max(1, -(-counts["total"] // QUEUE_PAGE))
    page = min(max(1, page), pages)
    rows = open_q.order_by("due_on", "id").values_list(
        "pk", "reference", "kind", "state", "received_on", "due_on", "extended_to", "escalated_at"
    )[(page - 1) * QUEUE_PAGE : page * QUEUE_PAGE]
    from polity.dsr.models import Kind, State

    return Queue(
        rows=[
            QueueRow(
                pk=pk,
                reference=ref,
                kind=kind,
                kind_label=Kind(kind).label,
                state=state,
                state_label=State(state).label,
                received_on=received,
                due_on=due,
                days_left=clock.days_left(due, today),
                is_paused=state in PAUSED_STATES,
                is_extended=extended is not None,
                is_escalated=escalated is not None,
            )
            for pk, ref, kind, state, received, due, extended, escalated in rows
        ],
        overdue=counts["overdue"],
        at_risk=counts["at_risk"],
        paused=counts["paused"],
        total_open=counts["total"],
        page=page,
        pages=pages,
    )


def dpo_gate(*, actor: Actor) -> None:
    """Refuse (404) anyone but the data protection officer, before showing a DPO-only form."""
    require_dpo(actor)


def request_get(*, actor: Actor, request_id: int) -> Request:
    """One request for the DPO (recorded when it names a person)."""
    require_dpo(actor)
    request = (
        Request.objects.select_related("person", "person__home_unit", "deadline")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotVisible("not found")
    audit_record(
        actor=actor,
        verb="dsr.request_view",
        subjects=[request.person_id] if request.person_id else [],
        purpose="data subject request",
        object_type="dsr.request",
        object_id=request.pk,
    )
    return request


def package_preview(*, actor: Actor, request: Request, limit: int | None = 30) -> Package:
    """The package as it would go now, for the DPO's review (the first records of each part)."""
    require_dpo(actor)
    audit_record(
        actor=actor,
        verb="dsr.package_preview",
        subjects=[request.person_id] if request.person_id else [],
        purpose="data subject request",
        object_type="dsr.request",
        object_id=request.pk,
    )
    return assemble(subject_of(request), request=request, limit=limit)


def package_for_person(*, actor: Actor, person_id: int) -> Package:
    """The whole package of one person, without a request (the DPO's `polity dsr package PERSON`)."""
    from polity.dsr.registry import Subject
    from polity.members.models import Person

    require_dpo(actor)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotVisible("not found")
    audit_record(
        actor=actor,
        verb="dsr.package_preview",
        subjects=[person.pk],
        purpose="data subject request",
        object_type="person",
        object_id=person.pk,
    )
    return assemble(Subject(person=person))


def my_requests(*, actor: Actor) -> list[Request]:
    if actor.person_id is None:
        return []
    return list(Request.objects.filter(person_id=actor.person_id).order_by("-received_at"))


def my_request_get(*, actor: Actor, request_id: int) -> Request:
    request = Request.objects.filter(pk=request_id).first()
    if request is None or actor.person_id is None or request.person_id != actor.person_id:
        raise NotVisible("not found")
    return request


def deliveries_of(request: Request) -> list[Delivery]:
    return list(request.deliveries.all())


def request_by_follow_token(*, token: str) -> Request:
    pending = PendingRequest.objects.select_related("request").filter(follow_digest=digest(token)).first()
    if pending is None or not token or pending.request is None:
        raise NotVisible("not found")
    return pending.request


def is_open(request: Request) -> bool:
    return request.state in OPEN_STATES
