"""Appending to the log outside a transaction (a page's read): one transaction, all or nothing, linear.

On PostgreSQL the append is one statement that writes only if the head is still the one this thread last
saw (else it answers the real head, and the next try links to that); elsewhere the general path. Both must
leave the same chain, and neither may leave half an event, an open transaction or a wrong link.
"""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from polity.audit.models import ChainHead, Event, EventSubject
from polity.audit.services import audit_record, audit_verify
from polity.common.actor import Actor

ACTOR = Actor(user_id=7, person_id=3, label="secretary")
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement append exists only on PostgreSQL"
)


def _read(subjects: list[int]) -> Event:
    return audit_record(
        actor=ACTOR,
        verb="members.list",
        subjects=subjects,
        purpose="members list",
        object_type="unit",
        object_id=5,
        data={"page": 1, "shown": len(subjects)},
    )


def _refuse_index_rows() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_eventsubject "
                "FOR EACH ROW EXECUTE FUNCTION audit_test_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_eventsubject "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )


def _allow_index_rows() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER audit_test_refuse"
            + (" ON audit_eventsubject" if connection.vendor == "postgresql" else "")
        )
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION audit_test_refuse()")


@pytest.mark.django_db(transaction=True)
def test_a_read_outside_a_transaction_is_appended_and_committed():
    first = _read([])  # creates the chain head on the general path
    with CaptureQueriesContext(connection) as queries:
        event = _read([11, 12, 13])
    assert event.seq == first.seq + 1
    assert event.prev_hash == first.hash
    stored = Event.objects.get(seq=event.seq)
    assert (stored.hash, stored.subjects) == (event.hash, "11,12,13")
    assert sorted(EventSubject.objects.filter(event=stored).values_list("person_id", flat=True)) == [
        11,
        12,
        13,
    ]
    assert ChainHead.objects.get().seq == event.seq
    assert audit_verify().ok
    assert not connection.in_atomic_block
    if connection.vendor == "postgresql":
        assert len(queries) == 2, [q["sql"][:60] for q in queries]  # read the head, append
        assert connection.connection.info.transaction_status.name == "IDLE"
        with CaptureQueriesContext(connection) as queries:
            third = _read([14])
        assert len(queries) == 1  # the head this thread wrote is still the head: one statement
        assert third.prev_hash == event.hash


@pytest.mark.django_db(transaction=True)
def test_a_failed_append_writes_nothing_and_leaves_the_connection_usable():
    before = _read([1])
    _refuse_index_rows()
    try:
        with pytest.raises(Exception, match="refused by the test"):
            _read([21, 22])
        if connection.vendor == "postgresql":
            assert connection.connection.info.transaction_status.name == "IDLE"
        assert Event.objects.count() == 1  # neither the event nor the head moved: no half-written append
        assert ChainHead.objects.get().seq == before.seq
    finally:
        _allow_index_rows()
    after = _read([21, 22])
    assert after.seq == before.seq + 1
    assert after.prev_hash == before.hash
    assert audit_verify().ok


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_keep_the_chain_linear():
    _read([])
    errors: list[BaseException] = []

    def reader(offset: int) -> None:
        try:
            for i in range(25):
                _read([offset * 100 + i, offset * 100 + i + 1])
        except BaseException as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(Event.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 102))
    assert EventSubject.objects.count() == 200
    verdict = audit_verify()
    assert verdict.ok, str(verdict)
    assert verdict.checked == 101


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_stale_guess_of_the_head_writes_nothing_and_links_to_the_real_head():
    mine = _read([1])
    mine = _read([2])  # this thread now guesses the head is `mine`

    def elsewhere() -> None:  # another writer (its own connection) moves the head on
        try:
            _read([3])
            _read([4])
        finally:
            connections.close_all()

    other = threading.Thread(target=elsewhere)
    other.start()
    other.join()
    with CaptureQueriesContext(connection) as queries:
        event = _read([5])
    assert len(queries) == 2  # the guess missed (nothing written) and the second try linked to the real head
    events = list(Event.objects.order_by("seq"))
    assert [e.subjects for e in events] == ["1", "2", "3", "4", "5"]
    assert event.seq == mine.seq + 3
    assert event.prev_hash == events[3].hash
    assert EventSubject.objects.count() == 5
    assert audit_verify().ok


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_after_repeated_misses_the_append_takes_the_heads_lock(monkeypatch):
    from polity.audit import services

    _read([1])
    services._known.__dict__["default"] = (999, "f" * 64)  # a guess that can never match
    monkeypatch.setattr(services, "OPTIMISTIC_TRIES", 1)
    with CaptureQueriesContext(connection) as queries:
        event = _read([2])
    sql = [q["sql"] for q in queries]
    assert any("FOR UPDATE" in q for q in sql), sql
    assert event.seq == 2
    assert audit_verify().ok
