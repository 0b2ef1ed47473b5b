"""Drafts before they go: edit and delete (the author only, within scope), and a test sent to oneself.

A message handed to delivery (or waiting for approval, or scheduled) is never changed: what the approver
approved and what the recipients received stay what the record shows. The test goes to the sender's own
address on the register and nowhere else, straight over the outbox's wire: it is not an outbox entry, so
it is counted in no delivery figure and no consent rule applies (the sender asked for it).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput
from polity.comms.models import Audience, Message, MessageState
from polity.comms.selectors import SEND_PERM
from polity.comms.services import SOURCE, message_check
from polity.meetings.models import Meeting

EDITABLE = (MessageState.DRAFT,)  # plan.edit_refusal says the same in words
_UNCHANGED = object()


def _require_author(actor: Actor, message: Message, doing: str) -> None:
    """In scope (else NotVisible, like a missing message), its author, and still a draft."""
    require(actor, SEND_PERM, scope=message.unit)
    if message.created_by_person_id is None or message.created_by_person_id != actor.person_id:
        raise Forbidden(f"only the author of a draft may {doing} it")
    _require_draft(message, doing)


def _require_draft(message: Message, doing: str) -> None:
    if message.state not in EDITABLE:
        done = "edited" if doing == "edit" else "deleted"
        raise DomainError(
            f"this message is {message.get_state_display().lower()}: only a draft can be {done}"
        )


def message_update(
    *,
    actor: Actor,
    message: Message,
    audience: Audience,
    purpose: str,
    channel: str,
    subject: str,
    body: str,
    scheduled_for: datetime | None = None,
    meeting: Meeting | None | object = _UNCHANGED,
) -> Message:
    """Change a draft. The same checks as composing it; the audience must be in the actor's scope too."""
    _require_author(actor, message, "edit")
    require(actor, SEND_PERM, scope=audience.unit)
    chosen = message.meeting if meeting is _UNCHANGED else meeting
    assert chosen is None or isinstance(chosen, Meeting)
    message_check(
        audience=audience, purpose=purpose, channel=channel, subject=subject, body=body, meeting=chosen
    )
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        _require_draft(locked, "edit")
        changed = [
            name
            for name, value in (
                ("audience", audience.pk),
                ("purpose", purpose),
                ("channel", channel),
                ("subject", subject.strip()),
                ("body", body),
                ("scheduled_for", scheduled_for),
                ("meeting", chosen.pk if chosen is not None else None),
            )
            if getattr(locked, f"{name}_id" if name in ("audience", "meeting") else name) != value
        ]
        message.unit, message.audience, message.meeting = audience.unit, audience, chosen
        message.purpose, message.channel = purpose, channel
        message.subject, message.body, message.scheduled_for = subject.strip(), body, scheduled_for
        message.save(
            update_fields=[
                "unit",
                "audience",
                "meeting",
                "purpose",
                "channel",
                "subject",
                "body",
                "scheduled_for",
            ]
        )
        audit_record(
            actor=actor,
            verb="comms.message_update",
            purpose=purpose,
            object_type=SOURCE,
            object_id=message.pk,
            data={"changed": changed},
        )
    return message


def message_delete(*, actor: Actor, message: Message) -> None:
    """Delete a draft (its author only). The log keeps that it existed and who deleted it."""
    _require_author(actor, message, "delete")
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        _require_draft(locked, "delete")
        audit_record(
            actor=actor,
            verb="comms.message_delete",
            purpose=locked.purpose,
            object_type=SOURCE,
            object_id=locked.pk,
            data={"subject": locked.subject[:300], "audience": locked.audience_id},
        )
        locked.delete()


def message_test_send(*, actor: Actor, message: Message, to: str | None = None) -> str:
    """Send the message to the sender alone, marked as a test, merge fields filled from the sender's record.
    Returns where it went, in words ("your email address on the register"), never the address.

    There is no choice of address: `to` exists only to be refused when a caller tries to give one."""
    from polity.comms.rendering import render_for_person, send_test
    from polity.members.models import Person

    require(actor, SEND_PERM, scope=message.unit)
    if to:
        raise InvalidInput("to: a test goes only to your own address on the register")
    if message.state in (MessageState.SENT, MessageState.REFUSED):
        raise DomainError(f"this message is {message.get_state_display().lower()}: there is nothing to test")
    me = (
        Person.objects.select_related("home_unit").filter(pk=actor.person_id).first()
        if actor.person_id is not None
        else None
    )
    if me is None:
        raise DomainError("a test goes to your own address, and you are not on the register")
    what = "email address" if message.channel == "email" else "mobile number"
    address = (me.email if message.channel == "email" else me.phone).strip()
    if not address:
        raise DomainError(f"you have no {what} on the register: add one to your record first")
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="comms.message_test_send",
            subjects=[me.pk],
            purpose=message.purpose,
            object_type=SOURCE,
            object_id=message.pk,
            data={"channel": message.channel},
        )
    if not send_test(message, render_for_person(message, me), address):
        raise DomainError("the mail server did not take the test message: try again in a minute")
    return f"your {what} on the register"
