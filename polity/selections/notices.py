"""The seam between selections and the outbox: every notice of a selection is a statutory message (nobody can
opt out of it), recorded on the selection and carried by a one-recipient outbox dispatch."""

from __future__ import annotations

from django.utils import timezone

from polity.common.actor import Actor
from polity.members.models import Person
from polity.outbox.rendering import literal
from polity.outbox.services import dispatch_create
from polity.selections.models import Appeal, Decision, Notice, Selection

PURPOSE = "statutory"
CHANNEL = "email"
SOURCE_TYPE = "selections.notice"


def notice_send(
    *,
    actor: Actor,
    selection: Selection,
    person: Person,
    subject: str,
    body: str,
    decision: Decision | None = None,
    appeal: Appeal | None = None,
) -> Notice:
    """Record a notice and queue it for delivery. Call inside the selection service's transaction."""
    notice = Notice.objects.create(
        selection=selection,
        person=person,
        decision=decision,
        appeal=appeal,
        subject=subject[:200],
        body=body,
        created_at=timezone.now(),
    )
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
    return notice
