"""`polity audit verify` checks the whole hash chain; `polity audit stats` summarises the log.

verify exits 0 on an intact log, printing how many events it checked, and 1 naming the first event that
was changed, removed, inserted or reordered, or whose subject index (what a member's "who viewed my data"
page reads) does not match the people it names. On a terminal a progress bar moves as chunks of events
are checked, out of the chain head's count. The verdict itself is recorded in the log (verb
audit.verify), which is what the data protection officer's status page shows.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from polity.audit.selectors import audit_chain_length, audit_status
from polity.audit.services import audit_check
from polity.common.actor import Actor
from polity.common.errors import DomainError


class Command(BaseCommand):
    help = "Verify the access log's hash chain (exit 1 naming the first bad event), or show its statistics."
    requires_system_checks: list[str] = []  # an integrity check of data, not of configuration: start at once

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every event; exit 1 naming the first bad one")
        stats = sub.add_parser("stats", help="chain length, head and events by verb")
        stats.add_argument("--days", type=int, default=30, help="count events of the last N days")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("cli:audit")
        try:
            if options["action"] == "stats":
                self._stats(actor, options["days"])
                return
            total = audit_chain_length(actor=actor)
            with tqdm(
                total=total, desc="verifying", unit=" events", file=sys.stderr, disable=None, leave=False
            ) as bar:
                verdict = audit_check(actor=actor, progress=bar.update)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        if verdict.ok:
            self.stdout.write(f"OK: the access log is intact ({verdict.checked} events checked)")
            return
        raise CommandError(
            f"the access log is broken at event seq={verdict.first_bad_seq}: {verdict.problem} "
            f"({verdict.checked} events before it are intact)",
            returncode=1,
        )

    def _stats(self, actor: Actor, days: int) -> None:
        status = audit_status(actor=actor, days=days)
        self.stdout.write(f"events: {status.chain_length}")
        self.stdout.write(f"head:   {status.head_hash}")
        if status.last_check is not None and status.last_check_at is not None:
            summary = status.last_check.get("summary", "")
            self.stdout.write(
                f"last verified {status.last_check_at:%Y-%m-%d %H:%M} by {status.last_check_by}: {summary}"
            )
        self.stdout.write(f"events by verb since {status.since:%Y-%m-%d}:")
        for verb, words, n in status.verb_counts:
            self.stdout.write(f"  {n:>9}  {verb:<24} {words}")
