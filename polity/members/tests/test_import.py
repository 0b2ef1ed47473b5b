"""CSV import of members: all or nothing, every bad row named by line and field, permission-checked."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from polity.access.services import grant_give
from polity.audit.models import Event
from polity.audit.services import audit_verify
from polity.common.actor import Actor
from polity.common.errors import Forbidden
from polity.members import importing
from polity.members.importing import members_import
from polity.members.models import MembershipPeriod, Person, Status, StatusChange

HEADER = "membership_number,given_name,family_name,email,phone,address_line,town,postcode,date_of_birth,branch,status,joined_on,paid_until"
GOOD = [
    "N0000001,Ada,Lovelace,ada@example.org,07700 900001,1 Mill Lane,Ashford,QA1 1AB,1990-12-10,north-a-1,active,2024-01-05,2026-12-31",
    "N0000002,Brian,Okafor,,,,,,,north-a-2,in_arrears,2023-03-01,2025-03-01",
    "N0000003,Cleo,Singh,cleo@example.org,,,,,,south-a-1,lapsed,2020-06-01,2021-06-01",
]


def _csv(*rows: str, header: str = HEADER) -> io.StringIO:
    stream = io.StringIO("\n".join([header, *rows]) + "\n")
    stream.name = "members.csv"
    return stream


def _counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        MembershipPeriod.objects.count(),
        StatusChange.objects.count(),
        Event.objects.count(),
    )


def test_a_good_file_imports_every_row(org):
    before = Person.objects.count()
    report = members_import(actor=org.actor("national"), path_or_stream=_csv(*GOOD), purpose="migration")
    assert report.ok and report.imported == 3 and Person.objects.count() == before + 3
    ada = Person.objects.get(membership_number="N0000001")
    assert (ada.given_name, ada.email, ada.home_unit, ada.status) == (
        "Ada",
        "ada@example.org",
        org.units["north_a_1"],
        Status.ACTIVE,
    )
    assert (ada.joined_on, ada.paid_until, ada.date_of_birth) == (
        date(2024, 1, 5),
        date(2026, 12, 31),
        date(1990, 12, 10),
    )
    period = ada.periods.get()
    assert period.started_on == date(2024, 1, 5) and period.ended_on is None
    assert ada.status_changes.get().status == Status.ACTIVE
    cleo = Person.objects.get(membership_number="N0000003")
    assert cleo.periods.get().end_status == Status.LAPSED
    event = Event.objects.get(verb="members.import")
    assert event.purpose == "migration" and event.actor_label == "national"
    assert sorted(event.subject_ids) == sorted(
        Person.objects.filter(membership_number__startswith="N").values_list("pk", flat=True)
    )
    assert event.details["count"] == 3
    assert audit_verify().ok
    # New rows get ordinary ids afterwards too.
    assert Person.objects.order_by("-pk").first().pk == report.last_id  # type: ignore[union-attr]


def test_a_file_with_bad_rows_imports_nothing_and_names_every_problem(org):
    existing = org.people["member"].membership_number
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    rows = [
        GOOD[0],
        "N0000010,,Nobody,not-an-email,07700 900002,,,,,north-a-1,active,2024-01-05,",  # line 3
        "N0000011,Bad,Dates,,,,,,1990-02-30,north-a-1,active,05/01/2024,2023-01-01",  # line 4
        "N0000012,Bad,Status,,,,,,,north-a-1,member,2024-01-05,",  # line 5
        "N0000013,Bad,Branch,,,,,,,atlantis,active,2024-01-05,",  # line 6
        "N0000014,Not,Leaf,,,,,,,north-a,active,2024-01-05,",  # line 7
        "N0000001,Twice,Innumber,,,,,,,north-a-1,active,2024-01-05,",  # line 8
        f"{existing},Already,There,,,,,,,north-a-1,active,2024-01-05,",  # line 9
        f"N0000015,Future,Joiner,,,,,,,north-a-1,active,{future},",  # line 10
        "N0000016,Too,Few,fields",  # line 11
        "N0000017,Early,Payer,,,,,,,north-a-1,active,2024-01-05,2023-12-31",  # line 12
    ]
    before = _counts()
    report = members_import(actor=org.actor("national"), path_or_stream=_csv(*rows))
    assert not report.ok and report.imported == 0
    assert _counts() == before
    assert report.lines() == [
        "members.csv:3: given_name: is required",
        "members.csv:3: email: 'not-an-email' is not an email address",
        "members.csv:4: date_of_birth: '1990-02-30' is not a date (YYYY-MM-DD)",
        "members.csv:4: joined_on: '05/01/2024' is not a date (YYYY-MM-DD)",
        "members.csv:5: status: 'member' is not one of applicant, active, in_arrears, lapsed, suspended, expelled, resigned, refused",
        "members.csv:6: branch: there is no unit 'atlantis' that you may import into",
        "members.csv:7: branch: 'north-a' is a constituency; members belong to a branch",
        "members.csv:8: membership_number: N0000001 is also on line 2",
        f"members.csv:9: membership_number: {existing} is already on the register",
        "members.csv:10: joined_on: is in the future",
        "members.csv:11: row: has 4 fields; the header has 13",
        "members.csv:12: paid_until: is before joined_on",
    ]


def test_header_problems_are_reported_before_any_row(org):
    report = members_import(
        actor=org.actor("national"),
        path_or_stream=_csv(GOOD[0], header=HEADER.replace("given_name", "first")),
    )
    assert report.lines() == [
        "members.csv:1: given_name: this required column is missing from the header",
        "members.csv:1: first: unknown column; the columns are: " + ", ".join(importing.COLUMNS),
    ]


def test_dry_run_checks_everything_and_writes_nothing(org):
    before = _counts()
    report = members_import(actor=org.actor("national"), path_or_stream=_csv(*GOOD), dry_run=True)
    assert report.ok and report.rows == 3 and report.imported == 0
    assert _counts() == before
    bad = members_import(actor=org.actor("national"), path_or_stream=_csv("x,,,,,,,,,,,,"), dry_run=True)
    assert not bad.ok and _counts() == before


@pytest.mark.parametrize("who", ["secretary", "regional", "branchsec", "member", "dpo"])
def test_only_holders_of_members_import_may_import(org, who):
    before = _counts()
    with pytest.raises(Forbidden):
        members_import(actor=org.actor(who), path_or_stream=_csv(*GOOD))
    assert _counts() == before


def test_the_permission_must_cover_every_target_branch(org):
    grant_give(
        actor=org.actor("national"),
        person=org.people["secretary"],
        permissions=["members.import"],
        unit=org.units["north_a"],
        purpose="branch records migration",
        expires_at=timezone.now() + timedelta(days=1),
    )
    before = _counts()
    report = members_import(actor=org.actor("secretary"), path_or_stream=_csv(*GOOD))
    # south-a-1 is outside the grant: answered exactly like a branch that does not exist.
    assert report.lines() == ["members.csv:4: branch: there is no unit 'south-a-1' that you may import into"]
    assert _counts() == before
    report = members_import(actor=org.actor("secretary"), path_or_stream=_csv(*GOOD[:2]))
    assert report.ok and report.imported == 2


def test_large_imports_log_an_id_range_instead_of_every_subject(org, monkeypatch):
    monkeypatch.setattr(importing, "SUBJECTS_LIMIT", 2)
    monkeypatch.setattr(importing, "BULK_CHECK_CHARS", 1)  # exercise the checked-at-the-end path too
    report = members_import(actor=Actor.system(), path_or_stream=_csv(*GOOD))
    assert report.imported == 3
    event = Event.objects.get(verb="members.import")
    assert event.subject_ids == []
    assert (event.details["first_id"], event.details["last_id"], event.details["count"]) == (
        report.first_id,
        report.last_id,
        3,
    )
    assert Person.objects.filter(pk__range=(report.first_id, report.last_id)).count() == 3


def test_the_command(org, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER, *GOOD]) + "\n")
    call_command("import_members", str(good), "--dry-run")
    assert "3 rows are good" in capsys.readouterr().out
    assert not Person.objects.filter(membership_number="N0000001").exists()
    with pytest.raises(CommandError, match="members.import"):
        call_command("import_members", str(good), "--as", "secretary")
    call_command("import_members", str(good), "--as", "national")
    assert "imported 3 members" in capsys.readouterr().out
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_members", str(good))
    assert "good.csv:2: membership_number: N0000001 is already on the register" in capsys.readouterr().err


def _rows(count: int, first: int = 1) -> list[str]:
    return [f"P{i:07d},Row,Number{i},,,,,,,north-a-1,active,2024-01-05," for i in range(first, first + count)]


def _stages(calls: list[tuple[str, int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for stage, rows in calls:
        out.setdefault(stage, []).append(rows)
    return out


def test_progress_hears_every_row_checked_then_written_in_chunks(org, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    calls: list[tuple[str, int]] = []
    report = members_import(
        actor=org.actor("national"), path_or_stream=_csv(*_rows(7)), progress=lambda *a: calls.append(a)
    )
    assert report.ok and report.imported == 7
    stages = _stages(calls)
    assert list(stages) == ["checking", "writing"]  # every check is heard before any write
    assert sum(stages["checking"]) == report.rows == 7 and len(stages["checking"]) == 4
    assert sum(stages["writing"]) == report.imported and len(stages["writing"]) > 1
    assert all(rows > 0 for _stage, rows in calls)

    calls.clear()
    report = members_import(
        actor=org.actor("national"),
        path_or_stream=_csv(*_rows(5, first=20)),
        dry_run=True,
        progress=lambda *a: calls.append(a),
    )
    assert report.ok and report.imported == 0
    assert _stages(calls) == {"checking": [2, 2, 1]}


def test_a_file_with_a_bad_row_still_imports_nothing_when_progress_is_heard(org, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(importing, "BULK_CHECK_CHARS", 1)  # the foreign keys checked at the end, too
    calls: list[tuple[str, int]] = []
    bad = "P0000099,Bad,Status,,,,,,,north-a-1,member,2024-01-05,"
    before = _counts()
    report = members_import(
        actor=org.actor("national"),
        path_or_stream=_csv(*_rows(6), bad),
        progress=lambda *a: calls.append(a),
    )
    assert report.lines() == [
        "members.csv:8: status: 'member' is not one of "
        "applicant, active, in_arrears, lapsed, suspended, expelled, resigned, refused"
    ]
    assert report.imported == 0 and _counts() == before
    assert _stages(calls) == {"checking": [2, 2, 2, 1]}  # every row checked, nothing written


def test_the_command_prints_no_progress_when_stderr_is_not_a_terminal(org, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER, *_rows(5)]) + "\n")
    call_command("import_members", str(good), "--dry-run")
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("good.csv: 5 rows are good (dry run: nothing written, ")
    call_command("import_members", str(good))
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("good.csv: imported 5 members in ") and out.count("\n") == 1
    with pytest.raises(CommandError, match=r"^5 problem\(s\) in 5 rows: nothing was imported$"):
        call_command("import_members", str(good))
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        f"good.csv:{n + 1}: membership_number: P{n:07d} is already on the register" for n in range(1, 6)
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_shows_a_bar_per_stage_on_a_terminal(org, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    path = tmp_path / "members.csv"
    # Blank lines make the line count an estimate (9 rows); the bar ends at the rows really checked.
    path.write_text("\n".join([HEADER, *_rows(7), "", ""]) + "\n")
    call_command("import_members", str(path))
    shown = terminal.getvalue()
    assert "checking: 100%" in shown and "writing: 100%" in shown
    assert "/9 " in shown and "7/7 " in shown
    assert Person.objects.filter(membership_number__startswith="P").count() == 7
