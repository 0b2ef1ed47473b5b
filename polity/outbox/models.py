"""The outbox: one Dispatch per message sent to many, one OutboxEntry per recipient.

Addresses are never stored here: they are read from the Person when the entry is sent, after consent
and suppression have been checked again for that recipient (or, for a recipient not on the register, asked
of the app whose record it is: polity/outbox/addresses.py).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models

from polity.members.models import Person


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    POST = "post", "Post"


class State(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"
    SKIPPED = "skipped", "Skipped"


FINAL_STATES = frozenset({State.SENT, State.FAILED, State.BOUNCED, State.SKIPPED})
MESSAGE_ID_RE = re.compile(r"^<?(\d+)\.(\d+)\.polity@[^>]*>?$")


class Dispatch(models.Model):
    """One message to many recipients: what to send, why, and where it came from."""

    purpose = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Plain text with merge fields such as {{ first_name }}.")
    context = models.JSONField(default=dict, blank=True, help_text="Merge fields shared by all recipients.")
    attachments = models.JSONField(
        default=list, blank=True, help_text="Files sent to every recipient: [file name, content type, text]."
    )
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=40)
    # How the email is signed (a unit's name, not a person's): From "<from_name>" at the installation's address, Reply-To the sending
    # unit's address. Empty: the installation's own From, no Reply-To.
    from_name = models.CharField(max_length=200, blank=True)
    reply_to = models.EmailField(blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    total = models.PositiveIntegerField(default=0)
    # One recipient who is not on the register: the entry has no person, and its address is asked of the
    # source's app when it is sent (polity/outbox/addresses.py).
    to_source = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="outbox_dispatch_source")]

    def __str__(self) -> str:
        return f"dispatch {self.pk} ({self.source_type}:{self.source_id})"


class OutboxEntry(models.Model):
    """One recipient of a dispatch and the state of its delivery. No address, no message text."""

    # No database FK constraints (docs/decisions/0006): checking them cost two thirds of writing 400,000
    # rows. Rows are written only by dispatch_create, whose INSERT joins the existing people of a dispatch
    # it has just created; Django's collector applies CASCADE and SET_NULL on delete. The unique index
    # (dispatch, person) serves lookups by dispatch.
    dispatch = models.ForeignKey(
        Dispatch, on_delete=models.CASCADE, related_name="entries", db_constraint=False, db_index=False
    )
    # SET_NULL: erasing a person keeps the delivery counts of what was sent to them.
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="+", db_constraint=False
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    skip_reason = models.CharField(max_length=60, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(
        max_length=300, blank=True, help_text="SMTP code and class; never personal data."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "person"], name="outbox_entry_once_per_person"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state="queued"),
                name="outbox_entry_due",
            ),
            models.Index(
                fields=["leased_until"],
                condition=models.Q(state="sending"),
                name="outbox_entry_leased",
            ),
        ]

    def __str__(self) -> str:
        return f"entry {self.pk} of dispatch {self.dispatch_id}: {self.state}"

    @property
    def message_id(self) -> str:
        """Stable for the life of the entry: built from its immutable ids, so retries reuse it."""
        return message_id_for(self.dispatch_id, self.pk)


def message_id_domain() -> str:
    domain = getattr(settings, "POLITY_MESSAGE_ID_DOMAIN", "")
    if domain:
        return str(domain)
    sender = str(getattr(settings, "DEFAULT_FROM_EMAIL", "noreply@polity.invalid"))
    return sender.rsplit("@", 1)[-1].strip(" >") or "polity.invalid"


def message_id_for(dispatch_id: int, entry_id: int) -> str:
    return f"<{dispatch_id}.{entry_id}.polity@{message_id_domain()}>"


def parse_message_id(value: str) -> tuple[int, int] | None:
    """(dispatch id, entry id) from a Message-ID we generated, or None."""
    match = MESSAGE_ID_RE.match(value.strip())
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


class CaughtMail(models.Model):
    """Mail caught by the local catcher (`polity mailcatcher`), for development and demos only."""

    received_at = models.DateTimeField()
    mail_from = models.CharField(max_length=320)
    rcpt_to = models.JSONField(default=list)
    subject = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    raw = models.TextField()

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"caught mail {self.pk}"
