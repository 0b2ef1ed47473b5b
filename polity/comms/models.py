"""Audiences, messages and the automation ledger (meetings live in polity.meetings).

An audience is a saved query over the register, anchored to a unit: it never reaches outside that unit's
subtree, and is resolved through polity.access at every use, so an officer never reaches beyond scope.
A message names its purpose (from the rulebook), channel and audience; its recipients are resolved when it
is sent and handed to the outbox, which checks consent again for each recipient at delivery.
"""

from __future__ import annotations

from django.db import models

from polity.members.models import Person
from polity.org.models import Body, Unit


class BodyPart(models.TextChoices):
    NONE = "", "No body"
    MEMBERS = "members", "Members of the body"
    DELEGATES = "delegates", "Delegates to the body"


class Audience(models.Model):
    name = models.CharField(max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="audiences")
    # Filters; an empty filter does not narrow. Units must lie within `unit`.
    unit_ids = models.JSONField(default=list, blank=True)
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="audiences")
    body_part = models.CharField(max_length=10, choices=BodyPart.choices, blank=True, default="")
    statuses = models.JSONField(default=list, blank=True)
    min_days_in_arrears = models.PositiveIntegerField(null=True, blank=True)
    joined_since = models.DateField(null=True, blank=True)
    offices = models.JSONField(
        default=list, blank=True, help_text="Holders of these offices (rulebook keys)."
    )
    created_by_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(body__isnull=True, body_part="")
                | models.Q(body__isnull=False, body_part__in=["members", "delegates"]),
                name="comms_audience_body_part",
            )
        ]

    def __str__(self) -> str:
        return self.name


class MessageState(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    AWAITING_REGION = "awaiting_region", "Waiting for the region to send it"
    SCHEDULED = "scheduled", "Scheduled"
    SENT = "sent", "Handed to delivery"
    REFUSED = "refused", "Refused"


class Message(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="messages")
    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="messages")
    purpose = models.CharField(max_length=40)
    channel = models.CharField(max_length=10)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=MessageState.choices, default=MessageState.DRAFT)
    created_by_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    approver_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by_label = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by_label = models.CharField(max_length=150, blank=True)
    dispatch_id = models.BigIntegerField(null=True, blank=True, help_text="The outbox dispatch.")
    # Counts at send time; never addresses.
    recipients = models.PositiveIntegerField(default=0)
    excluded = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="comms_message_unit_state"),
            models.Index(fields=["state", "scheduled_for"], name="comms_message_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="refused") | ~models.Q(refusal_reason=""),
                name="comms_message_refusal_reason",
            )
        ]

    def __str__(self) -> str:
        return self.subject or f"message {self.pk}"


class AutomationSend(models.Model):
    """One automation sent to one person, once: the unique constraint makes reruns harmless."""

    kind = models.CharField(max_length=20)  # "welcome", "arrears", "meeting"
    key = models.CharField(
        max_length=60
    )  # e.g. "welcome", "2026-01-01:2" (paid-until, reminder no.), meeting id
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "person"], name="comms_automation_once")
        ]


class UnitSender(models.Model):
    """How a unit's messages are signed: the address replies go to (a role address, never an officer's own).

    Units without one use the nearest unit above that has one, then POLITY_REPLY_TO (polity.comms.rendering).
    """

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="sender")
    reply_to = models.EmailField(blank=True)
    updated_by_label = models.CharField(max_length=150)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"sender of {self.unit}"
