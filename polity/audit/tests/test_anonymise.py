"""Anonymising events past the log's retention period keeps the chain verifiable, leaves held people's
events whole, and any tampering with anonymised events (or their marks) is still found (decision 0031)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from polity.audit import anonymise as anonymise_module
from polity.audit.anonymise import ChainBrokenError, audit_anonymise
from polity.audit.chain import ANONYMISE_VERB, ANONYMISED_LABEL
from polity.audit.models import Event, EventSubject
from polity.audit.services import audit_record, audit_verify
from polity.common.actor import Actor
from polity.common.errors import DomainError

OLD = datetime(2018, 3, 1, 12, tzinfo=UTC)
CUTOFF = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def log(db, monkeypatch):
    """Events 1-8 in 2018 (an officer viewing people 11..18, with 99 held among 15's), 9-10 recent."""
    officer = Actor(user_id=7, person_id=3, label="secretary")
    for i in range(1, 9):
        monkeypatch.setattr(timezone, "now", lambda i=i: OLD + timedelta(hours=i))
        subjects = [10 + i, 99] if i == 5 else [10 + i]
        audit_record(actor=officer, verb="member.view", subjects=subjects, purpose="test", object_type="person",
                     object_id=10 + i, data={"name": f"Person {i}"})  # fmt: skip
    monkeypatch.setattr(timezone, "now", lambda: OLD + timedelta(days=1))
    audit_record(actor=Actor.system(), verb="deadline.tick", data={"due": 2})  # names nobody
    monkeypatch.undo()
    for i in (9, 10):
        audit_record(actor=officer, verb="member.view", subjects=[10 + i], purpose="test")
    return officer


def _anonymise(chunk: int = 3):  # type: ignore[no-untyped-def]
    return audit_anonymise(actor=Actor.system(), before=CUTOFF, held={99}, chunk=chunk)


def test_old_events_lose_their_people_and_the_chain_still_verifies(log):
    report = _anonymise()
    assert (report.anonymised, report.held, report.seals) == (7, 1, 3)  # 8 old ones naming people; 5 held
    assert audit_verify().ok
    gone = Event.objects.filter(seq__in=[1, 2, 3, 4, 6, 7, 8])
    assert all(e.anonymised_in is not None and e.anonymised_in > e.seq for e in gone)
    assert set(
        gone.values_list("actor_label", "actor_user_id", "actor_person_id", "subjects", "object_id")
    ) == {(ANONYMISED_LABEL, None, None, "", "")}
    assert all("Person" not in e.data for e in gone)
    # Nobody finds them on "who viewed my data" any more; the held person's event and recent ones are whole.
    assert not EventSubject.objects.filter(event__in=gone).exists()
    held = Event.objects.get(seq=5)
    assert (held.anonymised_in, held.subjects, held.actor_person_id) == (None, "15,99", 3)
    assert EventSubject.objects.filter(event=held).count() == 2
    assert Event.objects.get(subjects="19").anonymised_in is None
    assert Event.objects.get(verb="deadline.tick").anonymised_in is None  # named nobody: nothing to remove
    # The seals are events of the chain, with their counts.
    seals = list(Event.objects.filter(verb=ANONYMISE_VERB).order_by("seq"))
    assert sum(e.details["events"] for e in seals) == 7
    assert all(e.subjects == "" and e.actor_person_id is None for e in seals)
    # A second run finds nothing new to anonymise, and the chain still verifies.
    assert _anonymise().anonymised == 0
    assert audit_verify().ok


def test_verification_across_chunks_and_stretches(log):
    from polity.audit import verification
    from polity.audit.chain import join_stretches
    from polity.audit.models import ChainHead

    _anonymise(chunk=2)
    assert audit_verify(chunk=2).ok
    head = ChainHead.objects.values_list("seq", "hash").get()
    stretches = [verification._check_range(r, chunk=2) for r in [(1, 4), (5, 9), (10, head[0])]]
    assert join_stretches(stretches, head, verification._sealed()).ok


def test_a_changed_anonymised_event_is_found(log):
    _anonymise()
    e = Event.objects.get(seq=2)
    Event.objects.filter(seq=2).update(purpose="rewritten")
    verdict = audit_verify()
    assert not verdict.ok and verdict.first_bad_seq == e.anonymised_in
    assert "no longer match its seal" in verdict.problem


def test_marking_a_whole_event_as_anonymised_is_found(log):
    _anonymise()
    recent = Event.objects.get(subjects="19")
    seal = Event.objects.filter(verb=ANONYMISE_VERB).order_by("seq").first()
    # Someone hides a recent view from the member by blanking it and borrowing an existing seal's mark.
    Event.objects.filter(pk=recent.pk).update(subjects="", anonymised_in=seal.seq)
    EventSubject.objects.filter(event=recent).delete()
    verdict = audit_verify()
    assert not verdict.ok and verdict.first_bad_seq in (recent.seq, seal.seq)
    # A mark must come after the event it marks.
    Event.objects.filter(pk=recent.pk).update(anonymised_in=recent.seq)
    verdict = audit_verify()
    assert not verdict.ok and verdict.first_bad_seq == recent.seq and "does not come after" in verdict.problem


def test_removing_a_mark_is_found(log):
    _anonymise()
    Event.objects.filter(seq=3).update(anonymised_in=None)
    verdict = audit_verify()
    assert not verdict.ok and verdict.first_bad_seq == 3 and "changed" in verdict.problem


def test_a_mark_pointing_at_no_anonymisation_is_found(log):
    _anonymise()
    head = Event.objects.order_by("-seq").first()
    audit_record(actor=Actor.system(), verb="deadline.tick")  # a later event that is not a seal
    Event.objects.filter(seq=3).update(anonymised_in=head.seq + 1)
    verdict = audit_verify()
    assert not verdict.ok and "recorded no anonymisation" in verdict.problem


def test_a_tampered_event_is_never_sealed(log):
    Event.objects.filter(seq=4).update(data='{"name":"Someone else"}')
    with pytest.raises(ChainBrokenError, match="#4"):
        _anonymise(chunk=100)
    assert not Event.objects.filter(anonymised_in__isnull=False).exists()  # the chunk rolled back whole
    assert audit_verify().first_bad_seq == 4


def test_only_the_system_anonymises(log):
    with pytest.raises(DomainError):
        audit_anonymise(actor=log, before=CUTOFF, held=())


def test_default_chunk_is_bounded():
    assert 0 < anonymise_module.CHUNK <= 10_000
