"""Walking the whole access log: the hash chain, and the subject index against the people events name.

The walk goes in chunks of consecutive events. For each chunk it checks every event's link and keyed hash
(polity.audit.chain), then compares a digest of the chunk's EventSubject rows, computed by the database,
with the same digest computed from the hashed `subjects` text (polity.audit.subject_digest). Only when the
two disagree does it fetch the chunk's rows and compare event by event, to name the first event whose
index rows differ from the people it names. A long chain is split between processes, one per core.

Which problem is named: the one at the lowest seq, whether the chain breaks there or the index disagrees;
at the same seq, the chain's break. An event numbered below 1 lies outside the chain and is named first.
Index rows whose event does not exist at all are not looked for: no page shows them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from itertools import groupby
from typing import Any

from django.db import DatabaseError, connection, connections

from polity.audit.chain import (
    ANONYMISE_VERB,
    FIELDS,
    SEP,
    Row,
    Stretch,
    Verdict,
    audit_key,
    canonical,
    join_stretches,
    verify_stretch,
)
from polity.audit.models import ChainHead, Event, EventSubject

# Below this many events one process verifies; above it, one process per core takes a share.
PARALLEL_THRESHOLD = 200_000
# Events fetched, hashed and index-checked at a time (and the step of the progress reports).
CHUNK = 20_000

Progress = Callable[[int], object]

_EVENTS, _SUBJECTS = Event._meta.db_table, EventSubject._meta.db_table
_SEP = SEP.encode()
# Rows as verify_stretch reads them: seq, canonical form, prev_hash, hash, id, anonymised_in.
_SELECT = (
    f"SELECT {', '.join(FIELDS)}, prev_hash, hash, id, anonymised_in FROM {_EVENTS} "  # noqa: S608 (constant names only)
    "WHERE seq >= %s AND seq <= %s ORDER BY seq"
)


def _escaped(column: str) -> str:
    """chain._text in SQL: double each backslash, then write the separator as the six characters \\u001f."""
    return rf"replace(replace({column}, E'\\', E'\\\\'), E'\x1f', E'\\u001f')"


# PostgreSQL builds the canonical text itself (chain.canonical_text, field for field), so the verifier
# receives one value an event instead of eleven to convert and join (about 2 µs of Python an event), in
# binary and as UTF-8 bytes: no decoding into str just to encode again for hashing.
_SELECT_POSTGRES = (
    "SELECT seq, convert_to(concat_ws(E'\\x1f', seq, "  # noqa: S608 (constant names only)
    """to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), """
    "coalesce(actor_user_id::text, ''), coalesce(actor_person_id::text, ''), "
    + ", ".join(_escaped(c) for c in ("actor_label", "verb", "purpose", "object_type", "object_id"))
    + f", subjects, data), 'UTF8'), prev_hash, hash, id, anonymised_in FROM {_EVENTS} "
    "WHERE seq >= %s AND seq <= %s ORDER BY seq"
)
_INDEX_FROM = (
    f"FROM {_SUBJECTS} s JOIN {_EVENTS} e ON e.id = s.event_id "  # noqa: S608
    "WHERE e.seq >= %s AND e.seq <= %s"
)
_INDEX_ROWS = f"SELECT e.seq, s.person_id {_INDEX_FROM} ORDER BY e.seq, s.person_id"  # noqa: S608
# The digest of a stretch's index rows, computed where they are (subject_digest explains the sum). The
# rows are found by their event ids' range when exactly the stretch's events have ids in that range (so
# far always: ids grow with seq), and through the events otherwise.
_HASH = "sum(hashint8extended(s.person_id, %s::bigint # s.event_id))"
_INDEX_DIGEST_BY_IDS = (
    f"SELECT (SELECT count(*) FROM {_EVENTS} WHERE id >= %s AND id <= %s), count(*), {_HASH} "  # noqa: S608
    f"FROM {_SUBJECTS} s WHERE s.event_id >= %s AND s.event_id <= %s"
)
_INDEX_DIGEST = f"SELECT count(*), {_HASH} {_INDEX_FROM}"  # noqa: S608
_INDEX_PAIRS = f"SELECT s.event_id, s.person_id {_INDEX_FROM}"  # noqa: S608


def _postgres(sql: str, params: Sequence[Any], *, binary: bool = False) -> list[Any]:
    """Run one query on PostgreSQL through psycopg's own cursor, with the values bound by the server.

    Django's cursors put the values into the statement's text and read text only; here results can come
    in binary, and the index seed never appears in the text a server's activity view or log shows.
    """
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as raw:
        raw.execute(sql, params, binary=binary)
        return raw.fetchall()


def _fetch(first: int, last: int) -> list[Row]:
    """Events first..last in seq order, through a raw cursor (no ORM per-row cost)."""
    if connection.vendor == "postgresql":
        return _postgres(_SELECT_POSTGRES, [first, last], binary=True)
    with connection.cursor() as cursor:
        cursor.execute(_SELECT, [first, last])
        return [(r[0], canonical(*r[:11]), r[11], r[12], r[13], r[14]) for r in cursor.fetchall()]


def _index_rows(first: int, last: int) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(_INDEX_ROWS, [first, last])
        rows: list[tuple[int, int]] = cursor.fetchall()
    return rows


def _index_digest(rows: Sequence[Row], seed: int) -> tuple[int, int]:
    """Count and keyed sum of the index rows of these consecutive events."""
    from polity.audit.subject_digest import digest_rows, from_database

    first, last = rows[0][0], rows[-1][0]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_INDEX_PAIRS, [first, last])
            pairs = cursor.fetchall()
        return digest_rows([e for e, _ in pairs], [p for _, p in pairs], seed)
    ids = [r[4] for r in rows]
    low, high = min(ids), max(ids)
    [(events, count, total)] = _postgres(_INDEX_DIGEST_BY_IDS, [low, high, seed, low, high])
    if events != len(rows):
        [(count, total)] = _postgres(_INDEX_DIGEST, [seed, first, last])
    return from_database(count, total)


def _subjects(payload: bytes) -> bytes:
    """An event's subjects from its canonical form, so the index is compared with exactly what was hashed.

    They are the last field but one; the last, `data`, is JSON, which writes no raw separator.
    """
    end = payload.rfind(_SEP)
    return payload[payload.rfind(_SEP, 0, end) + 1 : end]


def _named(text: bytes) -> list[int] | None:
    try:
        return sorted(int(s) for s in text.split(b",")) if text else []
    except ValueError:
        return None


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def _first_disagreement(rows: Sequence[Row]) -> tuple[int, str] | None:
    """The first of these events whose index rows are not exactly the people it names, and how."""
    indexed = {seq: [p for _, p in group] for seq, group in groupby(_index_rows(rows[0][0], rows[-1][0]),
                                                                      key=lambda r: r[0])}  # fmt: skip
    for row in rows:
        seq, text = row[0], _subjects(row[1])
        named, index = _named(text), indexed.get(seq, [])
        if named == index:
            continue
        if named is None:
            return seq, "its subjects are not a list of person ids, so no index can match them"
        hidden = len(set(named) - set(index))
        shown = len(set(index) - set(named))
        doubled = sum(1 for n in Counter(index).values() if n > 1)
        effects = []
        if hidden:
            effects.append(f"hide it from {_people(hidden)} it names")
        if shown:
            effects.append(f"show it to {_people(shown)} it does not name")
        if doubled:
            effects.append(f"show it more than once to {_people(doubled)}")
        return seq, (
            "its subject index does not match the people it names: the members' access log pages would "
            + " and ".join(effects)
        )
    return None


def _check_index(rows: Sequence[Row], seed: int) -> tuple[int, str] | None:
    """Compare the index rows of these consecutive events with their `subjects`; name the first mismatch."""
    from polity.audit.subject_digest import digest_texts

    if not rows:
        return None
    from_text = digest_texts([r[4] for r in rows], [_subjects(r[1]) for r in rows], seed)
    if from_text is not None and from_text == _index_digest(rows, seed):
        return None
    return _first_disagreement(rows)


def _check_range(bounds: tuple[int, int], chunk: int = CHUNK, report: Progress | None = None) -> Stretch:
    """Check events first..last, chunk by chunk; stop at the first broken link or disagreeing index.

    `report(n)` is called after each chunk with the number of its events found intact.
    """
    from polity.audit.subject_digest import index_seed

    first, last = bounds
    key = audit_key()
    seed = index_seed(key)
    expected, count, first_prev, prev = first, 0, "", None
    seals: dict[int, tuple[int, int, int]] = {}
    jit = None
    if connection.vendor == "postgresql":  # each query is small: compiling it would cost more than it saves
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit')")
            jit = cursor.fetchone()[0]
            cursor.execute("SET jit = off")
    try:
        start = first
        while start <= last:
            stop = min(last, start + chunk - 1)
            rows = _fetch(start, stop)
            part = verify_stretch(rows, key, expected, prev)
            if count == 0:
                first_prev = part.first_prev
            index_problem = _check_index(rows[: part.count], seed)
            if report is not None:  # the events up to the first problem, if any
                checked = part.count if index_problem is None else index_problem[0] - rows[0][0]
                if checked:
                    report(checked)
            if part.count:
                prev = part.last_hash
            for at, (acc, n, low) in part.seals.items():
                acc0, n0, low0 = seals.get(at, (0, 0, low))
                seals[at] = (acc0 ^ acc, n0 + n, min(low0, low))
            count += part.count
            expected += part.count
            if index_problem is not None or part.bad_seq is not None:
                index_seq, index_text = index_problem or (None, "")
                return Stretch(first, count, first_prev, prev or "", part.bad_seq, part.problem,
                               index_seq, index_text, seals)  # fmt: skip
            start = stop + 1
    finally:
        if jit is not None:  # (not possible in a failed transaction, whose error is the one to report)
            with suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT set_config('jit', %s, false)", [jit])
    return Stretch(first, count, first_prev, prev or "", seals=seals)


_reports: Any = None  # in a worker process: the queue its chunk counts go to


def _start_worker(reports: Any) -> None:
    global _reports
    _reports = reports


def _report(n: int) -> None:
    _reports.put(n)


def _check_range_in_worker(bounds: tuple[int, int], chunk: int) -> Stretch:
    return _check_range(bounds, chunk, _report)


def _outside_the_chain() -> int | None:
    """The lowest seq below 1, if an event has one: such an event was added outside the log."""
    return Event.objects.filter(seq__lt=1).order_by("seq").values_list("seq", flat=True).first()


def audit_verify(
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    chunk: int = CHUNK,
    parallel_from: int | None = None,
) -> Verdict:
    """Check the whole log and name the first event that was tampered with.

    An event is named if it was changed, removed, inserted or reordered, or if its subject index rows
    (what a member's "who viewed my data" page reads) are not exactly the people it names; the problem at
    the lowest seq is named. `progress(n)`, if given, is called while the walk goes on with the number of
    events just found intact: increments, one per chunk of `chunk` events, adding up to verdict.checked
    (when the log is broken, processes checking later stretches may add the events they checked past the
    problem). From `parallel_from` events (PARALLEL_THRESHOLD by default) the seq range is split between
    `workers` processes (one per core by default); their stretches are stitched together in order.
    """
    outside = _outside_the_chain()
    if outside is not None:
        return Verdict(False, 0, outside,
                       "its number lies outside the chain (events are numbered from 1): it was added "
                       "outside the log")  # fmt: skip
    head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    top = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    last = max(top, head[0] if head else 0)
    workers = workers or os.cpu_count() or 1
    threshold = PARALLEL_THRESHOLD if parallel_from is None else parallel_from
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    if last < threshold or workers == 1 or in_memory:
        return join_stretches([_check_range((1, last), chunk, progress)] if last else [], head, _sealed())
    size = -(-last // workers)
    ranges = [(start, min(last, start + size - 1)) for start in range(1, last + 1, size)]
    return join_stretches(_in_processes(ranges, chunk, progress), head, _sealed())


def _sealed() -> dict[int, tuple[int, int]]:
    """Each anonymisation's seal and count, as its event recorded them (decision 0031).

    Read before or after the walk alike: the walk checks these events' own hashes like any other's.
    """
    sealed: dict[int, tuple[int, int]] = {}
    for seq, data in Event.objects.filter(verb=ANONYMISE_VERB).values_list("seq", "data"):
        details = json.loads(data)
        try:
            sealed[seq] = (int(details["seal"], 16), int(details["events"]))
        except (KeyError, TypeError, ValueError):
            sealed[seq] = (-1, -1)  # matches nothing: the anonymised events it names are reported
    return sealed


def _in_processes(ranges: list[tuple[int, int]], chunk: int, progress: Progress | None) -> list[Stretch]:
    """Check each range in its own process; pass each chunk's count of events on to `progress` as it comes."""
    context = multiprocessing.get_context("fork")
    reports = context.Queue()
    connections.close_all()  # each process opens its own connection
    with ProcessPoolExecutor(
        len(ranges), mp_context=context, initializer=_start_worker, initargs=(reports,)
    ) as pool:
        futures = [pool.submit(_check_range_in_worker, r, chunk) for r in ranges]
        pending = set(futures)
        while pending:
            with suppress(queue.Empty):
                n = reports.get(timeout=0.1)
                if progress is not None:
                    progress(n)
            pending = {f for f in pending if not f.done()}
        stretches = [f.result() for f in futures]
    if progress is not None:  # what the last chunks reported while the loop above saw its workers finish
        with suppress(queue.Empty):
            while True:
                progress(reports.get(timeout=0.05))
    reports.close()
    return stretches
