"""Writing to and checking the access log. Every domain app records through `audit_record`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from polity.audit.chain import (
    GENESIS,
    Verdict,
    audit_key,
    canonical,
    decode_subjects,
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
        append = _append_postgres if connection.in_atomic_block else _append_postgres_alone
        event = append(actor, verb, subject_text, purpose, object_type, object_id, data)
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
# One round trip for the event, its subject index rows and the new head (after the head's row lock).
_APPEND = (
    f"WITH e AS (INSERT INTO {Event._meta.db_table} ({', '.join(_EVENT_FIELDS)}, prev_hash, hash) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * (len(_EVENT_FIELDS) + 2))}) RETURNING id), "
    f"s AS (INSERT INTO {EventSubject._meta.db_table} (event_id, person_id) "
    "SELECT e.id, p FROM e, unnest(%s::bigint[]) AS p), "
    f"h AS (UPDATE {ChainHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1) "
    "SELECT id FROM e"
)


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


def _linked(head: tuple[int, str], fields: dict[str, Any]) -> tuple[str, list[Any]]:
    """The event's hash, linked to the head's, and the parameters of `_APPEND` that write it."""
    digest = link(audit_key(), head[1], canonical(**fields))
    values = [fields[name] for name in _EVENT_FIELDS]
    return digest, [*values, head[1], digest, decode_subjects(fields["subjects"]), fields["seq"], digest]


def _appended(event_id: int, prev_hash: str, digest: str, fields: dict[str, Any]) -> Event:
    event = Event(pk=event_id, prev_hash=prev_hash, hash=digest, **fields)
    event._state.adding, event._state.db = False, connection.alias
    return event


_OPEN = (psycopg.pq.TransactionStatus.INTRANS, psycopg.pq.TransactionStatus.INERROR)


def _append_postgres_alone(
    actor: Actor,
    verb: str,
    subject_text: str,
    purpose: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None,
) -> Event | None:
    """audit_record on PostgreSQL outside any transaction (a read's record): two round trips in all.

    The transaction is opened with the head's lock and committed with the append, each pair sent as one
    string (Django's client-side-binding cursor sends it in one message), instead of BEGIN, lock, append
    and COMMIT one by one. It stays one transaction: the event, its subject index rows and the new head
    are written together or not at all. Returns None (nothing written) when there is no chain head yet
    or when the connection binds parameters on the server, where multi-statement strings are refused.
    """
    with connection.cursor() as cursor:
        raw = connection.connection
        if not isinstance(cursor.cursor, psycopg.ClientCursor) or raw is None:
            return None
        try:
            cursor.execute(f"BEGIN; SELECT seq, hash FROM {ChainHead._meta.db_table} WHERE id = 1 FOR UPDATE")  # noqa: S608
            cursor.nextset()
            head = cursor.fetchone()
            if head is None:
                cursor.execute("ROLLBACK")
                return None
            fields = _event_fields(
                actor, head[0] + 1, verb, subject_text, purpose, object_type, object_id, data
            )
            digest, params = _linked(head, fields)
            cursor.execute(_APPEND + "; COMMIT", params)
            event_id = cursor.fetchone()[0]
        except BaseException:
            if raw.info.transaction_status in _OPEN:  # not on a broken connection: the error must surface
                raw.rollback()
            raise
    return _appended(event_id, head[1], digest, fields)


def _append_postgres(
    actor: Actor,
    verb: str,
    subject_text: str,
    purpose: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None,
) -> Event | None:
    """audit_record on PostgreSQL in three round trips (lock the head, append, commit) instead of six.

    Returns None when there is no chain head yet; the general path then creates it.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {ChainHead._meta.db_table} WHERE id = 1 FOR UPDATE")  # noqa: S608
        head = cursor.fetchone()
        if head is None:
            return None
        fields = _event_fields(actor, head[0] + 1, verb, subject_text, purpose, object_type, object_id, data)
        digest, params = _linked(head, fields)
        cursor.execute(_APPEND, params)
        event_id = cursor.fetchone()[0]
    return _appended(event_id, head[1], digest, fields)


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
