"""Importing members from a CSV file: all or nothing.

Every row is checked first (required fields, lengths, formats, dates, status, the branch, duplicate
membership numbers in the file and in the register). If any row is wrong nothing is written and the
report names every problem as `FILE:LINE: field: what is wrong`. A clean file is written in one
transaction with bulk COPY: each person gets a first membership period and a status change, and the
access log gets one `members.import` event (its subjects are the new people for files of up to
SUBJECTS_LIMIT rows; beyond that the event records the id range and count instead).

A `progress(stage, rows)` callback, if given, hears how far the import has got, every PROGRESS_EVERY
rows and at the end of each stage: "checking" counts the rows read and checked (on a real import they
stream to the database as they are checked), then, only if every row was good, "writing" counts the
people whose membership period and status change are written (half a person after the period).

Columns (header row required, any order): membership_number, given_name, family_name, email, phone,
address_line, town, postcode, date_of_birth, branch, status, joined_on, paid_until.
Dates are YYYY-MM-DD. `branch` is the code of a unit of the rulebook's last level. A row whose status
ends a membership (lapsed, resigned, expelled) gets a period closed on the day of the import.

What cannot be read is reported by line too: bytes that are not UTF-8 (each line that holds some), a field
past the CSV reader's limit (FIELD_LIMIT characters, usually a quote left open), a column named twice in the
header. Text fields may not hold control characters (NUL, tabs, line breaks...), Unicode line separators or
bidirectional overrides, which could hide or reorder what an officer reads. A value that begins like a
spreadsheet formula (`=`, `+`, `-`, `@`) is stored as the text it is; every CSV Polity writes neutralises it
(polity.common.spreadsheet), the CSV of this report's problems included (`ImportReport.write_csv`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import require, scopes
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.spreadsheet import SafeWriter
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
# Files above this size (about 20,000 rows) have their foreign keys checked once at the end: faster, but
# the register's tables are locked for reading too until the import commits.
BULK_CHECK_CHARS = 3_000_000
MAX_PROBLEMS = 10_000
# Rows between two progress reports: coarse enough to cost nothing, fine enough for a progress bar.
PROGRESS_EVERY = 5_000

Progress = Callable[[str, int], object]

_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/-]*$")
_EMAIL = re.compile(
    r"^[^@\s,;<>\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STATUSES = frozenset(Status.values)
# The csv module's limit on one field (131,072 characters unless raised): past it the reader stops.
FIELD_LIMIT = csv.field_size_limit()
# Characters no text field may hold, besides the control characters (Unicode category Cc: NUL, tab, CR, LF,
# DEL, C1): the line and paragraph separators, and the marks, embeddings, overrides and isolates of
# bidirectional text, which can make a name display as something other than what it is.
_HIDDEN = frozenset("\u2028\u2029\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_TAKEN_SQL = f"SELECT membership_number FROM {Person._meta.db_table} WHERE membership_number = ANY(%s)"  # noqa: S608


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

    def write_csv(self, stream: IO[str]) -> None:
        """The problems as CSV (file, line, field, problem), each cell neutralised against formulas."""
        writer = SafeWriter(stream)
        writer.writerow(["file", "line", "field", "problem"])
        writer.writerows([self.name, p.line, p.field, p.message] for p in self.problems)


class _NotUtf8(Exception):
    def __init__(self, name: str, problems: list[RowProblem]) -> None:
        super().__init__(name)
        self.name, self.problems = name, problems


def _decode(name: str, raw: bytes) -> str:
    """The file's text; if it is not UTF-8, _NotUtf8 with a problem for each line holding bad bytes."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    problems = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            bad = line[error.start : error.start + 1].hex().upper()
            column = len(line[: error.start].decode("utf-8", "replace")) + 1
            problems.append(
                RowProblem(
                    number,
                    "file",
                    f"byte 0x{bad} at column {column} is not UTF-8: save the file as UTF-8 and try again",
                )
            )
            if len(problems) >= MAX_PROBLEMS:
                break
    raise _NotUtf8(name, problems)


def _read_text(path_or_stream: str | Path | IO[str] | IO[bytes]) -> tuple[str, str]:
    if isinstance(path_or_stream, str | Path):
        path = Path(path_or_stream)
        return path.name, _decode(path.name, path.read_bytes())
    raw = path_or_stream.read()
    name = Path(str(getattr(path_or_stream, "name", "") or "upload.csv")).name
    return name, _decode(name, raw) if isinstance(raw, bytes) else raw.removeprefix("\ufeff")


