"""Telling the requester, always through the outbox (docs/delivery.md): a requester on the register with an
address is written to as that person; anyone else (the public form, a letter or email from a non-member,
a member who gave another address) at the address on their request, which the outbox asks of this app
when it sends (`register_addresses`), so an address erased in the meantime is never written to.

Links that open something (a download, a confirmation) travel as the merge field `secret_link`, which the
outbox forgets once the message is sent: the link is in no stored text afterwards.
"""

from __future__ import annotations

from polity.common.actor import Actor
from polity.dsr.models import PendingRequest, Request
from polity.outbox.addresses import register
from polity.outbox.rendering import literal
from polity.outbox.services import dispatch_create, dispatch_to_source

SOURCE_TYPE = "dsr.request"
PENDING_SOURCE_TYPE = "dsr.pending"
# Where a body shows its link: a marker no typed text can hold (forms refuse NUL characters).
LINK = "\x00link\x00"
_LINK_FIELD = "{{ secret_link }}"


def base_url() -> str:
    from django.conf import settings

    return str(getattr(settings, "POLITY_BASE_URL", "") or "").rstrip("/")


def _message(subject: str, body: str, link: str) -> tuple[str, str, dict[str, str]]:
    context = {"secret_link": link} if link else {}
    return literal(subject[:200]), literal(body).replace(LINK, _LINK_FIELD if link else ""), context


def tell_requester(*, actor: Actor, request: Request, subject: str, body: str, link: str = "") -> None:
    """A statutory message to the requester about their request, queued in the caller's transaction.

    `link`, if given, replaces LINK in the body and is forgotten by the outbox once sent.
    """
    subject, body, context = _message(subject, body, link)
    person = request.person
    if person is not None and person.email and not request.requester_email:
        dispatch_create(
            actor=actor,
            purpose="statutory",
            channel="email",
            subject=subject,
            body=body,
            person_ids=[person.pk],
            source_type=SOURCE_TYPE,
            source_id=request.pk,
            context=context,
        )
    elif request.requester_email:
        dispatch_to_source(
            actor=actor,
            purpose="statutory",
            subject=subject,
            body=body,
            source_type=SOURCE_TYPE,
            source_id=request.pk,
            context=context,
        )
    # else: a letter with no email address: the DPO answers by post (recorded on the request)


def tell_pending(*, actor: Actor, pending: PendingRequest, subject: str, body: str, link: str) -> None:
    """The public form's confirmation message, to the address typed (not proved yet)."""
    subject, body, context = _message(subject, body, link)
    dispatch_to_source(
        actor=actor,
        purpose="statutory",
        subject=subject,
        body=body,
        source_type=PENDING_SOURCE_TYPE,
        source_id=pending.pk,
        context=context,
    )


def _request_address(source_id: str) -> str:
    found = Request.objects.filter(pk=int(source_id)).values_list("requester_email", flat=True).first()
    return found or ""


def _pending_address(source_id: str) -> str:
    found = PendingRequest.objects.filter(pk=int(source_id)).values_list("requester_email", flat=True).first()
    return found or ""


def register_addresses() -> None:
    """Tell the outbox where the address of a request or a pending request is (DsrConfig.ready)."""
    register(SOURCE_TYPE, _request_address)
    register(PENDING_SOURCE_TYPE, _pending_address)
