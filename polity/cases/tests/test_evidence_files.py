"""An evidence file never outlives a rolled-back upload, and the hourly sweep removes what a crash left.

Real files in a temporary MEDIA_ROOT (the `cases` fixture sets it); no mocks.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from polity.audit.models import Event
from polity.cases import files
from polity.cases import services as s
from polity.cases.models import Case, Evidence
from polity.cases.services.evidence import ORPHAN_GRACE, evidence_sweep
from polity.cases.tests.conftest import evidence_file
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput


class Undo(Exception):
    pass


def stored(settings) -> set[str]:
    """Every file under the evidence directory, as names relative to MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix() for p in (root / files.EVIDENCE_DIR).rglob("*") if p.is_file()}


def disciplinary(cases, evidence=()):
    return s.case_open(
        actor=cases.actor("handler"),
        kind="disciplinary",
        summary="Abusive messages to a member.",
        respondents=[cases.person("member2")],
        evidence=evidence,
    )


def age(settings, name: str, by: timedelta) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    when = (timezone.now() - by).timestamp()
    os.utime(path, (when, when))


def orphan(settings, name: str, old: bool) -> str:
    relative = f"{files.EVIDENCE_DIR}/2020/01/{name}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"left behind by a crash")
    if old:
        age(settings, relative, ORPHAN_GRACE + timedelta(minutes=5))
    return relative


def test_the_evidence_directory_is_where_the_field_stores_files():
    assert Evidence._meta.get_field("file").upload_to.startswith(files.EVIDENCE_DIR + "/")


# Immediate clean-up when the transaction (or a savepoint around the write) rolls back.


def test_opening_a_case_whose_second_file_is_refused_leaves_no_file_from_the_first(cases, settings):
    before = Case.objects.count()
    with pytest.raises(InvalidInput, match="empty"):
        disciplinary(cases, [(evidence_file("the messages"), "Screenshots"), (evidence_file(""), "Nothing")])
    assert Case.objects.count() == before and not Evidence.objects.exists()
    assert stored(settings) == set()


def test_opening_a_case_whose_second_file_has_no_description_leaves_no_file(cases, settings):
    with pytest.raises(InvalidInput, match="description"):
        disciplinary(cases, [(evidence_file("one"), "First"), (evidence_file("two"), "  ")])
    assert stored(settings) == set()


def test_evidence_added_inside_an_outer_block_that_rolls_back_leaves_no_file(cases, settings):
    case = disciplinary(cases)
    with pytest.raises(Undo), transaction.atomic():
        evidence = s.case_add_evidence(
            actor=cases.actor("handler"), case=case, upload=evidence_file(), description="Minutes"
        )
        assert stored(settings) == {evidence.file.name}  # written, the row not yet committed
        raise Undo
    assert not Evidence.objects.exists()
    assert stored(settings) == set()


def test_a_rollback_takes_only_the_files_written_in_what_it_undoes(cases, settings):
    case = disciplinary(cases, [(evidence_file("kept at opening"), "Opening")])
    handler = cases.actor("handler")
    with transaction.atomic():
        kept = s.case_add_evidence(actor=handler, case=case, upload=evidence_file("kept"), description="K")
        with pytest.raises(Undo), transaction.atomic():
            s.case_add_evidence(actor=handler, case=case, upload=evidence_file("gone"), description="G")
            raise Undo
    names = set(Evidence.objects.values_list("file", flat=True))
    assert len(names) == 2 and kept.file.name in names
    assert stored(settings) == names


def test_a_successful_upload_keeps_its_file(cases, settings):
    case = disciplinary(cases)
    evidence = s.case_add_evidence(
        actor=cases.actor("handler"), case=case, upload=evidence_file("the minutes"), description="Minutes"
    )
    assert stored(settings) == {evidence.file.name}
    assert evidence.file.read() == b"the minutes"


