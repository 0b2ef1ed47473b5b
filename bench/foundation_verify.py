"""`polity audit verify` over 1,000,000 events (target: <= 10 s on PostgreSQL).

    DATABASE_URL=postgres://... python bench/foundation_verify.py [--events 1000000] [--seed 1]

Tops the access log up to --events with realistic read events (a members page naming 50 people, a
record opened), chained correctly with polity.audit.chain and written with COPY, fills in their subject
index rows (EventSubject, ~40 per event on average, which verify checks too), then times audit_verify()
in this process and `polity audit verify` as a fresh command.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from datetime import timedelta

from foundation_common import ROOT, CpuClock, machine, setup


def top_up(target: int, seed: int) -> int:
    from django.db import transaction
    from django.utils import timezone

    from polity.audit.chain import GENESIS, audit_key, canonical, encode_data, encode_subjects, link
    from polity.audit.models import ChainHead, Event
    from polity.members.bulkload import copy_rows

    fields = [
        "seq",
        "occurred_at",
        "actor_user_id",
        "actor_person_id",
        "actor_label",
        "verb",
        "purpose",
        "object_type",
        "object_id",
        "subjects",
        "data",
        "prev_hash",
        "hash",
    ]
    rng = random.Random(seed)
    key = audit_key()
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
        missing = target - seq
        if missing <= 0:
            return 0
        start = timezone.now() - timedelta(seconds=missing)

        def rows():  # type: ignore[no-untyped-def]
            nonlocal seq, prev
            for i in range(missing):
                seq += 1
                when = start + timedelta(seconds=i)
                user = rng.randrange(1, 8)
                if rng.random() < 0.8:
                    first = rng.randrange(1, 499_950)
                    verb, purpose, obj_type, obj_id = (
                        "members.list",
                        "members list",
                        "unit",
                        str(rng.randrange(1, 3000)),
                    )
                    subjects = encode_subjects(range(first, first + 50))
                    data = encode_data({"channel": "web", "page": 1, "q": True, "shown": 50, "status": ""})
                else:
                    person = rng.randrange(1, 500_000)
                    verb, purpose, obj_type, obj_id = "member.view", "member record", "person", str(person)
                    subjects = encode_subjects([person])
                    data = encode_data({"channel": "web"})
                values = (
                    seq,
                    when,
                    user,
                    user,
                    f"user{user}",
                    verb,
                    purpose,
                    obj_type,
                    obj_id,
                    subjects,
                    data,
                )
                digest = link(key, prev, canonical(*values))
                yield (*values, prev, digest)
                prev = digest

        copy_rows(Event, fields, rows())
        ChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})
    return missing


def fill_subject_index() -> int:
    """Write the EventSubject rows of every event that names people but has none (as audit_record would).

    The rows are derived from each event's hashed `subjects` text in one server-side statement, the way
    audit_record's PostgreSQL path writes them; it also completes databases built before the benchmark
    wrote the index. For tens of millions of rows the secondary indexes and the foreign key are dropped
    during the load and built again afterwards (one sort each instead of a random insert per row).
    """
    from django.db import connection, transaction

    from polity.audit.models import Event, EventSubject
    from polity.members.bulkload import foreign_keys_checked_at_end

    events, subjects = Event._meta.db_table, EventSubject._meta.db_table
    missing_sql = (
        f"FROM {events} e WHERE e.subjects <> '' "  # noqa: S608 (table names only)
        f"AND NOT EXISTS (SELECT 1 FROM {subjects} s WHERE s.event_id = e.id)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {missing_sql}")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [subjects, "%_pkey"],
        )
        indexes = cursor.fetchall()
        with foreign_keys_checked_at_end(EventSubject):
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute(
                f"INSERT INTO {subjects} (event_id, person_id) "  # noqa: S608
                f"SELECT e.id, p::bigint FROM (SELECT e.id, e.subjects {missing_sql} ORDER BY e.id) e, "
                "unnest(string_to_array(e.subjects, ',')) AS p"
            )
            added = cursor.rowcount
            for _name, definition in indexes:
                cursor.execute(definition)
        cursor.execute(f"ANALYZE {subjects}")
    return added


def vacuum_analyze() -> None:
    """Give the planner statistics for the freshly loaded tables, as autovacuum would before long.

    Without them PostgreSQL guesses the log holds a few rows and reads each chunk of a million-event log
    through a bitmap scan and an on-disk sort, which is not what a running system does.
    """
    from django.db import connection

    from polity.audit.models import Event, EventSubject

    with connection.cursor() as cursor:
        for model in (Event, EventSubject):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup()
    from polity.audit.services import audit_verify

    print(machine())
    started = time.perf_counter()
    added = top_up(args.events, args.seed)
    print(f"added {added:,} chained events in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rows = fill_subject_index()
    print(f"added {rows:,} subject index rows in {time.perf_counter() - started:.1f} s")
    vacuum_analyze()

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with CpuClock() as clock:
        verdict = audit_verify()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(
        f"audit_verify(): {verdict} in {clock.wall:.1f} s wall (CPU: {clock.client + workers:.1f} s in Python)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "polity.cli", "audit", "verify"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    print(f"`polity audit verify`: exit {done.returncode}, {elapsed:.1f} s wall: {done.stdout.strip()}")
    print(f"target <= 10 s: {'met' if elapsed <= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
