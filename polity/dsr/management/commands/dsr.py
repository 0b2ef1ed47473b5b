"""`polity dsr package PERSON` assembles one person's access package through the registry (the whole of it,
with the registry's proposed redactions) and prints it as JSON, or writes its PDF and archive;
`polity dsr retention` runs the retention job once and prints its counts; `polity dsr tick` runs the
request clock (paused dates, escalation of requests at risk).

PERSON is a membership number ("M0000045", "45") or a name the member search resolves to one person.
Reading the package is recorded in the access log, as the data protection officer's reads are.
"""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from polity.common.actor import Actor
from polity.common.errors import DomainError
from polity.dsr.render import package_json, render_archive, render_pdf
from polity.dsr.retention import retention_run
from polity.dsr.selectors import package_for_person
from polity.dsr.services import dsr_clock_tick
from polity.members.picker import PickError, person_resolve


class Command(BaseCommand):
    help = "Data subject requests: a person's access package, the retention job, the request clock."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        package = sub.add_parser("package", help="print a person's access package as JSON")
        package.add_argument("person", help="membership number or name")
        package.add_argument("--pdf", type=Path, help="also write the PDF here")
        package.add_argument("--archive", type=Path, help="also write the ZIP archive (JSON and CSV) here")
        package.add_argument("--quiet", action="store_true", help="print only counts and timings")
        sub.add_parser("retention", help="run the retention job once and print its counts")
        sub.add_parser("tick", help="run the request clock once")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "retention":
                report = retention_run(actor=Actor.system("cli:dsr retention"))
                self.stdout.write(json.dumps(report.as_dict()))
            elif options["action"] == "tick":
                self.stdout.write(json.dumps(dsr_clock_tick(actor=Actor.system("cli:dsr tick"))))
            else:
                self._package(options)
        except (DomainError, PickError) as exc:
            raise CommandError(str(exc)) from exc

    def _package(self, options: dict[str, Any]) -> None:
        actor = Actor.system("cli:dsr package")
        person = person_resolve(actor=actor, text=options["person"], scope="members")
        started = time.perf_counter()
        package = package_for_person(actor=actor, person_id=person.pk)
        assembled = time.perf_counter()
        if options["pdf"]:
            options["pdf"].write_bytes(render_pdf(package))
        if options["archive"]:
            options["archive"].write_bytes(render_archive(package))
        done = time.perf_counter()
        if options["quiet"]:
            self.stdout.write(
                f"records={package.record_count} withheld={len(package.withheld)} "
                f"assemble_s={assembled - started:.3f} files_s={done - assembled:.3f}"
            )
            return
        self.stdout.write(json.dumps(package_json(package), ensure_ascii=False, indent=1))
