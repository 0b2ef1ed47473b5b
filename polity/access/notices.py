"""Notices to the people whose access changes: kept on their page and emailed as statutory messages.

Like the notices of a case (polity.cases.notices), each is a one-recipient dispatch of the outbox with
the purpose "statutory" (nobody can opt out of it), created inside the calling service's transaction and
delivered when it commits.
"""

from __future__ import annotations

from django.utils import timezone

from polity.access.models import AccessNotice
from polity.common.actor import Actor
from polity.outbox.rendering import literal
from polity.outbox.services import dispatch_create

PURPOSE = "statutory"
CHANNEL = "email"
SOURCE_TYPE = "access.notice"


def access_notice_send(*, actor: Actor, person_id: int, subject: str, body: str, reason: str) -> AccessNotice:
    """Record a notice for the person's page and queue its email. Call inside the service's transaction."""
    notice = AccessNotice.objects.create(
        person_id=person_id,
        created_at=timezone.now(),
        subject=subject[:200],
        body=body,
        reason=reason[:500],
    )
    dispatch = dispatch_create(
        actor=actor,
        purpose=PURPOSE,
        channel=CHANNEL,
        subject=literal(subject[:200]),
        body=literal(f"{body}\n\nReason given: {reason}"),
        person_ids=[person_id],
        source_type=SOURCE_TYPE,
        source_id=notice.pk,
    )
    notice.dispatch_id = dispatch.pk
    notice.save(update_fields=["dispatch_id"])
    return notice
