"""`polity outbox_resume`: after an outage of the workers' database or a lost task queue, restart delivery.

Releases entries whose lease expired and starts delivery and a watchdog for every dispatch with work
left. Safe to run at any time: a second watchdog or delivery task only finds nothing to do.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from polity.outbox.delivery import pending_dispatch_ids, release_expired
from polity.outbox.tasks import delivery_start


class Command(BaseCommand):
    help = "Release expired leases and restart delivery of every dispatch with messages left to send."

    def handle(self, *args: Any, **options: Any) -> None:
        released = release_expired()
        pending = pending_dispatch_ids()
        for dispatch_id in pending:
            delivery_start(dispatch_id)
        self.stdout.write(f"released {released} expired lease(s); restarted {len(pending)} dispatch(es)")
