"""The delivery loop behind the tasks: claim due entries, re-check consent, send, record.

Claiming marks a batch "sending" with a lease, in one short transaction (PostgreSQL: SELECT ... FOR
UPDATE SKIP LOCKED, so workers never wait on each other; SQLite: the IMMEDIATE transaction serialises
claims and the UPDATE is conditional on the row still being queued). Results are written per batch, so
a worker killed mid-batch leaves at most one batch "sending"; its lease expires, the entries are queued
again, and those already handed to the server are sent twice. That is the bound the tests count.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min
from django.urls import reverse
from django.utils import timezone

from polity.members.models import Person
from polity.outbox.addresses import address_of
from polity.outbox.conf import outbox_int, outbox_setting
from polity.outbox.models import Channel, Dispatch, OutboxEntry, State, message_id_for
from polity.outbox.rendering import one_line, recipient_values, render
from polity.outbox.transports import (
    Email,
    EmailTransport,
    Letter,
    Outcome,
    PostTransport,
    Result,
    Sms,
    SmsTransport,
    email_transport,
    post_transport,
    sender_address,
    sms_transport,
)

logger = logging.getLogger(__name__)
ACTIVE = (State.QUEUED, State.SENDING)
SECRET = "secret_"  # merge fields forgotten once a dispatch has sent (_forget_secrets)


@dataclass
class RunReport:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    batches: int = 0

    def add(self, other: RunReport) -> None:
        for name in ("claimed", "sent", "skipped", "retried", "failed", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def backoff(attempts: int) -> timedelta:
    base = outbox_setting("BACKOFF_BASE_SECONDS")
    cap = outbox_setting("BACKOFF_MAX_SECONDS")
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


def release_expired(*, now: datetime | None = None) -> int:
    """Entries whose worker died (lease passed while "sending") go back to the queue at once."""
    now = now or timezone.now()
    n = OutboxEntry.objects.filter(state=State.SENDING, leased_until__lt=now).update(
        state=State.QUEUED, next_attempt_at=now, leased_until=None
    )
    if n:
        logger.warning("outbox: released %d entries with expired leases", n)
    return n


def claim(*, limit: int, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    lease = now + timedelta(seconds=outbox_setting("LEASE_SECONDS"))
    with transaction.atomic():
        due = (
            OutboxEntry.objects.filter(state=State.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
        )
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            OutboxEntry.objects.filter(id__in=ids, state=State.QUEUED).update(
                state=State.SENDING, leased_until=lease, attempts=F("attempts") + 1
            )
    return ids


@dataclass
class _Results:
    sent: list[int] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    temporary: dict[tuple[int, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    permanent: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


class _Transports:
    """Opened lazily, one per channel, reused across the batches of one run."""

    def __init__(self) -> None:
        self._email: EmailTransport | None = None
        self._sms: SmsTransport | None = None
        self._post: PostTransport | None = None

    def email(self) -> EmailTransport:
        if self._email is None:
            self._email = email_transport()
        return self._email

    def sms(self) -> SmsTransport:
        if self._sms is None:
            self._sms = sms_transport()
        return self._sms

    def post(self) -> PostTransport:
        if self._post is None:
            self._post = post_transport()
        return self._post

    def close(self) -> None:
        for t in (self._email, self._sms, self._post):
            if t is not None:
                t.close()
        self._email = self._sms = self._post = None


def _unsubscribe_prefix() -> str:
    """The link up to the token (reversed once per batch: reverse() is slow per message)."""
    base = str(settings.POLITY_BASE_URL).rstrip("/")
    return base + reverse("outbox:unsubscribe", args=["TOKEN"]).removesuffix("TOKEN/")


def _unsubscribe_url(prefix: str, person_id: int, purpose: str, channel: str) -> str:
    from polity.consent.services import unsubscribe_token

    return f"{prefix}{unsubscribe_token(person_id=person_id, purpose=purpose, channel=channel)}/"


def _send_dispatch_part(
    dispatch: Dispatch, rows: list[tuple[int, int | None, int]], transports: _Transports, out: _Results
) -> None:
    from polity.consent.addresses import address_for
    from polity.consent.checks import contact_permitted_many

    if dispatch.to_source:
        _send_to_source(dispatch, rows, transports, out)
        return
    person_ids = [pid for _e, pid, _a in rows if pid is not None]
    verdicts = contact_permitted_many(
        person_ids=person_ids, purpose=dispatch.purpose, channel=dispatch.channel
    )
    people = {
        p["pk"]: p
        for p in Person.objects.filter(pk__in=person_ids).values(
            "pk",
            "given_name",
            "family_name",
            "membership_number",
            "email",
            "phone",
            "address_line",
            "postcode",
            "home_unit__name",
        )
    }
    sender = sender_address() if dispatch.channel == Channel.EMAIL else ""
    if sender and dispatch.from_name:
        sender = formataddr((dispatch.from_name, parseaddr(sender)[1]))
    attachments = tuple((str(n), str(t), str(x)) for n, t, x in (dispatch.attachments or []))
    prefix = _unsubscribe_prefix()
    for entry_id, pid, attempts in rows:
        person = people.get(pid) if pid is not None else None
        if person is None:
            out.skipped["unknown person"].append(entry_id)
            continue
        allowed, reason = verdicts.get(person["pk"], (False, "unknown person"))
        if not allowed:
            out.skipped[reason].append(entry_id)
            continue
        address = address_for(
            dispatch.channel,
            email=person["email"],
            phone=person["phone"],
            address_line=person["address_line"],
            postcode=person["postcode"],
        )
        if not address:
            out.skipped["no address"].append(entry_id)
            continue
        values = {
            **dispatch.context,
            **recipient_values(
                given_name=person["given_name"],
                family_name=person["family_name"],
                membership_number=person["membership_number"],
                branch=person["home_unit__name"] or "",
            ),
        }
        message_id = message_id_for(dispatch.pk, entry_id)
        outcome: Outcome
        if dispatch.channel == Channel.SMS:
            outcome = transports.sms().send(
                Sms(to=address, body=render(dispatch.body, values), message_id=message_id)
            )
        elif dispatch.channel == Channel.POST:
            outcome = transports.post().send(
                Letter(
                    to=(
                        f"{person['given_name']} {person['family_name']}",
                        person["address_line"].strip(),
                        person["postcode"].strip(),
                    ),
                    subject=one_line(render(dispatch.subject, values)),
                    body=render(dispatch.body, values),
                    reference=message_id,
                    sender=dispatch.from_name,
                )
            )
        else:
            outcome = transports.email().send(
                Email(
                    sender=sender,
                    to=address,
                    subject=one_line(render(dispatch.subject, values)),
                    body=render(dispatch.body, values),
                    message_id=message_id,
                    reply_to=dispatch.reply_to,
                    unsubscribe_url=_unsubscribe_url(
                        prefix, person["pk"], dispatch.purpose, dispatch.channel
                    ),
                    attachments=attachments,
                )
            )
        _file(out, entry_id, attempts, outcome)


def _file(out: _Results, entry_id: int, attempts: int, outcome: Outcome) -> None:
    if outcome.result == Result.SENT:
        out.sent.append(entry_id)
    elif outcome.result == Result.TEMPORARY and attempts < outbox_int("MAX_ATTEMPTS"):
        out.temporary[(attempts, outcome.error)].append(entry_id)
    else:
        out.permanent[outcome.error or "attempts exhausted"].append(entry_id)


def _send_to_source(
    dispatch: Dispatch, rows: list[tuple[int, int | None, int]], transports: _Transports, out: _Results
) -> None:
    """A dispatch to one recipient who is not on the register: the address is asked of the source's app
    now (an erased one is never written to), and checked against the suppression list. No person, so no
    List-Unsubscribe: only purposes that need no consent (statutory notices) can reach such an address."""
    from polity.consent.checks import address_permitted

    address = address_of(dispatch.source_type, dispatch.source_id)
    allowed, reason = address_permitted(address=address, purpose=dispatch.purpose, channel=dispatch.channel)
    sender = sender_address()
    if dispatch.from_name:
        sender = formataddr((dispatch.from_name, parseaddr(sender)[1]))
    for entry_id, _pid, attempts in rows:
        if not allowed:
            out.skipped[reason].append(entry_id)
            continue
        email = Email(
            sender=sender,
            to=address,
            subject=one_line(render(dispatch.subject, dispatch.context)),
            body=render(dispatch.body, dispatch.context),
            message_id=message_id_for(dispatch.pk, entry_id),
            reply_to=dispatch.reply_to,
            attachments=tuple((str(n), str(t), str(x)) for n, t, x in (dispatch.attachments or [])),
        )
        _file(out, entry_id, attempts, transports.email().send(email))


def _record(out: _Results, now: datetime) -> RunReport:
    report = RunReport()
    sending = OutboxEntry.objects.filter(state=State.SENDING)
    with transaction.atomic():
        if out.sent:
            report.sent = sending.filter(id__in=out.sent).update(
                state=State.SENT, sent_at=now, leased_until=None, last_error=""
            )
        for reason, ids in out.skipped.items():
            report.skipped += sending.filter(id__in=ids).update(
                state=State.SKIPPED, skip_reason=reason[:60], leased_until=None
            )
        for (attempts, error), ids in out.temporary.items():
            report.retried += sending.filter(id__in=ids).update(
                state=State.QUEUED,
                next_attempt_at=now + backoff(attempts),
                leased_until=None,
                last_error=error[:300],
            )
        for error, ids in out.permanent.items():
            report.failed += sending.filter(id__in=ids).update(
                state=State.FAILED, leased_until=None, last_error=error[:300]
            )
    return report


def _forget_secrets(dispatches: list[Dispatch]) -> None:
    """Merge fields named `secret_*` (a download or confirmation link) are kept only while the dispatch
    may still send: once none of its entries is queued or sending, they are removed from its context."""
    for dispatch in dispatches:
        if OutboxEntry.objects.filter(dispatch_id=dispatch.pk, state__in=ACTIVE).exists():
            continue
        kept = {k: v for k, v in dispatch.context.items() if not k.startswith(SECRET)}
        Dispatch.objects.filter(pk=dispatch.pk).update(context=kept)


def deliver_batch(ids: list[int], transports: _Transports) -> RunReport:
    rows = OutboxEntry.objects.filter(id__in=ids, state=State.SENDING).values_list(
        "id", "dispatch_id", "person_id", "attempts"
    )
    by_dispatch: dict[int, list[tuple[int, int | None, int]]] = defaultdict(list)
    for entry_id, dispatch_id, person_id, attempts in rows.order_by("id"):
        by_dispatch[dispatch_id].append((entry_id, person_id, attempts))
    out = _Results()
    dispatches = list(Dispatch.objects.filter(pk__in=list(by_dispatch)))
    for dispatch in dispatches:
        _send_dispatch_part(dispatch, by_dispatch[dispatch.pk], transports, out)
    report = _record(out, timezone.now())
    _forget_secrets([d for d in dispatches if any(k.startswith(SECRET) for k in d.context)])
    report.claimed = len(ids)
    report.batches = 1
    return report


def deliver_due(*, budget_seconds: float | None = None, limit: int | None = None) -> tuple[RunReport, bool]:
    """Send due entries batch after batch over one connection. Returns (report, more_left).

    Stops when nothing is due, or after `budget_seconds` (more_left is then True: the caller hands over
    to a fresh task so one campaign never pins a worker for hours).
    """
    budget = budget_seconds if budget_seconds is not None else outbox_setting("TASK_BUDGET_SECONDS")
    size = limit or outbox_int("BATCH_SIZE")
    started = time.monotonic()
    report = RunReport()
    transports = _Transports()
    try:
        release_expired()
        while True:
            ids = claim(limit=size)
            if not ids:
                return report, False
            report.add(deliver_batch(ids, transports))
            if time.monotonic() - started > budget:
                return report, True
    finally:
        transports.close()


def dispatch_pending(dispatch_id: int) -> bool:
    return OutboxEntry.objects.filter(dispatch_id=dispatch_id, state__in=ACTIVE).exists()


def next_due_at(dispatch_id: int) -> datetime | None:
    """When the dispatch next has something to do: its earliest queued entry or its earliest lease end."""
    queued = OutboxEntry.objects.filter(dispatch_id=dispatch_id, state=State.QUEUED).aggregate(
        t=Min("next_attempt_at")
    )["t"]
    leased = OutboxEntry.objects.filter(dispatch_id=dispatch_id, state=State.SENDING).aggregate(
        t=Min("leased_until")
    )["t"]
    times = [t for t in (queued, leased) if t is not None]
    return min(times) if times else None


def pending_dispatch_ids() -> list[int]:
    """Dispatches with entries still queued or sending (for `polity outbox_resume`)."""
    return sorted(
        set(OutboxEntry.objects.filter(state__in=ACTIVE).values_list("dispatch_id", flat=True).distinct())
    )
