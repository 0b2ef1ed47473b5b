"""`polity comms_automations`: welcome, arrears reminders, meeting notices, scheduled messages (run hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from polity.common.actor import Actor
from polity.comms.automations import automation_arrears, automation_meeting_notices, automation_welcome
from polity.comms.services import messages_send_due


class Command(BaseCommand):
    help = "Run the rulebook's automations once; idempotent (prints counts only)."

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("comms_automations")
        counts = {
            "welcome": automation_welcome(actor=actor),
            "arrears": automation_arrears(actor=actor),
            "meeting_notices": automation_meeting_notices(actor=actor),
            "scheduled": messages_send_due(actor=actor),
        }
        self.stdout.write(", ".join(f"{k} {v}" for k, v in counts.items()))
