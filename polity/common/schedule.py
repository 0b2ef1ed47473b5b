"""Periodic jobs: which task runs how often. `polity scheduler` enqueues them; the workers run them.

The periods are operational settings, not rules of the organisation: the rules (arrears grace, deadlines,
notice periods) stay in the rulebook and the jobs only ask it. POLITY_SCHEDULE_SCALE shrinks every period
(e.g. 0.01 in a demo to see escalations quickly).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.db.models import Q
from django.utils import timezone

from polity.common.actor import Actor
from polity.common.errors import Forbidden
from polity.common.models import ScheduledRun


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django.tasks Task
    every: timedelta


JOBS: tuple[Job, ...] = (
    Job("deadlines.escalate", "polity.deadlines.tasks.escalate_deadlines", timedelta(hours=1)),
    Job("comms.automations", "polity.comms.tasks.comms_automations", timedelta(hours=1)),
    Job("outbox.deliver", "polity.outbox.tasks.outbox_deliver", timedelta(minutes=1)),
    Job("members.refresh_arrears", "polity.members.tasks.refresh_arrears", timedelta(days=1)),
    Job("members.apply_resignations", "polity.members.tasks.apply_resignations", timedelta(hours=1)),
    Job("cases.evidence_sweep", "polity.cases.tasks.sweep_evidence", timedelta(hours=1)),
    Job("access.notify_ended_terms", "polity.access.tasks.notify_ended_terms", timedelta(hours=1)),
    Job("dsr.clock", "polity.dsr.tasks.tick_clock", timedelta(hours=1)),
    Job("dsr.retention", "polity.dsr.tasks.run_retention", timedelta(days=1)),
    Job("exports.expire", "polity.exports.tasks.expire_exports", timedelta(hours=1)),
    Job("exports.decoy_mailbox", "polity.exports.tasks.poll_decoy_mailbox", timedelta(minutes=5)),
)


def _scale() -> float:
    return float(os.environ.get("POLITY_SCHEDULE_SCALE", "1"))


def schedule_enqueue_due(
    *, actor: Actor, now: datetime | None = None, jobs: tuple[Job, ...] = JOBS
) -> list[str]:
    """Enqueue every job whose period has passed since it was last enqueued; returns their names."""
    if not actor.is_system:
        raise Forbidden("only the system runs the schedule")
    now = now or timezone.now()
    enqueued = []
    for job in jobs:
        ScheduledRun.objects.get_or_create(name=job.name)
        cutoff = now - job.every * _scale()
        claimed = ScheduledRun.objects.filter(
            Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=cutoff), name=job.name
        ).update(last_enqueued_at=now)
        if claimed:
            _task(job.task).enqueue()
            enqueued.append(job.name)
    return enqueued


def _task(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)
