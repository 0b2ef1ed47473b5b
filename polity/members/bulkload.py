"""Loading many rows at once, for the CSV import and the demo generator (and benchmarks).

PostgreSQL gets `COPY ... FROM STDIN` (hundreds of thousands of rows a second); other databases get
`executemany` in batches. Callers give explicit primary keys taken from `IdAllocator`, which locks the
tables for the caller's transaction so no concurrent insert can take the same ids, and `finish()`
moves the PostgreSQL sequences past what was written. Must run inside `transaction.atomic()`.

Values are plain Python: str, int, bool, None, date, aware datetime; JSON fields take dicts and lists.
No model `save()`, signal or field default runs: the caller supplies every non-null column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

_BATCH = 5_000


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _converters(model: type[models.Model], fields: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    """Per-column conversions the database driver would not do by itself."""
    out: list[Callable[[Any], Any] | None] = []
    postgres = connection.vendor == "postgresql"
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.JSONField):
            if postgres:
                from psycopg.types.json import Jsonb

                out.append(lambda v: None if v is None else Jsonb(v))
            else:
                out.append(lambda v: None if v is None else json.dumps(v))
        elif postgres:
            out.append(None)
        elif isinstance(field, models.DateTimeField):
            out.append(lambda v: None if v is None else connection.ops.adapt_datetimefield_value(v))
        elif isinstance(field, models.DateField):
            out.append(lambda v: None if v is None else v.isoformat())
        else:
            out.append(None)
    return out


def _with_defaults(model: type[models.Model], fields: Sequence[str]) -> tuple[list[str], tuple[Any, ...]]:
    """Append the columns the caller left out, with their model defaults (fields added later keep working)."""
    given = set(fields)
    extra_fields: list[str] = []
    extra_values: list[Any] = []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.attname in given or field.name in given or field.primary_key:
            continue
        if field.db_default is not NOT_PROVIDED:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            continue
        else:
            raise ValueError(f"{model.__name__}.{field.name} has no default: give it a value")
        extra_fields.append(field.attname)
        extra_values.append(value)
    return [*fields, *extra_fields], tuple(extra_values)


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (values in the order of `fields`, attribute names such as "person_id")."""
    meta = model._meta
    fields, defaults = _with_defaults(model, fields)
    if defaults:
        rows = (tuple(row) + defaults for row in rows)
    columns = [str(meta.get_field(f).column) for f in fields]  # type: ignore[union-attr]
    convert = _converters(model, fields)
    needs = [i for i, c in enumerate(convert) if c is not None]
    count = 0

    def prepared(batch: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
        if not needs:
            return batch
        out = []
        for row in batch:
            values = list(row)
            for i in needs:
                values[i] = convert[i](values[i])  # type: ignore[misc]
            out.append(values)
        return out

    table = _qn(meta.db_table)
    column_sql = ", ".join(_qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                for row in prepared(rows):
                    copy.write_row(row)
                    count += 1
            return count
        # Table and column names come from model metadata, quoted; values are always parameters.
        sql = f"INSERT INTO {table} ({column_sql}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        iterator = iter(rows)
        while batch := list(islice(iterator, _BATCH)):
            cursor.executemany(sql, list(prepared(batch)))
            count += len(batch)
    return count


class IdAllocator:
    """Hands out primary keys for explicit-id inserts into `models`, safely against concurrent writers.

    On PostgreSQL the tables are locked in EXCLUSIVE mode (reads go on; other writes wait for the
    caller's transaction); SQLite's write transaction already excludes other writers.
    """

    def __init__(self, *model_list: type[models.Model]) -> None:
        self.models = model_list
        self._next: dict[type[models.Model], int] = {}
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                tables = ", ".join(_qn(m._meta.db_table) for m in model_list)
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
            for model in model_list:
                pk = _qn(str(model._meta.pk.column))
                table = _qn(model._meta.db_table)
                cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608
                self._next[model] = int(cursor.fetchone()[0]) + 1

    def take(self, model: type[models.Model], n: int = 1) -> int:
        """The first of `n` consecutive fresh ids."""
        first = self._next[model]
        self._next[model] = first + n
        return first

    def peek(self, model: type[models.Model]) -> int:
        return self._next[model]

    def finish(self) -> None:
        """Move database sequences past every id handed out (a no-op where ids follow MAX(id))."""
        sql = connection.ops.sequence_reset_sql(no_style(), list(self.models))
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)


@contextmanager
def foreign_keys_checked_at_end(*model_list: type[models.Model]) -> Iterator[None]:
    """On PostgreSQL, check the foreign keys of `model_list` once, after loading, instead of per row.

    Per-row checks cost more than the COPY itself at a million rows. The constraints are dropped and
    added back inside the caller's transaction; adding one validates every row in a single join, and
    any dangling reference fails the whole transaction. This holds ACCESS EXCLUSIVE locks on the
    tables (and the tables they reference) until commit: for bulk loads only. Elsewhere, a no-op.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in model_list]
    with connection.cursor() as cursor:
        # ALTER TABLE refuses tables with checks still queued in this transaction: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY conrelid::regclass::text, conname",
            [[_qn(t) for t in tables] + tables],
        )
        constraints = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_qn(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_qn(name)} {definition}")
