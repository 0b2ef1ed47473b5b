"""Exports: request (purpose, audience, columns, format, reason), approval above the rulebook's size, the
worker that makes the file with its decoys, downloads recorded against every member included, expiry.

An export is checked three times: when asked (the rulebook's purpose, columns and channel; the requester's
scope), when approved, and when made (the requester's scope again, consent as at that moment).
"""

from __future__ import annotations

import hashlib
import heapq
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import count, islice
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import has_perm, require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput
from polity.comms.models import Audience
from polity.comms.selectors import audience_members
from polity.comms.services import approver_unit_for
from polity.consent.checks import contact_permitted_many
from polity.deadlines.services import deadline_open, deadlines_meet_for
from polity.exports import columns as cols
from polity.exports import decoys as decoy_maths
from polity.exports.models import Decoy, Entry, Export, Format, Key, State
from polity.exports.writers import SUFFIX, WRITERS
from polity.members.bulkload import IdAllocator, copy_rows
from polity.members.models import Person
from polity.org.models import Unit
from polity.rulebook.loader import Purpose, get_rulebook

SOURCE = "exports.export"
APPROVAL_RULE = "exports.approval_deadline"
_BATCH = 5000
# PostgreSQL's memory for one sort, while a file is made: its three big sorts (people by name, rows and keys
# in index order; 10-15 MB each at 125,000 rows) stay in memory instead of spilling to disk at the default 4 MB.
_SORT_MEMORY = "64MB"


@dataclass(frozen=True)
class Plan:
    """What an export request would make: shown on the confirmation page, then stored as asked."""

    audience: Audience
    purpose: Purpose
    channel: str
    columns: list[str]
    format: str
    rows: int  # members who may be in it now (consent checked now; again when the file is made)
    excluded: dict[str, int]
    approver: Unit | None  # set when the export must wait for approval

    @property
    def column_words(self) -> list[str]:
        return [cols.WORDS[c] for c in self.columns]


def _purpose(key: str) -> Purpose:
    purpose = get_rulebook().purposes.get(key)
    if purpose is None:
        raise InvalidInput(f"purpose: {key!r} is not a purpose in the rulebook")
    if not purpose.export_columns:
        raise DomainError(f"the rulebook allows no export for {purpose.label.lower()}")
    return purpose


def _check_columns(purpose: Purpose, columns: list[str], channel: str) -> str:
    """The channel the export's consent is checked for ('' when none is needed: no contact column, and a
    purpose that needs no consent given). Refuses columns the purpose may not take, contact columns of
    another channel, and a consent purpose without a channel."""
    if not columns:
        raise InvalidInput("columns: choose at least one column")
    for column in columns:
        if column not in cols.HEADINGS:
            raise InvalidInput(f"columns: {column!r} is not a column")
        if column not in purpose.export_columns:
            raise DomainError(
                f"the rulebook does not let an export for {purpose.label.lower()} hold the {cols.WORDS[column]}"
            )
    contact = [c for c in columns if c in cols.CHANNEL_OF]
    if len(contact) > 1:
        raise DomainError("an export holds one kind of contact detail: the one its channel uses")
    if channel and channel not in purpose.channels:
        raise InvalidInput(f"channel: {purpose.label} is not sent by {channel}")
    if contact:
        wanted = {"email": ("email",), "phone": ("phone", "sms"), "address": ("post",)}[contact[0]]
        if channel not in wanted:
            raise InvalidInput(f"channel: the {cols.WORDS[contact[0]]} is for {' or '.join(wanted)}")
    if purpose.consent == "required" and not channel:
        raise InvalidInput(f"channel: {purpose.label.lower()} needs consent per channel: choose one")
    return channel


def _admit(
    people: QuerySet[Person], purpose: Purpose, channel: str, *, keep: bool = False
) -> tuple[int, dict[str, int]]:
    """(how many of `people` may be included, counts of those left out by reason), with consent and
    suppression checked now, a chunk of people at a time so memory stays flat at any audience size. With
    `keep`, the ids of those admitted go into the temporary table `exports_admitted` (the file is then read by
    joining it); without a channel nobody is left out and no table is written."""
    if not channel:
        return people.count(), {}
    at = timezone.now()
    admitted, excluded = 0, dict[str, int]()
    ids = people.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=_BATCH)
    while chunk := list(islice(ids, _BATCH)):
        verdicts = contact_permitted_many(person_ids=chunk, purpose=purpose.key, channel=channel, at=at)
        ok = []
        for pk, (allowed, reason) in verdicts.items():
            if allowed:
                ok.append(pk)
            else:
                excluded[reason] = excluded.get(reason, 0) + 1
        admitted += len(ok)
        if keep:
            _admitted_write(ok)
    return admitted, excluded


