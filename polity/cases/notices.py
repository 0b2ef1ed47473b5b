"""The seam between cases and the communications system (polity.outbox).

Every notice of a case (acknowledgement, allegations with evidence, hearing, decision) is a statutory
message: nobody can opt out of it. `notice_send` records it on the case and hands it to the outbox as a
one-recipient dispatch; the notice counts as delivered when its outbox entry reaches the state "sent"
(`notices_refresh` copies that time onto the notice). A notice the outbox cannot carry (no address)
can be delivered by hand or post and recorded with `notice_mark_delivered` by the case team's service.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from polity.cases.models import Case, Evidence, Notice
from polity.common.actor import Actor
from polity.members.models import Person
from polity.outbox.models import State
from polity.outbox.rendering import literal
from polity.outbox.selectors import delivery_for_person
from polity.outbox.services import dispatch_create

PURPOSE = "statutory"
CHANNEL = "email"
SOURCE_TYPE = "cases.notice"


def notice_send(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    person: Person | None,
    subject: str,
    body: str,
    evidence: Iterable[Evidence] = (),
    email: str = "",
    outcome: str = "",
) -> Notice:
    """Record a notice on the case and queue it for delivery. Call inside the case service's transaction."""
    notice = Notice.objects.create(
        case=case,
        kind=kind,
        person=person,
        email=email,
        subject=subject[:200],
        body=body,
        created_at=timezone.now(),
        outcome=outcome,
    )
    files = list(evidence)
    if files:
        notice.evidence.set(files)
    if person is not None:
        dispatch = dispatch_create(
            actor=actor,
            purpose=PURPOSE,
            channel=CHANNEL,
            subject=literal(subject[:200]),
            body=literal(body),
            person_ids=[person.pk],
            source_type=SOURCE_TYPE,
            source_id=notice.pk,
        )
        notice.dispatch_id = dispatch.pk
        notice.save(update_fields=["dispatch_id"])
    elif email:
        _mail_on_commit(notice.pk, email, subject[:200], body)
    return notice


def _mail_on_commit(notice_id: int, to: str, subject: str, body: str) -> None:
    """A sender not on the register: one message to their confirmed address, delivered when the wire takes it."""
    from django.conf import settings
    from django.db import transaction

    from polity.cases.mail import send_to_address

    def deliver() -> None:
        base = str(getattr(settings, "POLITY_BASE_URL", "") or "").rstrip("/")
        if send_to_address(to=to, subject=subject, body=body, reference=f"N{notice_id}", base_url=base):
            Notice.objects.filter(pk=notice_id, delivered_at__isnull=True).update(delivered_at=timezone.now())

    transaction.on_commit(deliver)


def notice_mark_delivered(*, notice: Notice, at: datetime | None = None) -> Notice:
    """Record delivery the outbox did not make (by hand, by post). Called by a case service."""
    if notice.delivered_at is None:
        notice.delivered_at = at or timezone.now()
        notice.save(update_fields=["delivered_at"])
    return notice


def notice_state(notice: Notice) -> str:
    """The outbox state of a notice ("sent", "queued", "skipped" ...), or "delivered" / "recorded"."""
    if notice.dispatch_id is None or notice.person_id is None:
        return "delivered" if notice.delivered_at else "not sent"
    delivery = delivery_for_person(dispatch_id=notice.dispatch_id, person_id=notice.person_id)
    if delivery is None:
        return "delivered" if notice.delivered_at else "unknown"
    if notice.delivered_at and delivery.state != State.SENT:
        return "delivered by hand"
    return delivery.state


def notices_refresh(case: Case) -> int:
    """Copy delivery times from the outbox onto the case's notices. Returns how many became delivered."""
    count = 0
    for notice in Notice.objects.filter(
        case=case, delivered_at__isnull=True, dispatch_id__isnull=False, person__isnull=False
    ):
        assert notice.dispatch_id is not None and notice.person_id is not None
        delivery = delivery_for_person(dispatch_id=notice.dispatch_id, person_id=notice.person_id)
        if delivery is not None and delivery.state == State.SENT and delivery.sent_at:
            notice.delivered_at = delivery.sent_at
            notice.save(update_fields=["delivered_at"])
            count += 1
    return count