def _records(text: str, report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each non-blank record. A record the reader cannot parse (a field past FIELD_LIMIT,
    most often a quote left open) ends the reading with a problem on the line where it stopped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1  # a quoted field may run over several lines: name the first
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            message = str(error)
            if "field larger than field limit" in message:
                message = (
                    f"a field is longer than {FIELD_LIMIT:,} characters (is a quote left open?); "
                    "the file was not read past this line"
                )
            else:
                message = f"cannot be read as CSV ({message}); the file was not read past this line"
            report.problems.append(RowProblem(start, "row", message))
            return
        if record and any(cell.strip() for cell in record):
            yield start, record


def _reported[T](items: Iterable[T], report: Callable[[int], object]) -> Iterator[T]:
    """`items` unchanged, calling `report(n)` after each PROGRESS_EVERY of them and after the last."""
    every, done = PROGRESS_EVERY, 0
    for done, item in enumerate(items, 1):
        yield item
        if not done % every:
            report(every)
    if done % every:
        report(done % every)


def _date(value: str) -> date | None:
    if not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _hidden_character(value: str) -> str:
    """A description of the first character a text field may not hold, or "" if there is none."""
    for char in value:
        if char in _HIDDEN or unicodedata.category(char) == "Cc":
            name = unicodedata.name(char, "a control character")
            return f"U+{ord(char):04X} ({name.lower()})"
    return ""


class _Checker:
    """Checks rows one at a time and remembers what the second pass needs."""

    def __init__(self, actor: Actor, header: list[str], report: ImportReport, default_branch: str) -> None:
        self.report = report
        self.header = [name.strip().lower() for name in header]
        self.index: dict[str, int] = {}
        for i, name in enumerate(self.header):
            self.index.setdefault(name, i)  # a repeated column is a header problem; the first one counts
        self.default_branch = default_branch
        self.today = timezone.localdate()
        leaf = get_rulebook().levels[-1]
        self.leaf = leaf
        units = Unit.objects.values_list("pk", "code", "level", "path")
        self.units = {code: (pk, level, path) for pk, code, level, path in units}
        # Where the actor may import: the scope paths, resolved once (a prefix test per branch after).
        self.scope_paths = [sc.path for sc in scopes(actor, Perm.MEMBERS_IMPORT)]
        self.allowed: dict[str, bool] = {}
        self.positions = [(name, self.index.get(name)) for name in COLUMNS]
        self.numbers: dict[str, int] = {}  # membership number -> line
        # Numbers already on the register, read once: a set lookup per row instead of a query.
        self.taken = set(Person.objects.values_list("membership_number", flat=True).iterator(50_000))
        self.branches: set[int] = set()
        self.written: list[tuple[int, date, str]] = []  # (person id, joined on, status) of rows yielded
        lengths = {f.name: f.max_length or 0 for f in Person._meta.concrete_fields}
        self.limits = [(name, lengths[name]) for name in COLUMNS if lengths.get(name)]

    def problem(self, line: int, name: str, message: str) -> None:
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(RowProblem(line, name, message))

    def header_problems(self) -> bool:
        missing = [c for c in REQUIRED if c not in self.index and not (c == "branch" and self.default_branch)]
        unknown = [c for c in self.index if c not in COLUMNS]
        repeated = [c for c in self.index if self.header.count(c) > 1]
        for c in missing:
            self.problem(1, c, "this required column is missing from the header")
        for c in unknown:
            self.problem(1, c or "(empty)", f"unknown column; the columns are: {', '.join(COLUMNS)}")
        for c in repeated:
            where = [str(i + 1) for i, name in enumerate(self.header) if name == c]
            self.problem(
                1, c or "(empty)", f"this column is named more than once (columns {', '.join(where)})"
            )
        return bool(missing or unknown or repeated)

    def values(self, record: list[str]) -> dict[str, str]:
        return {name: "" if i is None else record[i].strip() for name, i in self.positions}

    def check(self, line: int, record: list[str]) -> dict[str, str] | None:
        """The row's values if it is good; otherwise None, with its problems added to the report."""
        before = len(self.report.problems)
        if len(record) != len(self.header):
            self.problem(line, "row", f"has {len(record)} fields; the header has {len(self.header)}")
            return None
        v = self.values(record)
        if not v["branch"]:
            v["branch"] = self.default_branch
        for name in REQUIRED:
            if not v[name]:
                self.problem(line, name, "is required")
        for name, limit in self.limits:
            if len(v[name]) > limit:
                self.problem(line, name, f"is longer than {limit} characters")
        for name in TEXT_FIELDS:
            if hidden := _hidden_character(v[name]):
                self.problem(
                    line,
                    name,
                    f"holds {hidden}: text fields may not hold control characters, line breaks or "
                    "bidirectional overrides",
                )
        number = v["membership_number"]
        if number:
            if not _NUMBER.match(number):
                self.problem(line, "membership_number", "may hold only letters, digits, '-' and '/'")
            elif number in self.numbers:
                self.problem(line, "membership_number", f"{number} is also on line {self.numbers[number]}")
            elif number in self.taken:
                self.problem(line, "membership_number", f"{number} is already on the register")
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
        if v["status"] and v["status"] not in _STATUSES:
            self.problem(line, "status", f"{v['status']!r} is not one of {', '.join(Status.values)}")
        if v["branch"]:
            self.check_branch(line, v["branch"])
        return v if len(self.report.problems) == before else None

    def check_branch(self, line: int, code: str) -> None:
        unit = self.units.get(code)
        if unit is not None and code not in self.allowed:
            self.allowed[code] = any(unit[2].startswith(path) for path in self.scope_paths)
        if unit is None or not self.allowed[code]:
            # Unknown and out-of-scope answer alike: the file must not reveal the organisation's tree.
            self.problem(line, "branch", f"there is no unit {code!r} that you may import into")
        elif unit[1] != self.leaf:
            self.problem(line, "branch", f"{code!r} is a {unit[1]}; members belong to a {self.leaf}")
        else:
            self.branches.add(unit[0])

    def rows(
        self, records: Iterator[tuple[int, list[str]]], ids: IdAllocator | None
    ) -> Iterator[tuple[object, ...]]:
        """Check every record; while all are good, yield Person rows (ids from `ids`) for COPY."""
        pk = ids.peek(Person) if ids is not None else 0
        for line, record in records:
            self.report.rows += 1
            v = self.check(line, record)
            if v is None or self.report.problems:
                continue
            joined = date.fromisoformat(v["joined_on"])
            self.written.append((pk, joined, v["status"]))
            yield (
                pk,
                v["membership_number"],
                *(v[f] for f in TEXT_FIELDS),
                date.fromisoformat(v["date_of_birth"]) if v["date_of_birth"] else None,
                self.units[v["branch"] or self.default_branch][0],
                v["status"],
                joined,
                date.fromisoformat(v["paid_until"]) if v["paid_until"] else None,
            )
            pk += 1


class _Rollback(Exception):
    pass


def members_import(
    *,
    actor: Actor,
    path_or_stream: str | Path | IO[str] | IO[bytes],
    dry_run: bool = False,
    purpose: str = "members import",
    default_branch: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Check a members CSV and, if every row is good (and not `dry_run`), put them all on the register.

    `progress(stage, rows)`, if given, is told how many more rows each stage has done (module docstring).
    """
    require(actor, Perm.MEMBERS_IMPORT, visible=False)
    try:
        name, text = _read_text(path_or_stream)
    except _NotUtf8 as bad:
        return ImportReport(name=bad.name, dry_run=dry_run, problems=bad.problems)
    report = ImportReport(name=name, dry_run=dry_run)
    records = _records(text, report)
    first = next(records, None)
    if first is None:
        if not report.problems:  # else the header itself could not be read, and says why
            report.problems.append(RowProblem(1, "header", "the file is empty"))
        return report
    checker = _Checker(actor, first[1], report, default_branch)
    if checker.header_problems():
        return report
    if progress is not None:
        records = _reported(records, lambda n: progress("checking", n))
    if dry_run:
        for _row in checker.rows(records, None):
            pass
    else:
        try:
            _write(actor, checker, records, report, purpose, len(text) >= BULK_CHECK_CHARS, progress)
        except _Rollback:
            pass
        except IntegrityError:
            report.problems.append(
                RowProblem(
                    0, "membership_number", "a number was added to the register meanwhile: run it again"
                )
            )
    if report.rows == 0 and not report.problems:
        report.problems.append(RowProblem(first[0], "header", "the file has no rows after its header"))
    report.problems.sort(key=lambda p: (p.line, COLUMNS.index(p.field) if p.field in COLUMNS else -1))
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


def _write(
    actor: Actor,
    checker: _Checker,
    records: Iterator[tuple[int, list[str]]],
    report: ImportReport,
    purpose: str,
    big: bool,
    progress: Progress | None,
) -> None:
    """One pass: rows stream into COPY as they are checked; any bad row rolls the whole file back."""
    now, today, label = timezone.now(), timezone.localdate(), actor.label
    reason = f"imported from {report.name}"
    halves = reported = 0

    def written(rows: int) -> None:
        # Each person has two rows to write (period, status change): report whole people done.
        nonlocal halves, reported
        halves += rows
        if progress is not None and halves // 2 > reported:
            progress("writing", halves // 2 - reported)
            reported = halves // 2

    with transaction.atomic():
        ids = IdAllocator(Person, MembershipPeriod)
        with foreign_keys_checked_at_end(*((Person, MembershipPeriod, StatusChange) if big else ())):
            copy_rows(Person, PERSON_COLUMNS, checker.rows(records, ids))
            if report.problems or not checker.written:
                raise _Rollback
            n = len(checker.written)
            first_person, first_period = ids.take(Person, n), ids.take(MembershipPeriod, n)
            periods: Iterable[tuple[object, ...]] = (
                (
                    first_period + i,
                    pk,
                    joined,
                    *((today, status) if status in ENDING_STATUSES else (None, "")),
                )
                for i, (pk, joined, status) in enumerate(checker.written)
            )
            changes: Iterable[tuple[object, ...]] = (
                (pk, first_period + i, status, now, reason, label)
                for i, (pk, _j, status) in enumerate(checker.written)
            )
            if progress is not None:
                periods, changes = _reported(periods, written), _reported(changes, written)
            copy_rows(MembershipPeriod, ["id", "person_id", "started_on", "ended_on", "end_status"], periods)
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
