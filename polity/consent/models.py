"""The consent ledger and the suppression list.

The ledger is append-only: a change of mind is a new event, never an edit. The current state of a
(person, purpose, channel) is its latest event. Rows refuse `save()` on an existing row and `delete()`,
querysets refuse `update()` and `delete()`, and a database trigger refuses UPDATE and DELETE from any
other client (migration 0002). One update alone passes the trigger (migration 0004): anonymising an event
that outlived its retention period (`polity.consent.retention`), which removes the person and whoever
recorded it and changes nothing else.

The suppression list is keyed by a hash of the normalised address, not by person, so it outlives the
erasure of the person it came from.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from polity.members.models import Person


class AppendOnlyError(Exception):
    """Ledger rows are never changed or removed."""


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    PHONE = "phone", "Phone"
    POST = "post", "Post"


class Action(models.TextChoices):
    GIVEN = "given", "Given"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Method(models.TextChoices):
    WEB_FORM = "web_form", "Web form (by the member)"
    API = "api", "API (by the member)"
    IMPORT = "import", "Import"
    OFFICER = "officer", "Recorded by an officer on the member's word"
    UNSUBSCRIBE = "unsubscribe", "One-click unsubscribe link"


class AppendOnlyQuerySet(models.QuerySet["ConsentEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the consent ledger is append-only: record a new event instead")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("the consent ledger is append-only: nothing is deleted")


class ConsentEvent(models.Model):
    # Empty only once the event is anonymised (`anonymised_at`): past `retention.consent_evidence` after a
    # later event superseded it (polity.consent.retention, decision 0031).
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="consent_events"
    )
    purpose = models.CharField(max_length=40)  # a key of the rulebook's [purposes]
    channel = models.CharField(max_length=10, choices=Channel.choices)
    action = models.CharField(max_length=10, choices=Action.choices)
    occurred_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=Method.choices)
    recorded_by_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_label = models.CharField(max_length=150)
    evidence = models.TextField(blank=True)
    wording = models.TextField(help_text="The wording the member was shown or told.")
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["person", "purpose", "channel", "occurred_at", "id"]
        indexes = [
            models.Index(fields=["person", "purpose", "channel", "occurred_at"], name="consent_latest"),
            models.Index(fields=["purpose", "channel", "occurred_at"], name="consent_purpose"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method="officer") | ~models.Q(evidence=""),
                name="consent_officer_needs_evidence",
            ),
            models.CheckConstraint(condition=~models.Q(wording=""), name="consent_has_wording"),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(anonymised_at__isnull=False),
                name="consent_person_unless_anonymised",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the consent ledger is append-only: record a new event instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the consent ledger is append-only: nothing is deleted")


class SuppressionScope(models.TextChoices):
    ALL = "all", "Every message (the address bounces or complained)"
    OPTIONAL = "optional", "Messages the person may refuse (not governance or statutory notices)"


class Suppression(models.Model):
    """An address that must not be written to, kept as a hash so it survives the person's erasure."""

    kind = models.CharField(max_length=10)  # "email" or "phone": the address space of the hash
    address_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=10, choices=SuppressionScope.choices)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    created_by_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "address_hash", "scope"], name="consent_suppression_once")
        ]
