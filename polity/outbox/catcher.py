"""The local mail catcher: an SMTP server on loopback that keeps what it receives in CaughtMail.

`polity mailcatcher` runs it; `polity run` starts it when POLITY_EMAIL_URL points at this machine (the
default, smtp://127.0.0.1:1025), so a newcomer sees every message the demo sends at /outbox/caught/.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from polity.outbox.email_url import DEFAULT_EMAIL_URL, parse_email_url
from polity.outbox.services import caught_mail_store

logger = logging.getLogger(__name__)


def catcher_address() -> tuple[str, int] | None:
    """(host, port) to catch mail on, when mail is configured to go to plain SMTP on this machine."""
    config = parse_email_url(getattr(settings, "POLITY_EMAIL_URL", DEFAULT_EMAIL_URL))
    if config.scheme != "smtp" or config.username or config.use_starttls:
        return None
    try:
        loopback = config.host == "localhost" or ipaddress.ip_address(config.host).is_loopback
    except ValueError:
        loopback = False
    return (config.host, config.port) if loopback else None


def _store(mail_from: str, rcpt_tos: list[str], raw: bytes) -> None:
    """One short-lived connection per message: the catcher is a development tool and must not hold one."""
    try:
        caught_mail_store(mail_from=mail_from, rcpt_to=rcpt_tos, raw=raw)
    finally:
        connections.close_all()


class CatchingHandler:
    """aiosmtpd handler: accept everything, store it; the ORM runs in a worker thread."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode()
        await sync_to_async(_store, thread_sensitive=True)(
            envelope.mail_from or "", list(envelope.rcpt_tos), content
        )
        logger.info("mailcatcher: caught a message for %d recipient(s)", len(envelope.rcpt_tos))
        return "250 Message accepted for delivery"
