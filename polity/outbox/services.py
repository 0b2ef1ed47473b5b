"""Writes of the outbox: create a dispatch and its rows, record bounces and unsubscribes.

`dispatch_create` is an internal service: it is called by other services (comms' message send, cases'
notices) after THEY have checked the actor's permission over the audience. No interface calls it. It
writes one row per recipient in bulk, one audit event with counts, and starts delivery on commit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from polity.access.policy import is_operator
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.members.models import Person
from polity.outbox.addresses import is_registered
from polity.outbox.conf import outbox_int
from polity.outbox.models import CaughtMail, Channel, Dispatch, OutboxEntry, State, parse_message_id
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
    from_name: str = "",
    reply_to: str = "",
    attachments: list[tuple[str, str, str]] | None = None,
) -> Dispatch:
    """Queue one message to many people. Returns the Dispatch; delivery starts when the caller commits.

    `person_ids` may be a QuerySet (of Person, or of their ids): the rows are then written by one
    INSERT ... SELECT and no id ever enters Python. Any other iterable is consumed in chunks, so memory
    stays flat at any audience size. Ids of people who do not exist, and repeats, are dropped.
    `from_name` is the From name (the sending unit's), `reply_to` where replies go (the unit's address).
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
        dispatch = _new_dispatch(
            actor=actor,
            purpose=purpose,
            channel=channel,
            subject=subject,
            body=body,
            context=ctx,
            source_type=source_type,
            source_id=source_id,
            from_name=from_name,
            reply_to=reply_to,
            now=now,
            attachments=[list(a) for a in attachments or []],
        )
        # The raw INSERTs bind the time as the ORM stores it (on SQLite a bare "+00:00" suffix would sort
        # after the ORM's own text of the same instant, and the entry would not be due at that instant).
        stored_now = connection.ops.adapt_datetimefield_value(now)
        if isinstance(person_ids, QuerySet):
            total = _insert_from_queryset(dispatch.pk, person_ids, stored_now)
        else:
            total = _insert_from_ids(dispatch.pk, person_ids, stored_now)
        dispatch.total = total
        dispatch.save(update_fields=["total"])
        _announce(actor, dispatch)
    return dispatch


def dispatch_to_source(
    *,
    actor: Actor,
    purpose: str,
    subject: str,
    body: str,
    source_type: str,
    source_id: int | str,
    context: Mapping[str, str] | None = None,
    from_name: str = "",
    reply_to: str = "",
) -> Dispatch:
    """Queue one email to a recipient who is not on the register (a non-member's data protection request).

    An internal service, like dispatch_create. The outbox stores no address: the source's app registered
    where to find it (polity/outbox/addresses.py), and delivery asks there when it sends. Person merge
    fields render empty (there is no person); delivery starts when the caller commits.
    """
    if not is_registered(source_type):
        raise InvalidInput(f"no app says where the address of a {source_type!r} is")
    if not purpose:
        raise InvalidInput("a dispatch needs a purpose")
    if not subject.strip():
        raise InvalidInput("an email needs a subject")
    ctx = {str(k): str(v) for k, v in (context or {}).items()}
    check_template(subject=subject, body=body, context=ctx)
    now = timezone.now()
    with transaction.atomic():
        dispatch = _new_dispatch(
            actor=actor,
            purpose=purpose,
            channel=Channel.EMAIL,
            subject=subject,
            body=body,
            context=ctx,
            source_type=source_type,
            source_id=source_id,
            from_name=from_name,
            reply_to=reply_to,
            now=now,
            total=1,
            to_source=True,
        )
        OutboxEntry.objects.create(dispatch=dispatch, person=None, state=State.QUEUED, next_attempt_at=now)
        _announce(actor, dispatch, to_source=True)
    return dispatch


def _new_dispatch(
    *,
    actor: Actor,
    source_id: int | str,
    from_name: str,
    reply_to: str,
    now: Any,
    **fields: Any,
) -> Dispatch:
    """The Dispatch row both ways of queueing write: who made it and when, the source, From and Reply-To."""
    return Dispatch.objects.create(
        source_id=str(source_id),
        from_name=" ".join(from_name.split())[:200],
        reply_to=reply_to.strip(),
        created_by=actor.label,
        created_at=now,
        **fields,
    )


def _announce(actor: Actor, dispatch: Dispatch, **extra: Any) -> None:
    """Record the new dispatch in the access log and start delivery once the caller commits."""
    audit_record(
        actor=actor,
        verb="outbox.dispatch_create",
        purpose=dispatch.purpose,
        object_type="outbox.dispatch",
        object_id=dispatch.pk,
        data={
            "channel": dispatch.channel,
            "recipients": dispatch.total,
            "source_type": dispatch.source_type,
            "source_id": dispatch.source_id,
            **extra,
        },
    )
    dispatch_id = dispatch.pk
    transaction.on_commit(lambda: _start(dispatch_id))


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


