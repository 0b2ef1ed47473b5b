"""One message to an address that is not on the register (a non-member confirming a complaint).

Register members are written to through the outbox (notices.py); this small transport module is for the
one message the outbox cannot carry, because there is no Person yet. It uses the outbox's own wire.
"""

from __future__ import annotations

import logging

from polity.outbox.transports import Email, Result, email_transport, sender_address

log = logging.getLogger(__name__)


def send_to_address(*, to: str, subject: str, body: str, reference: str, base_url: str) -> bool:
    """Send now; True when the wire took it. Logs only the reference, never the address."""
    transport = email_transport()
    email = Email(
        sender=sender_address(),
        to=to,
        subject=subject,
        body=body,
        message_id=f"<{reference}.complaint@polity>",
        unsubscribe_url=f"{base_url}/cases/complain/",
    )
    try:
        outcome = transport.send(email)
    finally:
        close = getattr(transport, "close", None)
        if callable(close):
            close()
    if outcome.result != Result.SENT:
        log.warning("complaint confirmation %s not sent: %s", reference, outcome.error)
    return outcome.result == Result.SENT
