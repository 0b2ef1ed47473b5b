"""A message as one recipient reads it, and how it is signed: From the sending unit, Reply-To its address.

The same substitution as delivery (polity.outbox.rendering) with the same recipient fields, so a preview or
a test shows exactly what the outbox will send. The Reply-To address is the unit's own (set on the unit's
sender page), else the nearest unit above that has one, else `POLITY_REPLY_TO` with `{code}` replaced by
the unit's code; never an officer's personal address.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings

from polity.comms.merge import shared_context, to_outbox
from polity.comms.models import Message, UnitSender
from polity.members.models import Person
from polity.org.models import Unit
from polity.outbox.models import message_id_domain
from polity.outbox.rendering import one_line, recipient_values, render

log = logging.getLogger(__name__)

TEST_NOTE = (
    "This is a test of a message from {unit}, sent only to you at your request. Nobody else received it "
    "and it is not counted in the message's delivery figures.\n\n"
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def message_context(message: Message) -> dict[str, str]:
    audience = message.audience
    return shared_context(
        sender_unit=message.unit.name,
        body_name=audience.body.name if audience.body is not None else "",
        meeting=message.meeting,
    )


def render_for_person(message: Message, person: Person) -> Rendered:
    """The subject and text this person would receive (internal: callers check scope and log the read)."""
    values = {
        **message_context(message),
        **recipient_values(
            given_name=person.given_name,
            family_name=person.family_name,
            membership_number=person.membership_number,
            branch=person.home_unit.name if person.home_unit_id else "",
        ),
    }
    return Rendered(
        subject=one_line(render(to_outbox(message.subject), values)),
        body=render(to_outbox(message.body), values),
    )


def reply_to_for(unit: Unit) -> str:
    """The unit's reply-to address, else its nearest ancestor's, else POLITY_REPLY_TO for its code, else ""."""
    chain = _chain(unit)
    found = dict(
        UnitSender.objects.filter(unit_id__in=chain).exclude(reply_to="").values_list("unit_id", "reply_to")
    )
    for pk in chain:
        if pk in found:
            return str(found[pk])
    template = str(getattr(settings, "POLITY_REPLY_TO", "") or "")
    return template.replace("{code}", unit.code) if template else ""


def _chain(unit: Unit) -> list[int]:
    """The unit and its ancestors, nearest first (from the materialised path)."""
    ids = [int(part) for part in unit.path.strip(".").split(".") if part]
    return list(reversed(ids)) if ids else [unit.pk]


def sender_for(unit: Unit) -> str:
    """The From header: the unit's name, at the installation's sending address."""
    from polity.outbox.transports import sender_address

    _name, address = parseaddr(sender_address())
    return formataddr((unit.name, address))


def send_test(message: Message, rendered: Rendered, address: str) -> bool:
    """Send one test straight over the outbox's wire; True when the server took it. Logs no address."""
    from polity.outbox.transports import Email, Result, Sms, email_transport, sms_transport

    token = secrets.token_hex(6)
    message_id = f"<test-{message.pk}-{token}@{message_id_domain()}>"
    if message.channel == "sms":
        sms = sms_transport()
        try:
            outcome = sms.send(Sms(to=address, body=f"[Test] {rendered.body}", message_id=message_id))
        finally:
            sms.close()
    else:
        wire = email_transport()
        try:
            outcome = wire.send(
                Email(
                    sender=sender_for(message.unit),
                    to=address,
                    subject=f"[Test] {rendered.subject}",
                    body=TEST_NOTE.format(unit=message.unit.name) + rendered.body,
                    message_id=message_id,
                    reply_to=reply_to_for(message.unit),
                )
            )
        finally:
            wire.close()
    if outcome.result != Result.SENT:
        log.warning("test of message %s not sent: %s", message.pk, outcome.error)
    return bool(outcome.result == Result.SENT)