@pytest.mark.django_db(transaction=True)
def test_committed_files_stay_and_a_real_rollback_removes_only_its_own(cases, settings):
    """Outside the test's own transaction: real COMMITs and a real ROLLBACK of an outermost block."""
    handler = cases.actor("handler")
    case = disciplinary(cases, [(evidence_file("opening"), "Opening")])
    added = s.case_add_evidence(actor=handler, case=case, upload=evidence_file("added"), description="A")
    committed = set(Evidence.objects.values_list("file", flat=True))
    assert len(committed) == 2 and stored(settings) == committed
    with pytest.raises(Undo), transaction.atomic():
        s.case_add_evidence(actor=handler, case=case, upload=evidence_file("undone"), description="U")
        raise Undo
    with pytest.raises(InvalidInput):
        disciplinary(cases, [(evidence_file("first"), "First"), (evidence_file(""), "Empty")])
    assert stored(settings) == committed
    assert added.file.read() == b"added"


@pytest.mark.django_db(transaction=True)
def test_a_file_is_written_only_inside_a_transaction(cases):
    case = disciplinary(cases)
    with pytest.raises(transaction.TransactionManagementError):
        files.write(Evidence(case=case).file, "stray.bin", evidence_file())


# The sweep: files a crash left behind.


def test_the_sweep_deletes_old_orphans_and_keeps_young_ones_and_every_referenced_file(cases, settings):
    case = disciplinary(cases, [(evidence_file("opening"), "Opening")])
    s.case_add_evidence(actor=cases.actor("handler"), case=case, upload=evidence_file("b"), description="B")
    referenced = set(Evidence.objects.values_list("file", flat=True))
    for name in referenced:  # old files with rows are kept however old
        age(settings, name, timedelta(days=400))
    old = orphan(settings, "C-000099-0123456789abcdef.bin", old=True)
    young = orphan(settings, "C-000099-fedcba9876543210.bin", old=False)

    counts = evidence_sweep(actor=Actor.system())

    assert counts == {"checked": 4, "young": 1, "referenced": 2, "deleted": 1, "failed": 0}
    assert stored(settings) == referenced | {young}
    assert old not in stored(settings)
    for evidence in Evidence.objects.all():
        assert evidence.file.read()


def test_the_sweep_keeps_a_file_just_inside_the_grace_period(cases, settings):
    name = orphan(settings, "recent.bin", old=False)
    age(settings, name, ORPHAN_GRACE - timedelta(minutes=1))
    assert evidence_sweep(actor=Actor.system())["deleted"] == 0
    assert stored(settings) == {name}


def test_the_sweep_is_audited_with_counts_and_no_file_names(cases, settings):
    disciplinary(cases, [(evidence_file("opening"), "Opening")])
    name = orphan(settings, "C-000042-00112233aabbccdd.bin", old=True)
    counts = evidence_sweep(actor=Actor.system("evidence sweep"))
    event = Event.objects.filter(verb="evidence.sweep").get()
    assert (
        json.loads(event.data)
        == counts
        == {
            "checked": 2,
            "young": 1,  # the case's own file, too young to need its row looked up
            "referenced": 0,
            "deleted": 1,
            "failed": 0,
        }
    )
    assert event.actor_label == "evidence sweep" and event.subjects == "" and event.object_id == ""
    text = event.data + event.object_type + event.purpose
    assert ".bin" not in text and "C-0" not in text and name not in text


def test_only_the_system_sweeps(cases, settings):
    name = orphan(settings, "old.bin", old=True)
    with pytest.raises(DomainError, match="only the system"):
        evidence_sweep(actor=cases.actor("handler"))
    assert stored(settings) == {name}
    assert not Event.objects.filter(verb="evidence.sweep").exists()


def test_the_sweep_with_no_evidence_directory_counts_nothing(cases, settings):
    assert evidence_sweep(actor=Actor.system()) == {
        "checked": 0,
        "young": 0,
        "referenced": 0,
        "deleted": 0,
        "failed": 0,
    }


def test_the_command_and_the_scheduled_job_sweep(cases, settings, capsys):
    from polity.common.schedule import JOBS, schedule_enqueue_due

    first = orphan(settings, "first.bin", old=True)
    call_command("sweep_evidence")
    assert "deleted 1" in capsys.readouterr().out and first not in stored(settings)

    second = orphan(settings, "second.bin", old=True)
    job = next(j for j in JOBS if j.name == "cases.evidence_sweep")
    assert job.every == timedelta(hours=1)
    # The test settings run tasks immediately, so enqueuing the job sweeps.
    assert schedule_enqueue_due(actor=Actor.system(), jobs=(job,)) == ["cases.evidence_sweep"]
    assert second not in stored(settings)
    assert Event.objects.filter(verb="evidence.sweep").count() == 2
