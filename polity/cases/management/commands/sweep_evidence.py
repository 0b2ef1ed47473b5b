"""`polity sweep_evidence`: delete evidence files no row refers to, older than the grace period (the
scheduler runs it hourly; run it by hand after a crash if you like)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from polity.cases.services.evidence import evidence_sweep
from polity.common.actor import Actor


class Command(BaseCommand):
    help = "Delete evidence files that no case refers to and that are past the grace period (counts only)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = evidence_sweep(actor=Actor.system("sweep_evidence"))
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
