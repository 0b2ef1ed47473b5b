"""Moving the clock: pausing for identity or a clarification, resuming, extending with reasons, and the
daily job that keeps paused requests' dates current and escalates requests at risk."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput
from polity.deadlines.services import deadline_move
from polity.dsr import clock
from polity.dsr.mail import tell_requester
from polity.dsr.models import OPEN_STATES, PAUSED_STATES, Kind, Pause, Request, State
from polity.dsr.services.common import locked, recompute_due, require_dpo, require_open
from polity.rulebook.loader import get_rulebook


def _move_deadline(actor: Actor, request: Request, why: str) -> None:
    if request.deadline is not None and request.deadline.is_pending:
        deadline_move(
            actor=actor, deadline=request.deadline, due_at=clock.end_of_day(request.due_on), why=why
        )


def request_pause(*, actor: Actor, request: Request, why: str, asked: str) -> Request:
    """Stop the clock while waiting for the requester: proof of identity or a clarification. The
    requester is told what is needed."""
    require_dpo(actor)
    if why not in PAUSED_STATES:
        raise InvalidInput("why: waiting for identity or for a clarification")
    if not asked.strip():
        raise InvalidInput("asked: say what the requester must send")
    today = clock.local_today()
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        if request.state in PAUSED_STATES:
            raise DomainError("the clock is already stopped for this request")
        if request.due_on < today:
            raise DomainError("an overdue request cannot be paused: answer it")
        Pause.objects.create(
            request=request, why=why, asked=asked.strip(), started_on=today, started_by=actor.label
        )
        request.state = why
        recompute_due(request, today)
        request.save()
        _move_deadline(actor, request, "paused")
        audit_record(
            actor=actor,
            verb="dsr.request_pause",
            subjects=[request.person_id] if request.person_id else [],
            purpose="data subject request",
            object_type="dsr.request",
            object_id=request.pk,
            data={"why": why},
        )
        tell_requester(
            actor=actor,
            request=request,
            subject=f"We need something from you: request {request.reference}",
            body=f"To answer your request {request.reference} we need: {asked.strip()}\n\nThe time we have to "
            "answer does not run until it reaches us.",
        )
    return request


def request_resume(*, actor: Actor, request: Request, evidence: str = "") -> Request:
    """What was asked for arrived: the clock runs again from where it stopped. For identity, what was seen
    is recorded."""
    require_dpo(actor)
    today = clock.local_today()
    with transaction.atomic():
        request = locked(request)
        if request.state not in PAUSED_STATES:
            raise DomainError("the clock of this request is not stopped")
        if request.state == State.AWAITING_IDENTITY:
            if not evidence.strip():
                raise InvalidInput("evidence: say what proof of identity was seen")
            request.identity_evidence = evidence.strip()[:500]
            request.identity_checked_at = timezone.now()
            request.identity_checked_by = actor.label
        Pause.objects.filter(request=request, ended_on__isnull=True).update(ended_on=today)
        request.state = State.RECEIVED
        recompute_due(request, today)
        request.save()
        _move_deadline(actor, request, "resumed")
        audit_record(
            actor=actor,
            verb="dsr.request_resume",
            subjects=[request.person_id] if request.person_id else [],
            purpose="data subject request",
            object_type="dsr.request",
            object_id=request.pk,
            data={"due_on": request.due_on.isoformat()},
        )
    return request


def request_extend(*, actor: Actor, request: Request, to: date, reasons: str) -> Request:
    """Extend the time to answer, once, by at most the rulebook's extension after the first due date, and
    only while the reasons can still reach the requester within the first month. The reasons are sent."""
    require_dpo(actor)
    reasons = reasons.strip()
    if not reasons:
        raise InvalidInput("reasons: the requester is told why the answer takes longer")
    book = get_rulebook()
    extension = book.rule(clock.EXTENSION)
    notice_rule = book.rule(clock.EXTENSION_NOTICE)
    today = clock.local_today()
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        if request.kind == Kind.COMPLAINT:
            raise DomainError("a complaint's acknowledgement is not extended")
        if request.extended_to is not None:
            raise DomainError("this request was already extended once")
        pauses = [clock.Pause(p.started_on, p.ended_on) for p in request.pauses.all()]
        notice_by = clock.extension_notice_by(request.received_on, notice_rule.duration, pauses, today=today)
        if today > notice_by:
            raise DomainError(
                f"too late to extend: the reasons had to reach the requester by {notice_by:%d %B %Y}, within "
                f"{notice_rule.duration} of receipt"
            )
        latest = clock.latest_extended_due(request.first_due_on, extension.duration)
        if to > latest:
            raise DomainError(
                f"an extension goes to {latest:%d %B %Y} at the latest ({extension.duration} more)"
            )
        if to <= request.due_on:
            raise InvalidInput("to: a date after the present due date")
        request.extended_to = to
        request.extension_reasons = reasons
        request.extension_notice_at = timezone.now()
        request.extension_rule = f"{extension.key}@{extension.version}"
        recompute_due(request, today)
        request.save()
        _move_deadline(actor, request, "extended")
        audit_record(
            actor=actor,
            verb="dsr.request_extend",
            subjects=[request.person_id] if request.person_id else [],
            purpose="data subject request",
            object_type="dsr.request",
            object_id=request.pk,
            data={"to": to.isoformat(), "rule": request.extension_rule},
        )
        tell_requester(
            actor=actor,
            request=request,
            subject=f"Your request {request.reference} needs more time",
            body=f"We need until {to:%d %B %Y} to answer your request {request.reference}, because:\n\n{reasons}\n\n"
            "If you are unhappy with this you may complain to us, or to the Information Commissioner's Office "
            "(ico.org.uk).",
        )
    return request


def dsr_clock_tick(*, actor: Actor, now: datetime | None = None) -> dict[str, int]:
    """Daily: bring paused requests' due dates forward to today, and escalate open requests with
    `subject_access.at_risk` or less left (once) to the national officers. Counts only."""
    if not actor.is_system:
        raise DomainError("only the system runs the request clock")
    today = clock.local_today(now)
    at_risk = get_rulebook().rule(clock.AT_RISK)
    counts = {"paused_moved": 0, "escalated": 0}
    for request in Request.objects.filter(state__in=list(PAUSED_STATES)).select_related("deadline"):
        with transaction.atomic():
            before = request.due_on
            recompute_due(request, today)
            if request.due_on != before:
                request.save(update_fields=["first_due_on", "due_on"])
                _move_deadline(actor, request, "paused")
                counts["paused_moved"] += 1
    risky = Request.objects.filter(
        state__in=list(OPEN_STATES - PAUSED_STATES),
        escalated_at__isnull=True,
        due_on__lte=at_risk.add_to(today),
    )
    for request in risky.select_related("person"):
        with transaction.atomic():
            from polity.dsr.services.escalation import escalate

            escalate(actor, request, today)
            counts["escalated"] += 1
    return counts
