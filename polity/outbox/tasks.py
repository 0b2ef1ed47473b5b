"""Delivery tasks (django.tasks; `polity worker` runs them). Thin: the work is in polity.outbox.delivery.

A new dispatch starts PARALLEL_TASKS delivery tasks (one per worker) and a watchdog. The watchdog
re-schedules itself first (so a worker dying inside it does not end the chain), releases expired
leases, and starts delivery again when retries fall due, until the dispatch has nothing left to do.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.tasks import task
from django.utils import timezone

from polity.outbox import delivery
from polity.outbox.conf import outbox_int, outbox_setting


def delivery_start(dispatch_id: int | None = None) -> None:
    """Start delivery workers, and the watchdog of `dispatch_id` when the backend can schedule."""
    for _ in range(max(1, outbox_int("PARALLEL_TASKS"))):
        outbox_deliver.enqueue()
    if dispatch_id is not None and outbox_watch.get_backend().supports_defer:
        run_after = timezone.now() + timedelta(seconds=outbox_setting("WATCH_SECONDS"))
        outbox_watch.using(run_after=run_after).enqueue(dispatch_id)


@task()
def outbox_deliver() -> dict[str, Any]:
    report, more_left = delivery.deliver_due()
    if more_left:
        outbox_deliver.enqueue()
    return report.as_dict()


@task()
def outbox_watch(dispatch_id: int) -> dict[str, Any]:
    if not delivery.dispatch_pending(dispatch_id):
        return {"dispatch": dispatch_id, "done": True}
    now = timezone.now()
    tick = now + timedelta(seconds=outbox_setting("WATCH_SECONDS"))
    due = delivery.next_due_at(dispatch_id)
    run_after = max(now + timedelta(seconds=0.5), min(tick, due)) if due is not None else tick
    outbox_watch.using(run_after=run_after).enqueue(dispatch_id)
    released = delivery.release_expired()
    if due is not None and due <= now:
        delivery_start()
    return {"dispatch": dispatch_id, "done": False, "released": released}
