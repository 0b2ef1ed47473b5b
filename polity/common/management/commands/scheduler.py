"""`polity scheduler`: enqueue the periodic jobs (polity.common.schedule.JOBS) when they fall due."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from polity.common.actor import Actor
from polity.common.schedule import JOBS, schedule_enqueue_due


class Command(BaseCommand):
    help = "Enqueue periodic jobs (deadline escalation, automations, delivery, arrears, evidence sweep) when due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit (for cron)")
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args: Any, once: bool, tick: float, **options: Any) -> None:
        actor = Actor.system("scheduler")
        self.stdout.write("scheduler: " + ", ".join(f"{j.name} every {j.every}" for j in JOBS))
        while True:
            for name in schedule_enqueue_due(actor=actor):
                self.stdout.write(f"scheduler: enqueued {name}")
            if once:
                return
            time.sleep(tick)
