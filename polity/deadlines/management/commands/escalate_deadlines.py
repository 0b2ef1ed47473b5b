"""`polity escalate_deadlines`: mark passed deadlines missed and escalate them (run it from cron, hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from polity.common.actor import Actor
from polity.deadlines.services import deadlines_escalate


class Command(BaseCommand):
    help = "Mark passed deadlines missed and escalate them to the unit above (prints counts only)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = deadlines_escalate(actor=Actor.system("escalate_deadlines"))
        self.stdout.write(f"missed {counts['missed']}, escalated {counts['escalated']}")
