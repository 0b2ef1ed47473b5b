"""`polity import-members FILE [--dry-run] [--as USERNAME] [--branch CODE] [--purpose TEXT]`.

All or nothing: if any row is wrong, nothing is imported, every problem is printed as
`FILE:LINE: field: what is wrong`, and the command exits 1. `--dry-run` checks without writing.
Runs as the system unless `--as` names an account, whose permissions (members.import over every
target branch) then apply.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from polity.accounts.tokens import user_for_username
from polity.common.actor import Actor
from polity.common.errors import DomainError
from polity.members.importing import COLUMNS, MAX_PROBLEMS, members_import


class Command(BaseCommand):
    help = "Import members from a CSV file, all or nothing (columns: " + ", ".join(COLUMNS) + ")."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the CSV file, with a header row")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--as", dest="username", default="", help="act as this account (default: system)")
        parser.add_argument("--branch", default="", help="branch code for rows whose branch is empty")
        parser.add_argument("--purpose", default="members import", help="recorded in the access log")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            if options["username"]:
                actor = Actor.for_user(user_for_username(options["username"]))
            else:
                actor = Actor.system("cli:import-members")
            report = members_import(
                actor=actor,
                path_or_stream=options["file"],
                dry_run=options["dry_run"],
                purpose=options["purpose"],
                default_branch=options["branch"],
            )
        except (DomainError, OSError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        if not report.ok:
            for line in report.lines():
                self.stderr.write(line)
            count = len(report.problems)
            shown = (
                f"{count}+ problems (the first {count} shown)"
                if count >= MAX_PROBLEMS
                else f"{count} problem(s)"
            )
            raise CommandError(f"{shown} in {report.rows} rows: nothing was imported", returncode=1)
        if report.dry_run:
            self.stdout.write(
                f"{report.name}: {report.rows} rows are good (dry run: nothing written, {elapsed:.1f} s)"
            )
        else:
            self.stdout.write(
                f"{report.name}: imported {report.imported} members in {elapsed:.1f} s "
                f"(ids {report.first_id}–{report.last_id})"
            )