@dataclass(frozen=True)
class UnsubscribeResult:
    purpose: str
    channel: str
    withdrawn: bool  # a consent withdrawal was recorded now (False: already withdrawn, or not refusable)
    suppressed: bool  # the address was added to the suppression list now


def unsubscribe_confirm(*, token: str) -> UnsubscribeResult:
    """One-click unsubscribe (RFC 8058): no login; the signed token names person, purpose and channel.

    Records a consent withdrawal for that purpose and channel (through polity.consent) and suppresses
    the address for every message the person may refuse. Governance and statutory notices continue:
    the page says so. Idempotent. A bad token is NotVisible (404).
    """
    from django.core import signing

    from polity.consent.addresses import address_for, address_kind
    from polity.consent.models import SuppressionScope
    from polity.consent.services import UNSUBSCRIBE_SALT, consent_unsubscribe, suppression_add

    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        person_id, purpose, channel = int(data["p"]), str(data["u"]), str(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotVisible("not found") from None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotVisible("not found")
    system = Actor.system("unsubscribe link")
    with transaction.atomic():
        event = consent_unsubscribe(token=token)
        kind = address_kind(channel)
        address = address_for(channel, email=person.email, phone=person.phone, address_line="", postcode="")
        row = None
        if kind is not None and address:
            row = suppression_add(
                actor=system,
                kind=kind,
                address=address,
                scope=SuppressionScope.OPTIONAL,
                reason=f"unsubscribe link ({purpose}, {channel})",
            )
    return UnsubscribeResult(
        purpose=purpose, channel=channel, withdrawn=event is not None, suppressed=row is not None
    )


def bounce_record(*, actor: Actor, message_id: str, permanent: bool = True, reason: str = "") -> OutboxEntry:
    """A bounce for a message we sent, found by its Message-ID: the entry becomes "bounced".

    A permanent (hard) bounce also suppresses the address for every message. Only the system (the bounce
    processor or the authenticated bounce endpoint) records bounces. `reason` is a short class such as
    "5.1.1 mailbox unknown", never the bounce's text.
    """
    if not is_operator(actor):
        raise Forbidden("only the system records bounces")
    parsed = parse_message_id(message_id)
    if parsed is None:
        raise NotVisible("not found")
    dispatch_id, entry_id = parsed
    with transaction.atomic():
        entry = (
            OutboxEntry.objects.select_for_update(of=("self",))
            .select_related("dispatch", "person")
            .filter(pk=entry_id, dispatch_id=dispatch_id)
            .first()
        )
        if entry is None:
            raise NotVisible("not found")
        if entry.state not in (State.SENT, State.BOUNCED):
            raise DomainError(f"only a sent message can bounce (this one is {entry.state})")
        entry.state = State.BOUNCED
        entry.last_error = ("hard bounce" if permanent else "soft bounce") + (
            f": {reason.strip()[:200]}" if reason.strip() else ""
        )
        entry.save(update_fields=["state", "last_error"])
        suppressed = False
        if permanent and entry.person is not None and entry.dispatch.channel == Channel.EMAIL:
            from polity.consent.models import SuppressionScope
            from polity.consent.services import suppression_add

            suppressed = (
                suppression_add(
                    actor=Actor.system("bounce"),
                    kind="email",
                    address=entry.person.email,
                    scope=SuppressionScope.ALL,
                    reason="hard bounce",
                )
                is not None
            )
        audit_record(
            actor=actor,
            verb="outbox.bounce_record",
            subjects=[entry.person_id] if entry.person_id else [],
            purpose=entry.dispatch.purpose,
            object_type="outbox.entry",
            object_id=entry.pk,
            data={"permanent": permanent, "suppressed": suppressed},
        )
    return entry


def caught_mail_store(*, mail_from: str, rcpt_to: list[str], raw: bytes, keep: int = 2000) -> CaughtMail:
    """Keep one message caught by the local mail catcher, and only the newest `keep` of them."""
    from email import message_from_bytes
    from email.policy import default

    msg = message_from_bytes(raw, policy=default)
    with transaction.atomic():
        mail = CaughtMail.objects.create(
            received_at=timezone.now(),
            mail_from=mail_from[:320],
            rcpt_to=list(rcpt_to),
            subject=str(msg.get("Subject", ""))[:300],
            message_id=str(msg.get("Message-ID", ""))[:200],
            raw=raw.decode("utf-8", errors="replace"),
        )
        if mail.pk % 100 == 0:
            old = CaughtMail.objects.order_by("-id").values_list("id", flat=True)[keep : keep + 1]
            cutoff = list(old)
            if cutoff:
                CaughtMail.objects.filter(id__lte=cutoff[0]).delete()
    return mail
