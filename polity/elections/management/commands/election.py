"""`polity election list|show|step|count|publish`: run elections from the command line (as the system,
which stands in for the returning officer), and write the publication bundle.

    polity election list
    polity election show ID
    polity election step ID freeze|open_nominations|open_poll|close|count|publish|recount
    polity election publish ID --out DIR      publish a counted election (if not yet) and write its bundle:
                                              result.json, stages.txt, chart.svg, ballots.blt, receipts.txt,
                                              README.txt (with the `polity count` line that repeats the count)
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from polity.common.actor import Actor
from polity.common.errors import DomainError
from polity.elections.models import State
from polity.elections.selectors import election_get, election_list
from polity.elections.services import (
    election_close,
    election_count,
    election_freeze,
    election_open_nominations,
    election_open_poll,
    election_publish,
    election_recount,
)
from polity.elections.services.count import bundle

STEPS = {
    "freeze": election_freeze,
    "open_nominations": election_open_nominations,
    "open_poll": election_open_poll,
    "close": election_close,
    "count": election_count,
    "publish": election_publish,
}


class Command(BaseCommand):
    help = "List, step, count and publish elections; `publish` writes the result bundle."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="every election: id, state, title")
        show = sub.add_parser("show", help="one election's state, timetable and result")
        show.add_argument("id", type=int)
        step = sub.add_parser("step", help="take a step as the returning officer")
        step.add_argument("id", type=int)
        step.add_argument("name", choices=[*STEPS, "recount"])
        publish = sub.add_parser("publish", help="publish (if counted) and write the bundle")
        publish.add_argument("id", type=int)
        publish.add_argument("--out", required=True, help="folder to write the bundle into (made if missing)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("cli:election")
        try:
            if options["action"] == "list":
                for e in election_list(actor=actor):
                    self.stdout.write(f"{e.pk}\t{e.state}\t{e.title}")
                return
            election = election_get(actor=actor, election_id=options["id"])
            if options["action"] == "show":
                self.stdout.write(
                    json.dumps(
                        {
                            "id": election.pk,
                            "title": election.title,
                            "state": election.state,
                            "freeze_on": str(election.freeze_on) if election.freeze_on else None,
                            "roll": election.roll_size,
                            "seed": election.seed,
                            "seal": election.sealed_digest or None,
                            "elected": (election.result or {}).get("elected"),
                        },
                        indent=2,
                    )
                )
            elif options["action"] == "step":
                name = options["name"]
                if name == "recount":
                    self.stdout.write(json.dumps(election_recount(actor=actor, election=election)))
                else:
                    self.stdout.write(f"{name}: started")
                    self.stdout.flush()
                    election = STEPS[name](actor=actor, election=election)
                    self.stdout.write(f"{election.pk}\t{election.state}")
            else:
                if election.state == State.COUNTED:
                    election = election_publish(actor=actor, election=election)
                out = Path(options["out"])
                out.mkdir(parents=True, exist_ok=True)
                for name, content in bundle(election).items():
                    (out / name).write_text(content, encoding="utf-8")
                    self.stdout.write(str(out / name))
        except DomainError as error:
            raise CommandError(str(error)) from error
