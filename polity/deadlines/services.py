"""Writes on deadlines.

`deadline_open` and `deadline_meet` are building blocks for other services (a complaint's intake, a
motion's answer): the calling service has already checked the actor's permission for the action the
deadline belongs to, and calls these inside its own transaction so the deadline and the action commit
together. They still record who did it in the audit log. `deadlines_escalate` is run by the system.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput
from polity.deadlines.models import MAX_ESCALATION_LEVEL, PENDING_STATES, Deadline, State
from polity.members.models import Person
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

ESCALATION_RULE = "deadlines.escalation_interval"


def due_from(rule_key: str, start: datetime | date) -> tuple[datetime, datetime]:
    """(start, due) for a rulebook rule. Arithmetic is on the organisation's local calendar.

    "7d" is the same wall-clock time seven days later; "1m" is the same day of the next calendar
    month, or its last day when that month is shorter (31 Jan + 1m = 28/29 Feb). A date starts at
    local midnight.
    """
    if isinstance(start, datetime):
        if timezone.is_naive(start):
            raise InvalidInput("start: a deadline needs a time zone-aware start")
        local = timezone.localtime(start)
    else:
        local = timezone.make_aware(datetime.combine(start, time.min))
    rule = get_rulebook().rule(rule_key)
    if rule.duration.unit == "h":  # hours are elapsed time (72 hours to report a breach), not wall-clock
        return local, timezone.localtime(local.astimezone(UTC) + timedelta(hours=rule.duration.amount))
    due = rule.add_to(local)
    # Re-resolve the offset: a month or day step can cross a daylight-saving change.
    due = timezone.make_aware(due.replace(tzinfo=None))
    return local, due


def deadline_open(
    *,
    actor: Actor,
    rule_key: str,
    start: datetime | date,
    owner_unit: Unit | None,
    subject_type: str,
    subject_id: int | str,
    owner_person: Person | None = None,
    title: str = "",
) -> Deadline:
    """Open a deadline due `rule_key` after `start`, owned by a unit and/or a person."""
    if owner_unit is None and owner_person is None:
        raise InvalidInput("a deadline needs an owner: a unit, a person or both")
    if not subject_type or subject_id in ("", None):
        raise InvalidInput("a deadline needs the type and id of what it is about")
    rulebook = get_rulebook()
    try:
        rule = rulebook.rule(rule_key)
    except KeyError as exc:
        raise InvalidInput(str(exc.args[0])) from None
    started_at, due_at = due_from(rule_key, start)
    with transaction.atomic():
        deadline = Deadline.objects.create(
            owner_unit=owner_unit,
            owner_person=owner_person,
            subject_type=subject_type,
            subject_id=str(subject_id),
            title=title[:200],
            rule_key=rule.key,
            rule_version=rule.version,
            rule_text=str(rule.duration),
            started_at=started_at,
            due_at=due_at,
        )
        audit_record(
            actor=actor,
            verb="deadline.open",
            object_type="deadline",
            object_id=deadline.pk,
            data={
                "rule": rule.key,
                "version": rule.version,
                "subject": f"{subject_type}:{subject_id}",
                "due_at": due_at.isoformat(),
            },
        )
    return deadline


def deadline_meet(*, actor: Actor, deadline: Deadline, at: datetime | None = None) -> Deadline:
    """The work is done. A missed deadline met late stays counted as missed."""
    at = at or timezone.now()
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
        if deadline.state not in PENDING_STATES:
            raise DomainError("this deadline was already met")
        deadline.state = State.MET
        deadline.met_at = at
        deadline.next_escalation_at = None
        deadline.save(update_fields=["state", "met_at", "next_escalation_at"])
        audit_record(
            actor=actor,
            verb="deadline.meet",
            object_type="deadline",
            object_id=deadline.pk,
            data={"rule": deadline.rule_key, "late": deadline.missed_at is not None},
        )
    return deadline


def deadline_move(*, actor: Actor, deadline: Deadline, due_at: datetime, why: str) -> Deadline:
    """Move a pending deadline whose clock the law lets stop or stretch (a subject access request paused
    for identity, or extended with reasons). The caller's service has checked its own rules; the move is
    recorded. A deadline already missed stays counted as missed."""
    if timezone.is_naive(due_at):
        raise InvalidInput("due_at: a time zone-aware time")
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
        if deadline.state not in PENDING_STATES:
            raise DomainError("this deadline was already met")
        if due_at < deadline.started_at:
            raise InvalidInput("due_at: not before the deadline started")
        before = deadline.due_at
        deadline.due_at = due_at
        if deadline.state == State.MISSED and due_at > timezone.now():
            deadline.state = State.OPEN  # missed_at stays: it was missed once and counts as such
        deadline.save(update_fields=["due_at", "state"])
        audit_record(
            actor=actor,
            verb="deadline.move",
            object_type="deadline",
            object_id=deadline.pk,
            data={
                "rule": deadline.rule_key,
                "from": before.isoformat(),
                "to": due_at.isoformat(),
                "why": why,
            },
        )
    return deadline


def deadlines_meet_for(*, actor: Actor, subject_type: str, subject_id: int | str, rule_key: str) -> int:
    """Meet every pending deadline of this rule on this subject (how most callers close theirs)."""
    pending = Deadline.objects.filter(
        subject_type=subject_type, subject_id=str(subject_id), rule_key=rule_key, state__in=PENDING_STATES
    )
    count = 0
    for deadline in pending:
        deadline_meet(actor=actor, deadline=deadline)
        count += 1
    return count


def _escalation_step(at: datetime) -> datetime:
    return get_rulebook().rule(ESCALATION_RULE).add_to(timezone.localtime(at))


def deadlines_escalate(*, actor: Actor, now: datetime | None = None) -> dict[str, int]:
    """Mark passed deadlines missed and escalate them up the unit tree.

    A deadline that passes is missed and goes to the unit above its owner (level 1). If it is still not
    met one escalation interval later, it goes to the unit above that (level 2). An owner at the top of
    the tree has nobody above: the deadline is simply missed. Returns counts, never personal data.
    """
    if not actor.is_system:
        raise DomainError("only the system escalates deadlines")
    now = now or timezone.now()
    counts = {"missed": 0, "escalated": 0}
    overdue = Deadline.objects.filter(state=State.OPEN, due_at__lt=now).select_related("owner_unit")
    for deadline in list(overdue):
        with transaction.atomic():
            target = deadline.owner_unit.parent if deadline.owner_unit else None
            deadline.missed_at = now
            counts["missed"] += 1
            if target is not None:
                _escalate(deadline, target, now)
                counts["escalated"] += 1
            else:
                deadline.state = State.MISSED
            deadline.save()
            _audit_escalation(actor, deadline, target)
    again = Deadline.objects.filter(
        state=State.ESCALATED, escalation_level__lt=MAX_ESCALATION_LEVEL, next_escalation_at__lt=now
    ).select_related("escalated_to")
    for deadline in list(again):
        target = deadline.escalated_to.parent if deadline.escalated_to else None
        with transaction.atomic():
            if target is None:
                deadline.next_escalation_at = None
            else:
                _escalate(deadline, target, now)
                counts["escalated"] += 1
            deadline.save()
            _audit_escalation(actor, deadline, target)
    return counts


def _audit_escalation(actor: Actor, deadline: Deadline, target: Unit | None) -> None:
    audit_record(
        actor=actor,
        verb="deadline.escalate",
        object_type="deadline",
        object_id=deadline.pk,
        data={
            "rule": deadline.rule_key,
            "state": deadline.state,
            "level": deadline.escalation_level,
            "to": target.pk if target else None,
        },
    )


def _escalate(deadline: Deadline, target: Unit, now: datetime) -> None:
    deadline.state = State.ESCALATED
    deadline.escalation_level += 1
    deadline.escalated_to = target
    deadline.escalated_at = now
    has_next = deadline.escalation_level < MAX_ESCALATION_LEVEL and target.parent_id is not None
    deadline.next_escalation_at = _escalation_step(now) if has_next else None