def _admitted_reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS exports_admitted")
        cursor.execute("CREATE TEMPORARY TABLE exports_admitted (person_id bigint PRIMARY KEY)")


def _admitted_write(ids: list[int]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY exports_admitted (person_id) FROM STDIN") as copy:
                for pk in ids:
                    copy.write_row((pk,))
        else:
            cursor.executemany("INSERT INTO exports_admitted (person_id) VALUES (%s)", [(pk,) for pk in ids])


def _admitted_people(people: QuerySet[Person]) -> QuerySet[Person]:
    """`people` narrowed to those in `exports_admitted` (analysed first: PostgreSQL keeps no statistics of a
    temporary table by itself, and would plan the join blind)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE exports_admitted")
    return people.filter(pk__in=RawSQL("SELECT person_id FROM exports_admitted", ()))


def _admitted_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS exports_admitted")


def export_plan(
    *, actor: Actor, audience: Audience, purpose: str, channel: str, columns: list[str], format: str
) -> Plan:
    """Check a request and count its rows, without making anything (the confirmation step)."""
    require(actor, Perm.EXPORTS_MAKE, scope=audience.unit, visible=False)
    rule = _purpose(purpose)
    if format not in Format.values:
        raise InvalidInput(f"format: {format!r} is not one of {', '.join(Format.values)}")
    channel = _check_columns(rule, columns, channel)
    if rule.body_only and audience.body_id is None:
        raise DomainError(f"{rule.label.lower()} go to a body's members: choose an audience of a body")
    people = audience_members(actor=actor, audience=audience)
    rows, excluded = _admit(people, rule, channel)
    if rows == 0:
        raise DomainError("nobody in this audience may be in an export for this purpose and channel")
    approver = approver_unit_for(audience.unit)
    needs = approver is not None and rows > get_rulebook().number("exports.approval_threshold")
    ordered = [c for c in cols.HEADINGS if c in columns]
    return Plan(audience, rule, channel, ordered, format, rows, excluded, approver if needs else None)


def export_request(
    *,
    actor: Actor,
    audience: Audience,
    purpose: str,
    channel: str,
    columns: list[str],
    format: str,
    reason: str,
) -> Export:
    """Ask for an export. Above the rulebook's size it waits for approval by the unit above; otherwise the
    worker makes it. Nobody's data is read yet: the request's event names no member."""
    if not reason.strip():
        raise InvalidInput("reason: say what the list is for")
    plan = export_plan(
        actor=actor, audience=audience, purpose=purpose, channel=channel, columns=columns, format=format
    )
    with transaction.atomic():
        export = Export.objects.create(
            unit=audience.unit,
            audience=audience,
            purpose=plan.purpose.key,
            channel=plan.channel,
            columns=plan.columns,
            format=format,
            reason=reason.strip()[:500],
            state=State.AWAITING_APPROVAL if plan.approver else State.QUEUED,
            requested_by_user_id=actor.user_id or 0,
            requested_by_person_id=actor.person_id,
            requested_by_label=actor.label,
            requested_at=timezone.now(),
            rows_at_request=plan.rows,
            approver_unit=plan.approver,
        )
        audit_record(
            actor=actor,
            verb="exports.request",
            purpose=plan.purpose.label,
            object_type=SOURCE,
            object_id=export.pk,
            data={"rows": plan.rows, "columns": plan.columns, "format": format, "waits": bool(plan.approver)},
        )
        if plan.approver is not None:
            deadline_open(
                actor=actor,
                rule_key=APPROVAL_RULE,
                start=timezone.now(),
                owner_unit=plan.approver,
                subject_type=SOURCE,
                subject_id=export.pk,
                title=f"Approve or refuse export {export.pk} from {audience.unit.name}",
            )
        else:
            _enqueue(export)
    return export


def _enqueue(export: Export) -> None:
    from polity.exports.tasks import make_export

    pk = export.pk
    transaction.on_commit(lambda: make_export.enqueue(pk))


def _require_approver(actor: Actor, export: Export) -> Unit:
    approver = export.approver_unit
    if approver is None or not (
        has_perm(actor, Perm.EXPORTS_APPROVE, approver) or export.requested_by_user_id == actor.user_id
    ):
        from polity.common.errors import NotVisible

        raise NotVisible("not found")
    if export.state != State.AWAITING_APPROVAL:
        raise DomainError("this export is not waiting for approval")
    require(actor, Perm.EXPORTS_APPROVE, scope=approver, visible=False)
    if export.requested_by_user_id == actor.user_id:
        raise Forbidden("you cannot approve your own export")
    return approver


def export_approve(*, actor: Actor, export: Export) -> Export:
    _require_approver(actor, export)
    with transaction.atomic():
        export.state = State.QUEUED
        export.decided_by_label, export.decided_at = actor.label, timezone.now()
        export.save(update_fields=["state", "decided_by_label", "decided_at"])
        deadlines_meet_for(actor=actor, subject_type=SOURCE, subject_id=export.pk, rule_key=APPROVAL_RULE)
        audit_record(
            actor=actor,
            verb="exports.approve",
            object_type=SOURCE,
            object_id=export.pk,
            purpose=get_rulebook().purpose(export.purpose).label,
        )
        _enqueue(export)
    return export


def export_refuse(*, actor: Actor, export: Export, reason: str) -> Export:
    _require_approver(actor, export)
    if not reason.strip():
        raise InvalidInput("reason: say why the export is refused")
    with transaction.atomic():
        export.state = State.REFUSED
        export.refusal_reason = reason.strip()[:500]
        export.decided_by_label, export.decided_at = actor.label, timezone.now()
        export.save(update_fields=["state", "refusal_reason", "decided_by_label", "decided_at"])
        deadlines_meet_for(actor=actor, subject_type=SOURCE, subject_id=export.pk, rule_key=APPROVAL_RULE)
        audit_record(
            actor=actor,
            verb="exports.refuse",
            object_type=SOURCE,
            object_id=export.pk,
            purpose=get_rulebook().purpose(export.purpose).label,
            data={"reason": export.refusal_reason},
        )
    return export


# --- making the file -------------------------------------------------------------------------------------


def _requester(export: Export) -> Actor:
    from polity.accounts.models import User

    user = User.objects.filter(pk=export.requested_by_user_id).first()
    if user is None:
        raise DomainError("the requester's account no longer exists")
    return Actor.for_user(user)


def _member_rows(
    people: QuerySet[Person], columns: list[str], branches: dict[int, str]
) -> Iterator[cols.Row]:
    fields = ["pk", "given_name", "family_name", "membership_number", "home_unit_id"]
    for c in columns:
        fields += [f for f in cols.PERSON_FIELDS[c] if f not in fields]
    qs = people.order_by("family_name", "given_name", "pk").values(*fields)
    for v in qs.iterator(chunk_size=_BATCH):
        v["branch"] = branches.get(v["home_unit_id"], "")
        yield cols.Row(v["given_name"], v["family_name"], v, person_id=v["pk"])


def _decoy_rows(made: list[Decoy]) -> list[cols.Row]:
    rows = []
    for i, d in enumerate(made):
        values: dict[str, Any] = {
            "membership_number": d.membership_number,
            "email": d.email,
            "phone": d.phone,
            "address_line": d.address_line,
            "town": d.town,
            "postcode": d.postcode,
            "branch": d.branch,
            "status": d.status,
            "joined_on": d.joined_on,
        }
        rows.append(cols.Row(d.given_name, d.family_name, values, decoy_index=i))
    return sorted(rows, key=lambda r: r.sort_key)


def export_make(*, actor: Actor, export_id: int) -> Export:
    """The worker's step: re-check the requester's scope and consent now, write the file with its decoys
    in their alphabetical places, index every row for attribution, and record the members included."""
    if not actor.is_system:
        raise Forbidden("only the system makes export files")
    export = Export.objects.select_related("audience", "audience__unit").get(pk=export_id)
    if export.state != State.QUEUED:
        return export
    try:
        return _make(actor, export)
    except DomainError as error:
        Export.objects.filter(pk=export.pk).update(state=State.FAILED, failure=str(error)[:500])
        audit_record(
            actor=actor,
            verb="exports.fail",
            object_type=SOURCE,
            object_id=export.pk,
            data={"reason": str(error)[:500]},
        )
        export.refresh_from_db()
        return export


def _make(actor: Actor, export: Export) -> Export:
    requester = _requester(export)
    if not has_perm(requester, Perm.EXPORTS_MAKE, export.unit):
        raise DomainError("the requester may no longer export members of this unit")
    rule = get_rulebook().purpose(export.purpose)
    columns: list[str] = list(export.columns)
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{_SORT_MEMORY}'")
        people = audience_members(actor=requester, audience=export.audience)
        if export.channel:
            _admitted_reset()
        _staging_create()
        try:
            _write(export, requester, people, rule, columns, now)
        finally:
            if export.channel:
                _admitted_drop()
    return export


def _write(
    export: Export,
    requester: Actor,
    people: QuerySet[Person],
    rule: Purpose,
    columns: list[str],
    now: datetime,
) -> None:
    members, excluded = _admit(people, rule, export.channel, keep=True)
    if members == 0:
        raise DomainError("nobody in the audience may be included any longer")
    if export.channel:
        people = _admitted_people(people)
    units = Unit.objects.filter(path__startswith=export.unit.path)
    branches = dict(units.values_list("pk", "name"))
    leaves = [u for u in units.values_list("name", "level") if u[1] == get_rulebook().levels[-1]] or [
        (export.unit.name, "")
    ]
    towns = sorted({name.split(" ")[0] for name, _l in leaves})
    made = decoy_maths.make(decoy_maths.decoys_needed(members), towns=towns, today=timezone.localdate())
    decoy_objs = Decoy.objects.bulk_create(
        [
            Decoy(export=export, status="active", branch=leaves[i % len(leaves)][0], **m.__dict__)
            for i, m in enumerate(made)
        ]
    )
    rows = heapq.merge(
        _member_rows(people, columns, branches),
        _decoy_rows(decoy_objs),
        key=lambda r: r.sort_key,
    )
    entry_ids = _entry_ids()
    title = f"{rule.label}: {export.audience.name} ({export.unit.name}), export {export.pk}"
    included = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export-{export.pk}{SUFFIX[export.format]}"
        writer = WRITERS[export.format](path, cols.headings(columns), title=title)
        entries: list[tuple[Any, ...]] = []
        keys: list[tuple[int, int]] = []
        hashes = cols.hasher(columns)
        export_id = export.pk
        for row in rows:
            writer.write(cols.cells(row, columns))
            decoy_id = None if row.decoy_index is None else decoy_objs[row.decoy_index].pk
            entry_id = next(entry_ids)
            entries.append((entry_id, export_id, row.person_id, decoy_id))
            keys.extend([(h, entry_id) for h in hashes(row)])
            if row.person_id is not None:
                included += 1
            if len(entries) >= _BATCH:
                _flush(entries, keys)
        _flush(entries, keys)
        _settle()
        writer.close()
        digest = _sha256(path)
        with path.open("rb") as handle:
            export.file.save(path.name, File(handle), save=False)
    export.state = State.READY
    export.members, export.decoys, export.excluded = included, len(decoy_objs), excluded
    export.sha256 = digest
    export.ready_at = now
    export.expires_at = get_rulebook().rule("exports.available_for").add_to(now)
    export.save()
    audit_record(  # in the requester's name: the worker makes the file on their behalf
        actor=requester,
        verb="exports.make",
        subjects=_included(export),
        purpose=rule.label,
        object_type=SOURCE,
        object_id=export.pk,
        data={"by": export.requested_by_label, "members": included, "columns": columns},
    )


def _included(export: Export) -> Iterator[int]:
    """The members in an export's file, read back from its rows (not held while the file is written)."""
    rows = Entry.objects.filter(export=export, person_id__isnull=False).order_by()
    for person_id in rows.values_list("person_id", flat=True).iterator(chunk_size=_BATCH):
        if person_id is not None:
            yield int(person_id)


def _entry_ids() -> Iterator[int]:
    """Ids for the file's rows. On PostgreSQL they are the rows' numbers in the file, and `_settle` gives
    each its id from the table's sequence in one statement (exports made at the same time do not wait for
    each other); elsewhere they are the ids themselves, and the database's writer lock keeps them apart."""
    if connection.vendor != "postgresql":
        yield from count(IdAllocator(Entry).take(Entry, 0))
        return
    yield from count()


_NULL = "\\N"


def _flush(entries: list[tuple[Any, ...]], keys: list[tuple[int, int]]) -> None:
    """Write a batch of the file's rows and their keys. On PostgreSQL they go first to unindexed temporary
    tables and reach the real ones in index order at the end (`_settle`): the attribution index on the
    hashes grows with every export, and 400,000 keys inserted in random order would each touch a random
    page of it (an export took four times as long once 10,000 past exports were indexed)."""
    if connection.vendor == "postgresql":
        # COPY's text format, one piece per batch (the values are integers; \N is NULL): cheaper than a row
        # at a time through psycopg's `write_row`
        text = {
            "exports_new_entries": "".join(
                f"{n}\t{export}\t{_NULL if person is None else person}\t{_NULL if decoy is None else decoy}\n"
                for n, export, person, decoy in entries
            ),
            "exports_new_keys": "".join(f"{h}\t{n}\n" for h, n in keys),
        }
        with connection.cursor() as cursor:
            for table, data in text.items():
                with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(data)
    else:
        copy_rows(Entry, ["id", "export_id", "person_id", "decoy_id"], entries)
        copy_rows(Key, ["hash", "entry_id"], keys)
    entries.clear()
    keys.clear()


def _staging_create() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS exports_new_entries, exports_new_keys, exports_new_ids")
            cursor.execute(
                "CREATE TEMPORARY TABLE exports_new_entries "
                "(n bigint, export_id bigint, person_id bigint, decoy_id bigint)"
            )
            cursor.execute("CREATE TEMPORARY TABLE exports_new_keys (hash bigint, n bigint)")


def _settle() -> None:
    """Give the staged rows their ids and move them and their keys into their tables, sorted as their
    largest indexes are."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE exports_new_ids AS SELECT n, nextval(pg_get_serial_sequence(%s, 'id')) AS id "
            "FROM (SELECT n FROM exports_new_entries ORDER BY n) AS numbered",
            [Entry._meta.db_table],
        )
        cursor.execute("ANALYZE exports_new_entries, exports_new_keys, exports_new_ids")
        cursor.execute(
            "INSERT INTO exports_entry (id, export_id, person_id, decoy_id) "
            "SELECT i.id, e.export_id, e.person_id, e.decoy_id FROM exports_new_entries e "
            "JOIN exports_new_ids i USING (n) ORDER BY e.person_id, i.id"
        )
        cursor.execute(
            "INSERT INTO exports_key (hash, entry_id) "
            "SELECT k.hash, i.id FROM exports_new_keys k JOIN exports_new_ids i USING (n) ORDER BY k.hash"
        )
        cursor.execute("DROP TABLE exports_new_entries, exports_new_keys, exports_new_ids")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- downloading and expiry ------------------------------------------------------------------------------


def export_download(*, actor: Actor, export: Export) -> Export:
    """The requester, alone, until the file expires. Each download is an event naming every member in the
    file, so each sees "included in an export by X for purpose Y" in their access log."""
    if actor.user_id is None or export.requested_by_user_id != actor.user_id:
        from polity.common.errors import NotVisible

        raise NotVisible("not found")
    if export.state == State.EXPIRED or (
        export.expires_at is not None and export.expires_at <= timezone.now()
    ):
        raise DomainError("this export has expired and its file is deleted: ask for a new one")
    if export.state != State.READY:
        raise DomainError(f"this export is not ready: {export.get_state_display().lower()}")
    require(actor, Perm.EXPORTS_MAKE, scope=export.unit, visible=False)
    included = [
        int(p)
        for p in Entry.objects.filter(export=export, person_id__isnull=False).values_list(
            "person_id", flat=True
        )
        if p is not None
    ]
    with transaction.atomic():
        Export.objects.filter(pk=export.pk).update(downloads=export.downloads + 1)
        audit_record(
            actor=actor,
            verb="exports.download",
            subjects=included,
            purpose=get_rulebook().purpose(export.purpose).label,
            object_type=SOURCE,
            object_id=export.pk,
            data={"by": export.requested_by_label, "format": export.format, "members": len(included)},
        )
    export.downloads += 1
    return export


def exports_expire(*, actor: Actor, now: datetime | None = None) -> int:
    """Delete the files of exports past their time (the rows that attribute a leak stay)."""
    if not actor.is_system:
        raise Forbidden("only the system expires exports")
    now = now or timezone.now()
    count = 0
    for export in Export.objects.filter(state=State.READY, expires_at__lte=now):
        with transaction.atomic():
            if export.file:
                export.file.delete(save=False)
            Export.objects.filter(pk=export.pk).update(state=State.EXPIRED, file="")
            audit_record(actor=actor, verb="exports.expire", object_type=SOURCE, object_id=export.pk)
        count += 1
    return count
