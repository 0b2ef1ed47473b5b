"""Demo exports: the secretary's sign-in list of her constituency (PDF) and a texting bank (CSV), made at once
with their decoys, and a leaked excerpt of the texting bank (rows shuffled, columns moved, re-cased) written to
var/demo-leaked-excerpt.csv for the `dpo` login to trace on Exports → Trace a leaked list.

Called by `polity demo` inside its transaction, with the system as actor.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from polity.common.actor import Actor
from polity.common.errors import DomainError

if TYPE_CHECKING:
    from polity.demo.services import DemoContext

EXCERPT_ROWS = 150


def excerpt_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-leaked-excerpt.csv"


def populate(ctx: DemoContext) -> None:
    from polity.accounts.models import User
    from polity.comms.services import audience_create
    from polity.exports.services import export_make, export_request

    secretary = ctx.people.get("secretary")
    if secretary is None:
        return
    user = User.objects.filter(person=secretary).first()
    if user is None:
        return
    actor = Actor.for_user(user)
    from polity.access.models import OfficeTerm

    term = OfficeTerm.objects.filter(person=secretary, office="secretary").select_related("unit").first()
    if term is None:
        return
    audience = audience_create(actor=actor, unit=term.unit, name=f"Everyone in {term.unit.name}")
    made = []
    for purpose, channel, columns, fmt, reason in (
        ("service", "", ["name", "membership_number", "branch"], "pdf", "Sign-in sheet for the AGM"),
        (
            "campaigning",
            "sms",  # the demo's members consent to campaigning texts (comms' demo), not to calls
            ["name", "branch", "phone"],
            "csv",
            "Texting bank before the council election",
        ),
    ):
        try:
            export = export_request(
                actor=actor,
                audience=audience,
                purpose=purpose,
                channel=channel,
                columns=columns,
                format=fmt,
                reason=reason,
            )
        except DomainError:  # a demo without consenting members simply has no phone bank
            continue
        if export.state == "queued":
            export = export_make(actor=Actor.system("exports"), export_id=export.pk)
        made.append(export)
    phone_bank = next((e for e in made if e.format == "csv" and e.state == "ready"), None)
    if phone_bank is not None:
        text = _excerpt(phone_bank, ctx)
        transaction.on_commit(lambda: _write(text))


def _excerpt(export: object, ctx: DemoContext) -> str:
    with export.file.open("rb") as handle:  # type: ignore[attr-defined]
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))[1:]
    ctx.rng.shuffle(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["PHONE", "NAME", "WARD"])
    for given, family, branch, phone in rows[:EXCERPT_ROWS]:
        writer.writerow([phone.replace("07700 ", "+44 7700 "), f"{family.upper()}, {given}", branch.upper()])
    return out.getvalue()


def _write(text: str) -> None:
    path = excerpt_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
