"""Writing to and checking the access log. Every domain app records through `audit_record`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from polity.audit.chain import (
    GENESIS,
    Verdict,
    audit_key,
    canonical,
    encode_data,
    encode_subjects,
    link,
)
from polity.audit.models import ChainHead, Event, EventSubject
from polity.audit.verification import audit_verify
from polity.common.actor import Actor

__all__ = ["audit_check", "audit_record", "audit_verify"]


def audit_record(
    *,
    actor: Actor,
    verb: str,
    subjects: Iterable[int] = (),
    purpose: str = "",
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event to the chain, inside the caller's transaction when there is one.

    The chain head row is locked for the append, so concurrent writers queue and the chain stays linear.
    """
    subject_text = encode_subjects(subjects)
    if connection.vendor == "postgresql":
        event = _append_postgres(actor, verb, subject_text, purpose, object_type, object_id, data)
        if event is not None:
            return event
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            ChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
            head = ChainHead.objects.select_for_update().get(pk=1)
        fields = _event_fields(actor, head.seq + 1, verb, subject_text, purpose, object_type, object_id, data)
        digest = link(audit_key(), head.hash, canonical(**fields))
        event = Event.objects.create(prev_hash=head.hash, hash=digest, **fields)
        if subject_text:
            EventSubject.objects.bulk_create(
                [EventSubject(event=event, person_id=p) for p in event.subject_ids]
            )
        head.seq, head.hash = event.seq, digest
        head.save(update_fields=["seq", "hash"])
    return event


_EVENT_FIELDS = (
    "seq", "occurred_at", "actor_user_id", "actor_person_id", "actor_label", "verb", "purpose",
    "object_type", "object_id", "subjects", "data",
)  # fmt: skip
_HEAD = ChainHead._meta.db_table
# One statement appends the event, its subject index rows and the new head, *if* the head is still the one
# the event was linked to; either way it answers the head as it stood (so a stale guess is corrected).
_APPEND = (
    f"WITH h AS (UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = 1 AND seq = %s AND hash = %s "  # noqa: S608
    "RETURNING id), "
    f"e AS (INSERT INTO {Event._meta.db_table} ({', '.join(_EVENT_FIELDS)}, prev_hash, hash) "
    f"SELECT {', '.join(['%s'] * (len(_EVENT_FIELDS) + 2))} FROM h RETURNING id), "
    f"s AS (INSERT INTO {EventSubject._meta.db_table} (event_id, person_id) "
    "SELECT e.id, p::bigint FROM e, unnest(string_to_array(NULLIF(%s, ''), ',')) AS p) "
    f"SELECT (SELECT id FROM e), c.seq, c.hash FROM {_HEAD} c WHERE c.id = 1"
)
# Guesses tried before the append takes the head's lock instead (several writers appending at once).
OPTIMISTIC_TRIES = 3

_known = threading.local()  # per thread: database alias -> the head this thread last wrote or saw


def _event_fields(actor: Actor, seq: int, verb: str, subject_text: str, purpose: str, object_type: str,
                  object_id: str | int, data: dict[str, Any] | None) -> dict[str, Any]:  # fmt: skip
    return {
        "seq": seq,
        "occurred_at": timezone.now(),
        "actor_user_id": actor.user_id,
        "actor_person_id": actor.person_id,
        "actor_label": actor.label,
        "verb": verb,
        "purpose": purpose,
        "object_type": object_type,
        "object_id": str(object_id),
        "subjects": subject_text,
        "data": encode_data(data),
    }


def _append_postgres(
    actor: Actor,
    verb: str,
    subject_text: str,
    purpose: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None,
    *,
    locked: bool = False,
) -> Event | None:
    """audit_record on PostgreSQL: usually one round trip, and one statement (so one transaction alone).

    The event is linked to the head this thread last wrote or saw, and written only if the head is still
    that one: the statement updates the head on that condition, so a stale guess writes nothing and
    returns the real head, to link to next. No event can be linked to anything but the head it follows.
    After OPTIMISTIC_TRIES misses (other writers keep appending) it locks the head's row first (`locked`),
    which cannot miss. Inside the caller's transaction it runs in a savepoint, as the general path does.
    Returns None when there is no chain head yet; the general path then creates it.
    """
    guesses: dict[str, tuple[int, str]] = _known.__dict__
    with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
        head = None if locked else guesses.get(connection.alias)
        for _attempt in range(1 if locked else OPTIMISTIC_TRIES):
            if head is None:
                cursor.execute(f"SELECT seq, hash FROM {_HEAD} WHERE id = 1{' FOR UPDATE' if locked else ''}")  # noqa: S608
                head = cursor.fetchone()
                if head is None:
                    return None
            fields = _event_fields(
                actor, head[0] + 1, verb, subject_text, purpose, object_type, object_id, data
            )
            digest = link(audit_key(), head[1], canonical(**fields))
            values = [fields[name] for name in _EVENT_FIELDS]
            cursor.execute(
                _APPEND, [fields["seq"], digest, head[0], head[1], *values, head[1], digest, subject_text]
            )
            row = cursor.fetchone()
            if row is None:  # the head itself is gone: the general path recreates it
                guesses.pop(connection.alias, None)
                return None
            if row[0] is not None:
                guesses[connection.alias] = (fields["seq"], digest)
                event = Event(pk=row[0], prev_hash=head[1], hash=digest, **fields)
                event._state.adding, event._state.db = False, connection.alias
                return event
            head = (row[1], row[2])
    if locked:  # under the head's lock the guess is the head: a miss means the head row is not ours to lock
        raise RuntimeError("the access log's head changed under its lock")
    with transaction.atomic():
        return _append_postgres(actor, verb, subject_text, purpose, object_type, object_id, data, locked=True)


def audit_check(*, actor: Actor, progress: Callable[[int], object] | None = None) -> Verdict:
    """Verify the chain on request of a holder of Perm.AUDIT_VIEW (or the system); record the verdict.

    The last recorded verdict (verb audit.verify) is what the audit status page shows. `progress`, if
    given, is called as the walk goes on with the number of events just found intact (increments, one
    per chunk; see audit_verify), so a caller can show a moving bar.
    """
    from polity.access.perms import Perm  # audit's models and chain stay free of domain imports
    from polity.access.policy import require

    if not actor.is_system:
        require(actor, Perm.AUDIT_VIEW)
    verdict = audit_verify(progress=progress)
    try:
        audit_record(
            actor=actor,
            verb="audit.verify",
            data={
                "ok": verdict.ok,
                "checked": verdict.checked,
                "first_bad_seq": verdict.first_bad_seq,
                "problem": verdict.problem,
                "summary": str(verdict),
            },
        )
    except IntegrityError:
        # Events renumbered behind the head's back (an insertion) can take the next seq: the verdict
        # already names them, and must reach the caller even though it cannot be appended.
        if verdict.ok:
            raise
    return verdict
