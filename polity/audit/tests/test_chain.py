"""The log is tamper-evident: every kind of tampering is found and the first bad event is named."""

import pytest
from django.db import connection

from polity.audit.models import ChainHead, Event, EventSubject
from polity.audit.services import audit_record, audit_verify
from polity.common.actor import Actor


@pytest.fixture
def chain(db):
    actor = Actor(user_id=7, person_id=3, label="secretary")
    for i in range(1, 11):
        audit_record(
            actor=actor,
            verb="member.view",
            subjects=[i, i + 100],
            purpose="test",
            object_type="person",
            object_id=i,
            data={"i": i},
        )
    return actor


def test_intact_chain_verifies(chain):
    verdict = audit_verify()
    assert verdict.ok
    assert verdict.checked == 10
    assert ChainHead.objects.get().seq == 10


def test_events_link_to_their_predecessor(chain):
    events = list(Event.objects.order_by("seq"))
    assert events[0].prev_hash == "0" * 64
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash


def test_changed_event_is_named(chain):
    Event.objects.filter(seq=4).update(actor_label="someone else")
    verdict = audit_verify()
    assert not verdict.ok
    assert verdict.first_bad_seq == 4
    assert "changed" in verdict.problem


def test_changed_subjects_are_found(chain):
    Event.objects.filter(seq=6).update(subjects="1")
    assert audit_verify().first_bad_seq == 6


def test_removed_event_is_named(chain):
    EventSubject.objects.filter(event__seq=5).delete()
    Event.objects.filter(seq=5).delete()
    verdict = audit_verify()
    assert not verdict.ok
    assert verdict.first_bad_seq == 5
    assert "missing" in verdict.problem


def test_removed_last_event_is_found_by_the_head(chain):
    EventSubject.objects.filter(event__seq=10).delete()
    Event.objects.filter(seq=10).delete()
    verdict = audit_verify()
    assert not verdict.ok
    assert verdict.first_bad_seq == 10


def test_reordered_events_are_named(chain):
    # Swap the contents of events 3 and 7 (keeping their seq numbers): order is part of the chain.
    a, b = Event.objects.get(seq=3), Event.objects.get(seq=7)
    fields = ["occurred_at", "actor_label", "verb", "object_id", "subjects", "data", "prev_hash", "hash"]
    va, vb = {f: getattr(a, f) for f in fields}, {f: getattr(b, f) for f in fields}
    Event.objects.filter(seq=3).update(**vb)
    Event.objects.filter(seq=7).update(**va)
    verdict = audit_verify()
    assert not verdict.ok
    assert verdict.first_bad_seq == 3


def test_inserted_event_is_named(chain):
    # Make room after 5 and insert a forged event with a plausible but unkeyed hash.
    for seq in range(10, 5, -1):
        Event.objects.filter(seq=seq).update(seq=seq + 1)
    e5 = Event.objects.get(seq=5)
    Event.objects.create(
        seq=6,
        occurred_at=e5.occurred_at,
        actor_label="forger",
        verb="member.view",
        subjects="",
        data="{}",
        prev_hash=e5.hash,
        hash="f" * 64,
    )
    verdict = audit_verify()
    assert not verdict.ok
    assert verdict.first_bad_seq == 6


def test_recomputed_forgery_without_the_key_fails(chain, settings):
    # Someone with database access rewrites an event and recomputes a plain SHA-256: the key is missing.
    import hashlib

    e = Event.objects.get(seq=2)
    forged = hashlib.sha256(b"forged").hexdigest()
    Event.objects.filter(seq=2).update(actor_label="x", hash=forged)
    Event.objects.filter(seq=3).update(prev_hash=forged)
    verdict = audit_verify()
    assert not verdict.ok
    assert verdict.first_bad_seq == 2
    assert e.hash != forged


def test_events_survive_a_transaction_rollback_only_together(db):
    from django.db import transaction

    actor = Actor.system()
    audit_record(actor=actor, verb="a")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=actor, verb="b")
        raise RuntimeError
    audit_record(actor=actor, verb="c")
    assert list(Event.objects.values_list("verb", flat=True)) == ["a", "c"]
    assert audit_verify().ok
    assert connection.vendor in {"sqlite", "postgresql"}


def test_parallel_verification_agrees_and_names_the_event(chain, monkeypatch, transactional_db):
    """The multi-process path gives the same verdicts as one process (needs a database file, not memory)."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The in-memory test database cannot be shared with other processes: the stretches are checked
        # one after another in this process, exercising the same split-and-stitch code.
        from polity.audit import verification
        from polity.audit.chain import join_stretches
        from polity.audit.models import ChainHead

        head = ChainHead.objects.values_list("seq", "hash").get()
        stretches = [verification._check_range(r) for r in [(1, 3), (4, 7), (8, 10)]]
        assert join_stretches(stretches, head).ok
        Event.objects.filter(seq=5).update(verb="tampered")
        stretches = [verification._check_range(r) for r in [(1, 3), (4, 7), (8, 10)]]
        assert join_stretches(stretches, head).first_bad_seq == 5
        return
    assert audit_verify(workers=3, parallel_from=1).ok
    Event.objects.filter(seq=8).update(verb="tampered")
    verdict = audit_verify(workers=3, parallel_from=1)
    assert (verdict.ok, verdict.first_bad_seq) == (False, 8)
