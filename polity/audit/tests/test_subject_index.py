"""verify covers the subject index: a member's "who viewed my data" page cannot be emptied or filled in.

Each event's `subjects` are covered by its hash; the EventSubject rows the page reads are not, so verify
compares them with the people each event names and names the first event whose rows differ.
"""

import numpy as np
import pytest
from django.db import connection

from polity.audit.chain import audit_key, canonical, link, linker
from polity.audit.models import ChainHead, Event, EventSubject
from polity.audit.services import audit_record, audit_verify
from polity.audit.subject_digest import digest_rows, digest_texts, index_seed
from polity.common.actor import Actor

ACTOR = Actor(user_id=7, person_id=3, label="secretary")


@pytest.fixture
def chain(db):
    for i in range(1, 11):
        audit_record(actor=ACTOR, verb="members.list", subjects=[i, i + 100, i + 200], object_id=i)


def rows_of(seq):
    return EventSubject.objects.filter(event__seq=seq).order_by("person_id")


def broken_at(seq, **kwargs):
    verdict = audit_verify(**kwargs)
    assert (verdict.ok, verdict.first_bad_seq) == (False, seq), verdict
    return verdict


def test_an_intact_index_passes(chain):
    assert audit_verify().ok


def test_a_deleted_row_is_named(chain):
    rows_of(4).filter(person_id=104).delete()
    verdict = broken_at(4)
    assert "subject index does not match the people it names" in verdict.problem
    assert "hide it from 1 person it names" in verdict.problem
    assert verdict.checked == 3


def test_all_rows_of_an_event_deleted_is_named(chain):
    rows_of(7).delete()
    assert "hide it from 3 people" in broken_at(7).problem


def test_a_changed_person_is_named(chain):
    rows_of(5).filter(person_id=105).update(person_id=999)
    verdict = broken_at(5)
    assert "hide it from 1 person it names and show it to 1 person it does not name" in verdict.problem


def test_an_added_row_for_someone_the_event_does_not_name_is_named(chain):
    EventSubject.objects.create(event=Event.objects.get(seq=6), person_id=42)
    assert "show it to 1 person it does not name" in broken_at(6).problem


def test_a_duplicated_row_is_named(chain):
    EventSubject.objects.create(event=Event.objects.get(seq=2), person_id=102)
    assert "show it more than once to 1 person" in broken_at(2).problem


def test_two_compensating_changes_in_one_event_are_named(chain):
    # Same count, same sum of person ids: 3 -> 4 and 203 -> 202.
    rows_of(3).filter(person_id=3).update(person_id=4)
    rows_of(3).filter(person_id=203).update(person_id=202)
    broken_at(3)


def test_a_person_moved_between_events_both_ways_is_named(chain):
    # Swap person 108 (event 8) with person 109 (event 9): same rows overall, each event wrong.
    rows_of(8).filter(person_id=108).update(person_id=109)
    rows_of(9).filter(person_id=109).update(person_id=108)
    broken_at(8)


def test_a_row_moved_to_another_event_is_named(chain):
    EventSubject.objects.filter(event__seq=9, person_id=9).update(event=Event.objects.get(seq=2))
    broken_at(2)


def test_the_lowest_problem_is_named_index_before_chain(chain):
    rows_of(3).delete()
    Event.objects.filter(seq=6).update(actor_label="someone else")
    verdict = broken_at(3)
    assert "subject index" in verdict.problem


def test_the_lowest_problem_is_named_chain_before_index(chain):
    Event.objects.filter(seq=3).update(actor_label="someone else")
    rows_of(6).delete()
    assert "changed" in broken_at(3).problem


def test_at_the_same_event_the_chain_break_is_named(chain):
    Event.objects.filter(seq=5).update(subjects="5,105")  # the hash breaks, and the index now disagrees
    verdict = broken_at(5)
    assert "changed" in verdict.problem


def test_an_event_outside_the_chain_is_named(chain):
    fake = Event.objects.get(seq=4)
    fake.pk, fake.seq = None, 0
    fake.save()
    EventSubject.objects.create(event=fake, person_id=4)
    verdict = broken_at(0)
    assert "outside the chain" in verdict.problem


def many_events(n):
    for i in range(1, n + 1):
        audit_record(actor=ACTOR, verb="member.view", subjects=[i, i + 1000] if i % 7 else [], object_id=i)


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "split between processes"])
def test_many_events_in_chunks(transactional_db, parallel):
    """Below and above the parallel threshold (real processes on PostgreSQL or a database file)."""
    many_events(130)
    options = {"chunk": 20, "workers": 2, "parallel_from": 1 if parallel else 10**9}
    calls: list[int] = []
    verdict = audit_verify(progress=calls.append, **options)
    assert verdict.ok and verdict.checked == 130
    assert sum(calls) == 130
    assert len(calls) >= 7  # one report a chunk of 20 (in whichever order the processes send them)
    rows_of(117).filter(person_id=1117).delete()
    rows_of(33).filter(person_id=33).update(person_id=34)
    rows_of(34).filter(person_id=34).update(person_id=33)
    broken_at(33, **options)


