"""Reads of the outbox. Officers see counts; the data protection officer sees per-recipient status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max

from polity.access.perms import Perm
from polity.access.policy import may_read_caught_mail, require, visible_members
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.members.models import Person
from polity.outbox.models import CaughtMail, Dispatch, OutboxEntry, State, message_id_for


def dispatch_counts(dispatch: Dispatch | int) -> dict[str, int]:
    """{state: count} for every state, zeros included. No personal data: safe to show any sender."""
    dispatch_id = dispatch if isinstance(dispatch, int) else dispatch.pk
    counts = {state.value: 0 for state in State}
    rows = OutboxEntry.objects.filter(dispatch_id=dispatch_id).values("state").annotate(n=Count("id"))
    for row in rows.order_by():
        counts[row["state"]] = row["n"]
    return counts


def dispatch_counts_many(dispatch_ids: list[int]) -> dict[int, tuple[dict[str, int], datetime | None]]:
    """({state: count}, time of the last delivery) for each dispatch, in one grouped query (list pages)."""
    found: dict[int, tuple[dict[str, int], datetime | None]] = {}
    if not dispatch_ids:
        return found
    rows = (
        OutboxEntry.objects.filter(dispatch_id__in=dispatch_ids)
        .values("dispatch_id", "state")
        .annotate(n=Count("id"), last=Max("sent_at"))
        .order_by()
    )
    for pk in dispatch_ids:
        found[pk] = ({state.value: 0 for state in State}, None)
    for row in rows:
        counts, last = found[row["dispatch_id"]]
        counts[row["state"]] = row["n"]
        if row["last"] is not None and (last is None or row["last"] > last):
            found[row["dispatch_id"]] = (counts, row["last"])
    return found


def dispatches_for_source(*, source_type: str, source_id: int | str) -> list[Dispatch]:
    """The dispatches a message or notice produced, newest first (for the caller's own status pages)."""
    return list(Dispatch.objects.filter(source_type=source_type, source_id=str(source_id)))


@dataclass(frozen=True)
class Delivery:
    """What happened to one recipient of a dispatch, without their address."""

    entry_id: int
    person_id: int | None
    name: str
    membership_number: str
    state: str
    skip_reason: str
    attempts: int
    last_error: str
    sent_at: datetime | None
    message_id: str


def delivery_for_person(*, dispatch_id: int, person_id: int) -> Delivery | None:
    """One recipient's delivery, for services that must prove a notice went out (no actor: internal)."""
    entry = (
        OutboxEntry.objects.filter(dispatch_id=dispatch_id, person_id=person_id)
        .select_related("person")
        .first()
    )
    return _delivery(entry) if entry is not None else None


def _delivery(entry: OutboxEntry) -> Delivery:
    person = entry.person
    return Delivery(
        entry_id=entry.pk,
        person_id=entry.person_id,
        name=person.full_name if person is not None else "(erased)",
        membership_number=person.membership_number if person is not None else "",
        state=entry.state,
        skip_reason=entry.skip_reason,
        attempts=entry.attempts,
        last_error=entry.last_error,
        sent_at=entry.sent_at,
        message_id=message_id_for(entry.dispatch_id, entry.pk),
    )


def dispatch_deliveries(
    *, actor: Actor, dispatch_id: int, state: str | None = None, after_id: int = 0, limit: int = 100
) -> list[Delivery]:
    """Per-recipient status of a dispatch for the data protection officer (Perm.AUDIT_VIEW), keyset-paged.

    Only recipients whose home unit is within the actor's AUDIT_VIEW scope are listed. The page read is
    recorded in the access log with the people on it.
    """
    require(actor, Perm.AUDIT_VIEW)
    if not Dispatch.objects.filter(pk=dispatch_id).exists():
        raise NotVisible("not found")
    people = visible_members(Person.objects.all(), actor=actor, perm=Perm.AUDIT_VIEW)
    qs = OutboxEntry.objects.filter(dispatch_id=dispatch_id, pk__gt=after_id, person__in=people)
    if state:
        qs = qs.filter(state=state)
    entries = list(qs.select_related("person").order_by("pk")[: max(1, min(limit, 1000))])
    rows = [_delivery(e) for e in entries]
    audit_record(
        actor=actor,
        verb="outbox.deliveries_view",
        subjects=[r.person_id for r in rows if r.person_id is not None],
        purpose="data_protection",
        object_type="outbox.dispatch",
        object_id=dispatch_id,
        data={"rows": len(rows), "state": state or ""},
    )
    return rows


def _may_read_caught_mail(actor: Actor) -> None:
    if not may_read_caught_mail(actor):
        raise NotVisible("not found")


def _people_addressed(mails: list[CaughtMail]) -> list[int]:
    """The people on the register whose address a message was sent to: the subjects of reading it."""
    addresses = {str(a).strip() for mail in mails for a in (mail.rcpt_to or []) if str(a).strip()}
    if not addresses:
        return []
    addresses |= {a.lower() for a in addresses}
    return sorted(Person.objects.filter(email__in=addresses).values_list("pk", flat=True))


def caught_mail_list(*, actor: Actor, limit: int = 200) -> list[CaughtMail]:
    """Mail caught by the local catcher, newest first: operators only. It shows every recipient's address,
    so the page is a read of those people's data, recorded with them as its subjects."""
    _may_read_caught_mail(actor)
    mails = list(CaughtMail.objects.all()[:limit])
    audit_record(
        actor=actor,
        verb="outbox.caught_mail_list",
        subjects=_people_addressed(mails),
        purpose="operations: mail catcher",
        object_type="outbox.caught_mail",
        data={"shown": len(mails)},
    )
    return mails


def caught_mail_get(*, actor: Actor, pk: int) -> CaughtMail:
    """One caught message, whole (addresses and body): operators only, recorded as a read."""
    _may_read_caught_mail(actor)
    mail = CaughtMail.objects.filter(pk=pk).first()
    if mail is None:
        raise NotVisible("not found")
    audit_record(
        actor=actor,
        verb="outbox.caught_mail_view",
        subjects=_people_addressed([mail]),
        purpose="operations: mail catcher",
        object_type="outbox.caught_mail",
        object_id=mail.pk,
        data={"recipients": len(mail.rcpt_to or [])},
    )
    return mail
