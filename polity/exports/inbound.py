"""Mail reaching a decoy: the SMTP endpoint Polity runs for the decoy domains (`polity decoy_smtp`, put it
behind the domains' MX), or an IMAP mailbox the deployment collects them in (POLITY_DECOY_IMAP_URL, polled
by `polity decoy_imap` or the scheduler). Either way each decoy recipient becomes a DecoyContact, an
incident with its breach clock, and an alert to the data protection officers (polity.exports.incidents).

Only the envelope, the sender and the subject are kept: the message itself is not stored.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import logging
from email.utils import getaddresses
from typing import Any
from urllib.parse import unquote, urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from polity.common.actor import Actor
from polity.common.errors import DomainError
from polity.exports.incidents import decoy_contact_record

logger = logging.getLogger(__name__)


def decoy_domains() -> set[str]:
    return {d.strip().casefold() for d in settings.POLITY_DECOY_MAIL_DOMAINS.split(",") if d.strip()}


def is_decoy_domain(address: str) -> bool:
    return address.rpartition("@")[2].strip().strip(">").casefold() in decoy_domains()


def mail_received(*, rcpt_tos: list[str], mail_from: str, raw: bytes, route: str) -> int:
    """Record each decoy among the recipients; returns how many. Addresses at a decoy domain that belong to
    no decoy are ignored (spam to made-up names)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    subject = str(message.get("Subject", ""))[:300]
    sender = mail_from or str(message.get("From", ""))
    found = 0
    for rcpt in dict.fromkeys(r.strip().strip("<>") for r in rcpt_tos):
        if not is_decoy_domain(rcpt):
            continue
        try:
            decoy_contact_record(
                actor=Actor.system("decoy mail"),
                address=rcpt,
                channel="email",
                route=route,
                sender=sender,
                subject=subject,
            )
        except DomainError:
            continue
        found += 1
    return found


def _store(rcpt_tos: list[str], mail_from: str, raw: bytes) -> int:
    try:
        return mail_received(rcpt_tos=rcpt_tos, mail_from=mail_from, raw=raw, route="smtp")
    finally:
        connections.close_all()


class DecoyHandler:
    """aiosmtpd handler: accept mail for the decoy domains only, record it; the ORM runs in a thread."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:  # noqa: N802
        if not is_decoy_domain(address):
            return "550 5.1.1 not a local domain"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode()
        found = await sync_to_async(_store, thread_sensitive=True)(
            list(envelope.rcpt_tos), envelope.mail_from or "", content
        )
        logger.info("decoy mail: %d decoy recipient(s)", found)
        return "250 Message accepted for delivery"


def _recipients(message: email.message.Message) -> list[str]:
    """The addresses a collected message was for. Headers one at a time: Python's strict parser gives up on
    the whole list when one of the headers is absent (an empty value), and the decoy would go unseen."""
    out = []
    for header in ("Delivered-To", "X-Original-To", "To", "Cc"):
        for value in message.get_all(header, []):
            out += [address for _name, address in getaddresses([str(value)]) if address]
    return out


def imap_poll(url: str | None = None) -> int:
    """Read unseen messages of the configured mailbox, record those to decoys, mark them seen. Returns
    how many decoy contacts were recorded. `url`: imaps://user:password@host[:port]/MAILBOX."""
    url = url if url is not None else settings.POLITY_DECOY_IMAP_URL
    if not url:
        return 0
    parts = urlsplit(url)
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    cls = imaplib.IMAP4_SSL if parts.scheme == "imaps" else imaplib.IMAP4
    client = cls(parts.hostname or "localhost", parts.port or (993 if parts.scheme == "imaps" else 143))
    found = 0
    try:
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        client.select(mailbox)
        _status, data = client.search(None, "UNSEEN")
        for number in (data[0] or b"").decode().split():
            _status, fetched = client.fetch(number, "(RFC822)")
            raw = next((part[1] for part in fetched if isinstance(part, tuple)), b"")
            message = email.message_from_bytes(raw, policy=email.policy.default)
            rcpts = _recipients(message)
            found += mail_received(
                rcpt_tos=rcpts, mail_from=str(message.get("From", "")), raw=raw, route="imap"
            )
            client.store(number, "+FLAGS", "\\Seen")
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return found