def test_progress_adds_up_to_the_events_checked_when_broken(chain):
    rows_of(7).delete()
    calls: list[int] = []
    verdict = audit_verify(progress=calls.append, chunk=3)
    assert verdict.first_bad_seq == 7
    assert calls == [3, 3]  # chunks 1-3 and 4-6; the next one fails at its first event
    assert sum(calls) == verdict.checked


def test_the_digest_of_the_text_equals_the_digest_of_the_rows():
    seed = index_seed(b"k" * 32)
    ids, texts = [11, 12, 13, 14], [b"1,2,3", b"", b"4294967296,5", b"7"]
    pairs = [(11, 1), (11, 2), (11, 3), (13, 4294967296), (13, 5), (14, 7)]
    expected = digest_rows([e for e, _ in pairs], [p for _, p in pairs], seed)
    assert digest_texts(ids, texts, seed) == expected
    assert expected[0] == 6
    moved = digest_rows([11, 11, 11, 13, 14, 13], [1, 2, 3, 4294967296, 5, 7], seed)
    assert moved[0] == expected[0] and moved != expected


@pytest.mark.parametrize("text", [b"1,,2", b"1,2,", b"-1,2", b"1.5", b"99999999999999999999", b"1_0", b"x"])
def test_texts_that_are_not_plain_ids_are_left_to_the_exact_comparison(text):
    assert digest_texts([1], [text], 5) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL's own hash")
def test_the_digest_is_postgresqls_hash(db):
    values = [0, 1, 5, 2**31, 2**32 - 1, 2**32, 2**32 + 5, 2**62, -1, -5, -(2**33)]
    seeds = [0, 1, -1, 12345, 2**62 + 3, -(2**63)]
    pairs = [(v, s) for v in values for s in seeds]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(hashint8extended(v, s)) FROM unnest(%s::bigint[], %s::bigint[]) AS t(v, s)",
            [[v for v, _ in pairs], [s for _, s in pairs]],
        )
        total = int(cursor.fetchone()[0]) % 2**64
    from polity.audit.subject_digest import _sum

    ours = _sum(np.array([s for _, s in pairs], np.int64), np.ones(len(pairs), np.int64),
                np.array([v for v, _ in pairs], np.int64))  # fmt: skip
    assert ours == total


def test_the_fast_keyed_hash_is_hmac():
    key = audit_key()
    payload = canonical(
        1, "2026-11-24T09:38:01.123456+00:00", None, 3, "a\\b\x1fc", "v", "", "", "", "", "{}"
    )
    assert linker(key)("0" * 64, payload) == link(key, "0" * 64, payload)
    assert linker(b"x" * 100)("ab", b"c") == link(b"x" * 100, "ab", b"c")


def test_awkward_text_verifies_on_every_database(db):
    """PostgreSQL builds the canonical form in SQL: it must escape exactly as chain._text does."""
    for label in ["back\\slash", "sep\x1farator", "both \\\x1f\\\\", "ünïcödé ✓", "new\nline", "quote\"'"]:
        audit_record(actor=Actor(user_id=None, person_id=None, label=label), verb=label, purpose=label,
                     object_type=label, object_id=label, subjects=[1], data={"s": label})  # fmt: skip
    assert audit_verify().ok
    assert ChainHead.objects.get().seq == 6


def swap_ids(seq_a, seq_b):
    """Give two events each other's primary key (and move their index rows along): ids no longer follow seq."""
    a, b = (Event.objects.get(seq=s).pk for s in (seq_a, seq_b))
    for old, new in ((a, -a), (b, a), (-a, b)):
        Event.objects.filter(id=old).update(id=new)
        EventSubject.objects.filter(event_id=old).update(event_id=new)


def test_verdicts_hold_when_ids_do_not_follow_seq(chain):
    # With chunks of 3, events 1-3 have ids {1, 2, 4}: their id range also holds event 4's rows, so the
    # digest is taken through the events' seqs instead.
    swap_ids(3, 4)
    assert audit_verify(chunk=3).ok
    rows_of(4).filter(person_id=4).delete()
    broken_at(4, chunk=3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_the_walk_leaves_the_sessions_jit_setting_as_it_found_it(chain):
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
        assert audit_verify().ok
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"
