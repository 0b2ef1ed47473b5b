"""Complaints from people not on the register: confirm the address first, then the case opens.

`complaint_request` keeps the complaint and mails a confirmation link; `complaint_confirm` opens the case
(acknowledgement deadline and all) and returns a private link on which the sender follows its status.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.cases.mail import send_to_address
from polity.cases.models import Case, PendingComplaint
from polity.cases.services.intake import case_open
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def complaint_request(*, name: str, email: str, unit: Unit, summary: str, base_url: str) -> PendingComplaint:
    """Anyone may start a complaint; it waits for the sender to confirm their address."""
    if not (name.strip() and email.strip() and summary.strip()):
        raise InvalidInput("name, email and what happened are all needed")
    book = get_rulebook()
    now = timezone.now()
    recent = PendingComplaint.objects.filter(
        sender_email__iexact=email.strip(), created_at__gte=now - timedelta(days=1)
    )
    if recent.count() >= book.number("cases.email_requests_per_day"):
        raise DomainError("too many unconfirmed complaints from this address today: confirm one first")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        pending = PendingComplaint.objects.create(
            sender_name=name.strip()[:200],
            sender_email=email.strip(),
            unit=unit,
            summary=summary.strip(),
            confirm_digest=digest(token),
            created_at=now,
            expires_at=book.rule("cases.email_verification").add_to(timezone.localtime(now)),
        )
        audit_record(
            actor=Actor.system("public complaint"),
            verb="case.complaint_request",
            object_type="pending_complaint",
            object_id=pending.pk,
            data={"unit": unit.pk},
        )
        body = (
            f"Someone, we hope you, sent the party a complaint from this address.\n\nTo confirm it, open:\n"
            f"{base_url}/cases/complain/confirm/{token}/\n\nIf it was not you, ignore this message: nothing "
            f"happens unless the link is used before {timezone.localtime(pending.expires_at):%d %B %Y %H:%M}."
        )
        ref, to = f"P{pending.pk}", pending.sender_email
        transaction.on_commit(
            lambda: send_to_address(
                to=to, subject="Confirm your complaint", body=body, reference=ref, base_url=base_url
            )
        )
    return pending


def complaint_confirm(*, token: str) -> tuple[Case, str]:
    """Open the case for a confirmed address. Returns the case and the secret of the sender's status link."""
    now = timezone.now()
    with transaction.atomic():
        pending = PendingComplaint.objects.select_for_update().filter(confirm_digest=digest(token)).first()
        if pending is None or pending.expires_at < now:
            raise NotVisible("not found")
        if pending.case_id is not None:
            raise DomainError("this complaint was already confirmed: use the status link you were given")
        case = case_open(
            actor=Actor.system("confirmed email address"),
            kind="complaint",
            summary=pending.summary,
            unit=pending.unit,
            sender_name=pending.sender_name,
            sender_email=pending.sender_email,
        )
        follow = secrets.token_urlsafe(32)
        pending.case, pending.confirmed_at, pending.follow_digest = case, now, digest(follow)
        pending.save(update_fields=["case", "confirmed_at", "follow_digest"])
    return case, follow
