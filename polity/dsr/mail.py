"""Telling the requester: through the outbox when they are on the register with an address, else one
message to the address they gave (confirmed on the public form, or on their letter or email)."""

from __future__ import annotations

import logging

from django.db import transaction

from polity.common.actor import Actor
from polity.dsr.models import Request
from polity.outbox.services import dispatch_create
from polity.outbox.transports import Email, Result, email_transport, sender_address

log = logging.getLogger(__name__)


def base_url() -> str:
    from django.conf import settings

    return str(getattr(settings, "POLITY_BASE_URL", "") or "").rstrip("/")


SOURCE_TYPE = "dsr.request"


def _plain(text: str) -> str:
    """Request text is never a template: break any merge-field braces a person typed."""
    return text.replace("{{", "{ {").replace("}}", "} }").replace("{%", "{ %").replace("%}", "% }")


def send_to_address(*, to: str, subject: str, body: str, reference: str) -> bool:
    """Send now; True when the wire took it. Logs only the reference, never the address."""
    transport = email_transport()
    email = Email(
        sender=sender_address(),
        to=to,
        subject=subject,
        body=body,
        message_id=f"<{reference}.dsr@polity>",
        unsubscribe_url=f"{base_url()}/data/request/",
    )
    try:
        outcome = transport.send(email)
    finally:
        close = getattr(transport, "close", None)
        if callable(close):
            close()
    if outcome.result != Result.SENT:
        log.warning("data subject request message %s not sent: %s", reference, outcome.error)
    return outcome.result == Result.SENT


def tell_requester(*, actor: Actor, request: Request, subject: str, body: str) -> None:
    """A statutory message to the requester about their request. Call inside the service's transaction."""
    person = request.person
    if person is not None and person.email and not request.requester_email:
        dispatch_create(
            actor=actor,
            purpose="statutory",
            channel="email",
            subject=_plain(subject[:200]),
            body=_plain(body),
            person_ids=[person.pk],
            source_type=SOURCE_TYPE,
            source_id=request.pk,
        )
        return
    to = request.requester_email or (person.email if person is not None else "")
    if not to:
        return  # a letter with no email: the DPO answers by post (recorded on the request)
    ref = request.reference
    transaction.on_commit(lambda: send_to_address(to=to, subject=subject[:200], body=body, reference=ref))
