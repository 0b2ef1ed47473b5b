"""Importing members from a CSV file: all or nothing.

Every row is checked first (required fields, lengths, formats, dates, status, the branch, duplicate
membership numbers in the file and in the register). If any row is wrong nothing is written and the
report names every problem as `FILE:LINE: field: what is wrong`. A clean file is written in one
transaction with bulk COPY: each person gets a first membership period and a status change, and the
access log gets one `members.import` event (its subjects are the new people for files of up to
SUBJECTS_LIMIT rows; beyond that the event records the id range and count instead).

Columns (header row required, any order): membership_number, given_name, family_name, email, phone,
address_line, town, postcode, date_of_birth, branch, status, joined_on, paid_until.
Dates are YYYY-MM-DD. `branch` is the code of a unit of the rulebook's last level. A row whose status
ends a membership (lapsed, resigned, expelled) gets a period closed on the day of the import.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import has_perm, require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.members.bulkload import IdAllocator, copy_rows, foreign_keys_checked_at_end
from polity.members.models import ENDING_STATUSES, MembershipPeriod, Person, Status, StatusChange
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

COLUMNS = (
    "membership_number",
    "given_name",
    "family_name",
    "email",
    "phone",
    "address_line",
    "town",
    "postcode",
    "date_of_birth",
    "branch",
    "status",
    "joined_on",
    "paid_until",
)
REQUIRED = ("membership_number", "given_name", "family_name", "branch", "status", "joined_on")
TEXT_FIELDS = ("given_name", "family_name", "email", "phone", "address_line", "town", "postcode")
SUBJECTS_LIMIT = 1_000
# Above this many rows, foreign keys are checked once at the end (faster; locks the tables meanwhile).
BULK_CHECK_ROWS = 20_000
MAX_PROBLEMS = 10_000

_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/-]*$")
_EMAIL = re.compile(
    r"^[^@\s,;<>\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    name: str
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    imported: int = 0
    dry_run: bool = False
    first_id: int | None = None
    last_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """Every problem as `FILE:LINE: field: what is wrong`, in file order."""
        return [f"{self.name}:{p.line}: {p.field}: {p.message}" for p in self.problems]


def _read_text(path_or_stream: str | Path | IO[str] | IO[bytes]) -> tuple[str, str]:
    if isinstance(path_or_stream, str | Path):
        path = Path(path_or_stream)
        return path.name, path.read_bytes().decode("utf-8-sig")
    raw = path_or_stream.read()
    name = Path(str(getattr(path_or_stream, "name", "") or "upload.csv")).name
    return name, raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    for record in reader:
        if record and any(cell.strip() for cell in record):
            yield reader.line_num, record


def _date(value: str) -> date | None:
    if not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class _Checker:
    """Checks rows one at a time and remembers what the second pass needs."""

    def __init__(self, actor: Actor, header: list[str], report: ImportReport, default_branch: str) -> None:
        self.report = report
        self.index = {name.strip().lower(): i for i, name in enumerate(header)}
        self.default_branch = default_branch
        self.today = timezone.localdate()
        leaf = get_rulebook().levels[-1]
        self.leaf = leaf
        units = Unit.objects.values_list("pk", "code", "level", "path")
        self.units = {code: (pk, level, path) for pk, code, level, path in units}
        self.actor = actor
        self.allowed: dict[str, bool] = {}
        self.numbers: dict[str, int] = {}  # membership number -> line
        self.branches: set[int] = set()
        lengths = {f.name: getattr(f, "max_length", None) for f in Person._meta.concrete_fields}
        self.max_length = {k: v for k, v in lengths.items() if v}

    def problem(self, line: int, name: str, message: str) -> None:
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(RowProblem(line, name, message))

    def header_problems(self) -> bool:
        missing = [c for c in REQUIRED if c not in self.index and not (c == "branch" and self.default_branch)]
        unknown = [c for c in self.index if c not in COLUMNS]
        for c in missing:
            self.problem(1, c, "this required column is missing from the header")
        for c in unknown:
            self.problem(1, c or "(empty)", f"unknown column; the columns are: {', '.join(COLUMNS)}")
        return bool(missing or unknown)

    def value(self, record: list[str], name: str) -> str:
        i = self.index.get(name)
        return record[i].strip() if i is not None and i < len(record) else ""

    def check(self, line: int, record: list[str]) -> None:
        if len(record) != len(self.index):
            self.problem(line, "row", f"has {len(record)} fields; the header has {len(self.index)}")
            return
        v = {name: self.value(record, name) for name in COLUMNS}
        if not v["branch"]:
            v["branch"] = self.default_branch
        for name in REQUIRED:
            if not v[name]:
                self.problem(line, name, "is required")
        for name, text in v.items():
            limit = self.max_length.get(name)
            if limit and len(text) > limit:
                self.problem(line, name, f"is longer than {limit} characters")
        number = v["membership_number"]
        if number:
            if not _NUMBER.match(number):
                self.problem(line, "membership_number", "may hold only letters, digits, '-' and '/'")
            elif number in self.numbers:
                self.problem(line, "membership_number", f"{number} is also on line {self.numbers[number]}")
            else:
                self.numbers[number] = line
        if v["email"] and not _EMAIL.match(v["email"]):
            self.problem(line, "email", f"{v['email']!r} is not an email address")
        if v["phone"] and not _PHONE.match(v["phone"]):
            self.problem(line, "phone", "is not a phone number (digits, spaces, +, brackets and -)")
        dates = {}
        for name in ("date_of_birth", "joined_on", "paid_until"):
            if v[name]:
                dates[name] = _date(v[name])
                if dates[name] is None:
                    self.problem(line, name, f"{v[name]!r} is not a date (YYYY-MM-DD)")
        for name in ("date_of_birth", "joined_on"):
            if (d := dates.get(name)) and d > self.today:
                self.problem(line, name, "is in the future")
        joined, paid = dates.get("joined_on"), dates.get("paid_until")
        if joined and paid and paid < joined:
            self.problem(line, "paid_until", "is before joined_on")
        if v["status"] and v["status"] not in Status.values:
            self.problem(line, "status", f"{v['status']!r} is not one of {', '.join(Status.values)}")
        if v["branch"]:
            self.check_branch(line, v["branch"])

    def check_branch(self, line: int, code: str) -> None:
        unit = self.units.get(code)
        if unit is not None and code not in self.allowed:
            stub = Unit(pk=unit[0], code=code, level=unit[1], path=unit[2])
            self.allowed[code] = has_perm(self.actor, Perm.MEMBERS_IMPORT, stub)
        if unit is None or not self.allowed[code]:
            # Unknown and out-of-scope answer alike: the file must not reveal the organisation's tree.
            self.problem(line, "branch", f"there is no unit {code!r} that you may import into")
        elif unit[1] != self.leaf:
            self.problem(line, "branch", f"{code!r} is a {unit[1]}; members belong to a {self.leaf}")
        else:
            self.branches.add(unit[0])

    def check_register(self) -> None:
        """Membership numbers of the file that the register already holds."""
        numbers = list(self.numbers)
        for start in range(0, len(numbers), 5_000):
            chunk = numbers[start : start + 5_000]
            taken = Person.objects.filter(membership_number__in=chunk).values_list(
                "membership_number", flat=True
            )
            for number in taken:
                self.problem(
                    self.numbers[number], "membership_number", f"{number} is already on the register"
                )
        self.report.problems.sort(
            key=lambda p: (p.line, COLUMNS.index(p.field) if p.field in COLUMNS else -1)
        )


def members_import(
    *,
    actor: Actor,
    path_or_stream: str | Path | IO[str] | IO[bytes],
    dry_run: bool = False,
    purpose: str = "members import",
    default_branch: str = "",
) -> ImportReport:
    """Check a members CSV and, if every row is good (and not `dry_run`), put them all on the register."""
    require(actor, Perm.MEMBERS_IMPORT, visible=False)
    name, text = _read_text(path_or_stream)
    report = ImportReport(name=name, dry_run=dry_run)
    records = _records(text)
    first = next(records, None)
    if first is None:
        report.problems.append(RowProblem(1, "header", "the file is empty"))
        return report
    checker = _Checker(actor, first[1], report, default_branch)
    if checker.header_problems():
        return report
    for line, record in records:
        report.rows += 1
        checker.check(line, record)
    if report.rows == 0:
        report.problems.append(RowProblem(first[0], "header", "the file has no rows after its header"))
    checker.check_register()
    if report.problems or dry_run:
        return report
    try:
        _write(actor, checker, text, report, purpose)
    except IntegrityError:
        report.problems.append(
            RowProblem(0, "membership_number", "a number was added to the register meanwhile: run it again")
        )
    return report


PERSON_COLUMNS = [
    "id",
    "membership_number",
    *TEXT_FIELDS,
    "date_of_birth",
    "home_unit_id",
    "status",
    "joined_on",
    "paid_until",
]
_BATCH = 20_000


def _write(actor: Actor, checker: _Checker, text: str, report: ImportReport, purpose: str) -> None:
    now, today, label = timezone.now(), timezone.localdate(), actor.label
    units, default_branch = checker.units, checker.default_branch
    reason = f"imported from {report.name}"
    records = _records(text)
    next(records)  # the header
    n = report.rows
    with transaction.atomic():
        ids = IdAllocator(Person, MembershipPeriod)
        first_person, first_period = ids.take(Person, n), ids.take(MembershipPeriod, n)
        with foreign_keys_checked_at_end(
            *((Person, MembershipPeriod, StatusChange) if n >= BULK_CHECK_ROWS else ())
        ):
            i = 0
            while batch := list(islice(records, _BATCH)):
                people, periods, changes = [], [], []
                for _line, record in batch:
                    v = {name: checker.value(record, name) for name in COLUMNS}
                    status = v["status"]
                    joined = date.fromisoformat(v["joined_on"])
                    ended = status in ENDING_STATUSES
                    pk, period = first_person + i, first_period + i
                    i += 1
                    people.append(
                        (
                            pk,
                            v["membership_number"],
                            *(v[f] for f in TEXT_FIELDS),
                            date.fromisoformat(v["date_of_birth"]) if v["date_of_birth"] else None,
                            units[v["branch"] or default_branch][0],
                            status,
                            joined,
                            date.fromisoformat(v["paid_until"]) if v["paid_until"] else None,
                        )
                    )
                    periods.append((period, pk, joined, today if ended else None, status if ended else ""))
                    changes.append((pk, period, status, now, reason, label))
                copy_rows(Person, PERSON_COLUMNS, people)
                copy_rows(
                    MembershipPeriod, ["id", "person_id", "started_on", "ended_on", "end_status"], periods
                )
                copy_rows(
                    StatusChange,
                    ["person_id", "period_id", "status", "changed_at", "reason", "actor_label"],
                    changes,
                )
        ids.finish()
        last = first_person + n - 1
        audit_record(
            actor=actor,
            verb="members.import",
            subjects=range(first_person, last + 1) if n <= SUBJECTS_LIMIT else (),
            purpose=purpose,
            data={
                "file": report.name,
                "count": n,
                "first_id": first_person,
                "last_id": last,
                "branches": len(checker.branches),
            },
        )
    report.imported, report.first_id, report.last_id = n, first_person, last
