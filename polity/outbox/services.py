"""Writes of the outbox: create a dispatch and its rows, record bounces and unsubscribes.

`dispatch_create` is an internal service: it is called by other services (comms' message send, cases'
notices) after THEY have checked the actor's permission over the audience. No interface calls it. It
writes one row per recipient in bulk, one audit event with counts, and starts delivery on commit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.members.models import Person
from polity.outbox.conf import outbox_int
from polity.outbox.models import Channel, Dispatch, OutboxEntry, State
from polity.outbox.rendering import check_template

ENTRY_TABLE = OutboxEntry._meta.db_table
PERSON_TABLE = Person._meta.db_table
_COLUMNS = "dispatch_id, person_id, state, skip_reason, attempts, next_attempt_at, last_error"
# Table names come from model metadata and every value is a parameter: no input reaches the SQL text.
_INSERT = f"INSERT INTO {ENTRY_TABLE} ({_COLUMNS}) "  # noqa: S608
_VALUES = "SELECT %s, {pid}, %s, '', 0, %s, '' "
_PG_IDS = (
    _INSERT
    + _VALUES.format(pid="p.id")
    + f"FROM {PERSON_TABLE} p WHERE p.id = ANY(%s::bigint[]) "  # noqa: S608
    + "ON CONFLICT (dispatch_id, person_id) DO NOTHING"
)
_SQLITE_IDS = (
    "INSERT OR IGNORE" + _INSERT[len("INSERT") :] + _VALUES.format(pid="p.id") + f"FROM {PERSON_TABLE} p "
)


def dispatch_create(
    *,
    actor: Actor,
    purpose: str,
    channel: str,
    subject: str,
    body: str,
    person_ids: Iterable[int] | QuerySet[Any],
    source_type: str,
    source_id: int | str,
    context: Mapping[str, str] | None = None,
) -> Dispatch:
    """Queue one message to many people. Returns the Dispatch; delivery starts when the caller commits.

    `person_ids` may be a QuerySet (of Person, or of their ids): the rows are then written by one
    INSERT ... SELECT and no id ever enters Python. Any other iterable is consumed in chunks, so memory
    stays flat at any audience size. Ids of people who do not exist, and repeats, are dropped.
    """
    if channel not in Channel.values:
        raise InvalidInput(f"unknown channel {channel!r}")
    if not purpose or not source_type:
        raise InvalidInput("a dispatch needs a purpose and a source")
    if channel == Channel.EMAIL and not subject.strip():
        raise InvalidInput("an email needs a subject")
    ctx = {str(k): str(v) for k, v in (context or {}).items()}
    check_template(subject=subject, body=body, context=ctx)
    now = timezone.now()
    with transaction.atomic():
        dispatch = Dispatch.objects.create(
            purpose=purpose,
            channel=channel,
            subject=subject,
            body=body,
            context=ctx,
            source_type=source_type,
            source_id=str(source_id),
            created_by=actor.label,
            created_at=now,
        )
        if isinstance(person_ids, QuerySet):
            total = _insert_from_queryset(dispatch.pk, person_ids, now)
        else:
            total = _insert_from_ids(dispatch.pk, person_ids, now)
        dispatch.total = total
        dispatch.save(update_fields=["total"])
        audit_record(
            actor=actor,
            verb="outbox.dispatch_create",
            purpose=purpose,
            object_type="outbox.dispatch",
            object_id=dispatch.pk,
            data={
                "channel": channel,
                "recipients": total,
                "source_type": source_type,
                "source_id": str(source_id),
            },
        )
        dispatch_id = dispatch.pk
        transaction.on_commit(lambda: _start(dispatch_id))
    return dispatch


def _start(dispatch_id: int) -> None:
    from polity.outbox.tasks import delivery_start

    delivery_start(dispatch_id)


def _insert_from_queryset(dispatch_id: int, qs: QuerySet[Any], now: Any) -> int:
    """One INSERT ... SELECT. A QuerySet of Person is used as is; any other is taken as person ids."""
    people = qs if qs.model is Person else Person.objects.filter(pk__in=qs)
    ids = people.order_by().annotate(outbox_pid=F("pk")).values("outbox_pid").distinct()
    sub_sql, sub_params = ids.query.sql_with_params()
    sql = _INSERT + _VALUES.format(pid="sub.outbox_pid") + "FROM (" + sub_sql + ") sub"
    with connection.cursor() as cursor:
        cursor.execute(sql, [dispatch_id, State.QUEUED, now, *sub_params])
        return int(max(cursor.rowcount, 0))


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _insert_from_ids(dispatch_id: int, person_ids: Iterable[int], now: Any) -> int:
    total = 0
    size = outbox_int("INSERT_CHUNK")
    with connection.cursor() as cursor:
        for chunk in _chunks(person_ids, size):
            if connection.vendor == "postgresql":
                cursor.execute(
                    _PG_IDS,
                    [dispatch_id, State.QUEUED, now, [int(i) for i in chunk]],
                )
                total += max(cursor.rowcount, 0)
            else:
                for part in _chunks(chunk, 900):
                    marks = ",".join(["%s"] * len(part))
                    cursor.execute(
                        _SQLITE_IDS + f"WHERE p.id IN ({marks})",
                        [dispatch_id, State.QUEUED, now, *[int(i) for i in part]],
                    )
                    total += max(cursor.rowcount, 0)
    return total
