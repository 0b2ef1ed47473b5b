"""`polity demo [--members N] [--seed S] [--force]`: load the synthetic demo organisation.

Deterministic from the seed. Refuses a database that already holds a register unless --force, which
wipes it first. Prints the named logins (also written to var/demo-logins.txt) at the end.
"""

from __future__ import annotations

import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from polity.common.actor import Actor
from polity.common.errors import DomainError
from polity.demo.services import DEFAULT_MEMBERS, DEFAULT_SEED, demo_generate, logins_path


class Command(BaseCommand):
    help = "Load the synthetic demo organisation (deterministic from --seed)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS, help="about how many members")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same organisation")
        parser.add_argument(
            "--force", action="store_true", help="wipe a database that already holds data, then load"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with tqdm(
            total=options["members"], desc="demo members", unit=" members", file=sys.stderr, disable=None
        ) as bar:
            try:
                result = demo_generate(
                    actor=Actor.system("cli:demo"),
                    members=options["members"],
                    seed=options["seed"],
                    force=options["force"],
                    progress=bar.update,
                )
            except DomainError as exc:
                raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{n:,} {what.replace('_', ' ')}" for what, n in result.counts.items())
        self.stdout.write(f"Demo organisation loaded in {elapsed:.1f} s (seed {result.seed}): {counts}.")
        if result.hooks:
            self.stdout.write(f"Demo content added by: {', '.join(result.hooks)}.")
        self.stdout.write(f"\n{result.logins_text}\n(written to {logins_path()})")
