"""`polity decoy_imap`: read the decoy mailbox (POLITY_DECOY_IMAP_URL) once; the scheduler also runs it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from polity.exports.inbound import imap_poll


class Command(BaseCommand):
    help = "Poll the IMAP mailbox that collects mail to decoys; each decoy reached alerts the DPO."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"decoy_imap: {imap_poll()} decoy contact(s) recorded")
