"""`polity audit verify` and `polity audit stats`: exit 0 on an intact log, 1 naming the first bad event."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from polity.audit.models import Event, EventSubject
from polity.audit.services import audit_record
from polity.common.actor import Actor


@pytest.fixture
def chain(db):  # type: ignore[no-untyped-def]
    actor = Actor(user_id=7, person_id=3, label="secretary")
    for i in range(1, 11):
        audit_record(
            actor=actor, verb="member.view", subjects=[i], purpose="test", object_id=i, data={"i": i}
        )
    return actor


def verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def broken() -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=io.StringIO())
    assert caught.value.returncode == 1
    return caught.value


def test_intact_log_passes_and_prints_the_count(chain):
    assert "intact (10 events checked)" in verify()


def test_the_verdict_is_recorded(chain):
    verify()
    last = Event.objects.order_by("-seq").first()
    assert last is not None and last.verb == "audit.verify"
    assert last.details["ok"] is True
    assert last.actor_label == "cli:audit"


def test_an_empty_log_is_intact(db):
    assert "intact (0 events checked)" in verify()


def test_changed_event_is_named(chain):
    Event.objects.filter(seq=4).update(actor_label="someone else")
    error = broken()
    assert "seq=4" in str(error)
    assert "changed" in str(error)


def test_deleted_event_is_named(chain):
    EventSubject.objects.filter(event__seq=6).delete()
    Event.objects.filter(seq=6).delete()
    error = broken()
    assert "seq=6" in str(error)
    assert "missing" in str(error)


def test_swapped_events_are_named(chain):
    Event.objects.filter(seq=3).update(seq=-3)
    Event.objects.filter(seq=8).update(seq=3)
    Event.objects.filter(seq=-3).update(seq=8)
    assert "seq=3" in str(broken())


def test_inserted_event_is_named(chain):
    for seq in range(10, 5, -1):
        Event.objects.filter(seq=seq).update(seq=seq + 1)
    forged = Event.objects.get(seq=5)
    forged.pk = None
    forged.seq = 6
    forged.actor_label = "intruder"
    forged.save()
    assert "seq=6" in str(broken())
    # The verdict could not be appended (the renumbered events took the next seq), but it was reported.
    assert not Event.objects.filter(verb="audit.verify").exists()


def test_removed_last_event_is_named(chain):
    EventSubject.objects.filter(event__seq=10).delete()
    Event.objects.filter(seq=10).delete()
    assert "seq=10" in str(broken())


def test_a_tampered_subject_index_is_named(chain):
    # The member's page would no longer show event 7 to person 7.
    EventSubject.objects.filter(event__seq=7, person_id=7).delete()
    error = broken()
    assert "seq=7" in str(error)
    assert "subject index does not match the people it names" in str(error)
    assert "(6 events before it are intact)" in str(error)
    last = Event.objects.order_by("-seq").first()
    assert last is not None and last.verb == "audit.verify"
    assert last.details["first_bad_seq"] == 7


def test_the_service_reports_progress_as_it_goes(chain):
    from polity.audit.services import audit_check

    calls: list[int] = []
    verdict = audit_check(actor=Actor.system("test"), progress=calls.append)
    assert verdict.ok and sum(calls) == verdict.checked == 10


def test_stats_show_length_and_verbs(org, chain):
    verify()
    out = io.StringIO()
    call_command("audit", "stats", stdout=out)
    text = out.getvalue()
    assert f"events: {Event.objects.count()}" in text
    assert "member.view" in text
    assert "last verified" in text
