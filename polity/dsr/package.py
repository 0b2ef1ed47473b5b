"""The access package: every holding's records about the subject, through the registry, with third-party
data withheld and each withheld piece numbered and reasoned.

Redactions come from two places: the registry proposes one for each `Mention` of someone else inside a
record, and the data protection officer adds others or lifts proposed ones (`Redaction` rows, each with
who decided, when and why). A proposed redaction stands unless lifted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from polity.dsr import redaction
from polity.dsr.models import Redaction, Request
from polity.dsr.registry import Holding, Record, Subject, Value, holdings

RIGHTS = (
    "You have the right to have inaccurate data corrected, to have data erased where there is no reason to "
    "keep it, to restrict or object to its use (including campaigning, at any time), to receive data you "
    "gave us in a form a machine can read, and to complain to the Information Commissioner's Office "
    "(ico.org.uk, 0303 123 1113) if you are unhappy with how we handled your data or this request."
)


@dataclass
class Withheld:
    number: int
    holding: str
    ref: str
    field: str
    text: str
    reason: str
    proposed: bool
    kind: str = ""  # the record's kind, for people reading the list ("Case", "Payment")

    @property
    def reason_short(self) -> str:
        return redaction.short(self.reason)

    @property
    def reason_in_full(self) -> str:
        return redaction.in_full(self.reason)


@dataclass
class Item:
    kind: str
    ref: str
    at: date | datetime | None
    fields: list[tuple[str, str]]
    withheld: list[int] = field(default_factory=list)


@dataclass
class Section:
    holding: Holding
    items: list[Item]
    total: int


@dataclass
class Package:
    subject_label: str
    reference: str
    generated_at: datetime
    sections: list[Section]
    withheld: list[Withheld]
    lifted: list[Redaction]
    rights: str = RIGHTS

    @property
    def record_count(self) -> int:
        return sum(s.total for s in self.sections)


def as_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%d %b %Y %H:%M")
            if timezone.is_aware(value)
            else value.strftime("%d %b %Y %H:%M")
        )
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    return str(value)


def subject_of(request: Request) -> Subject:
    emails = (request.requester_email,) if request.requester_email else ()
    return Subject(person=request.person, emails=emails)


class _Decisions:
    """The DPO's decisions on one request, indexed for the assembly."""

    def __init__(self, request: Request | None) -> None:
        rows = list(Redaction.objects.filter(request=request)) if request is not None else []
        self.lifted = [r for r in rows if r.lifted]
        self._lifted = {(r.holding, r.ref, r.field, r.text) for r in self.lifted}
        self.added: dict[tuple[str, str], list[Redaction]] = {}
        for r in rows:
            if not r.lifted:
                self.added.setdefault((r.holding, r.ref), []).append(r)

    def is_lifted(self, holding: str, ref: str, field_: str, text: str) -> bool:
        return (holding, ref, field_, text) in self._lifted


def _withhold(value: str, text: str, marker: str) -> tuple[str, bool]:
    if not text:
        return (marker, True) if value else (value, False)
    pattern = re.compile(re.escape(text), re.IGNORECASE)
    new, count = pattern.subn(marker, value)
    return new, count > 0


def _apply(holding: Holding, record: Record, decisions: _Decisions, withheld: list[Withheld]) -> Item:
    values = {label: as_text(v) for label, v in record.fields.items()}
    item = Item(kind=record.kind, ref=record.ref, at=record.at, fields=[])
    wanted = [(m.field, m.text, m.reason, True) for m in record.mentions]
    wanted += [(r.field, r.text, r.reason, False) for r in decisions.added.get((holding.key, record.ref), [])]
    # Longer texts first, so "Milo Member" is withheld before "Member" could split it.
    for field_, text, reason, proposed in sorted(wanted, key=lambda w: -len(w[1])):
        if field_ not in values:
            continue
        if proposed and decisions.is_lifted(holding.key, record.ref, field_, text):
            continue
        number = len(withheld) + 1
        new, hit = _withhold(values[field_], text, f"[withheld {number}: {redaction.short(reason)}]")
        if hit:
            values[field_] = new
            withheld.append(
                Withheld(number, holding.key, record.ref, field_, text, reason, proposed, record.kind)
            )
            item.withheld.append(number)
    item.fields = [(label, text) for label, text in values.items() if text != ""]
    return item


def assemble(
    subject: Subject, *, request: Request | None = None, reference: str = "", limit: int | None = None
) -> Package:
    """The package. `limit` keeps only the first records of each holding (the DPO's preview) while still
    counting them all."""
    decisions = _Decisions(request)
    withheld: list[Withheld] = []
    sections = []
    for h in holdings():
        items: list[Item] = []
        total = 0
        for record in h.records(subject):
            total += 1
            if limit is None or len(items) < limit:
                items.append(_apply(h, record, decisions, withheld))
        if total:
            sections.append(Section(holding=h, items=items, total=total))
    if subject.person is not None:
        label = f"{subject.person.full_name} ({subject.person.membership_number})"
    else:
        label = ", ".join(subject.all_emails())
    return Package(
        subject_label=label,
        reference=reference or (request.reference if request else ""),
        generated_at=timezone.now(),
        sections=sections,
        withheld=withheld,
        lifted=decisions.lifted,
    )


def iter_rows(package: Package) -> Iterator[dict[str, str]]:
    """One flat row per field, for the CSV of the archive."""
    for section in package.sections:
        for item in section.items:
            for label, text in item.fields:
                yield {
                    "holding": section.holding.title,
                    "record": item.kind,
                    "reference": item.ref,
                    "when": as_text(item.at),
                    "field": label,
                    "value": text,
                }
