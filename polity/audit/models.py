"""The tamper-evident access log. This app imports no domain app: subjects are plain person ids."""

import json
from typing import Any

from django.db import models

from polity.audit.chain import decode_subjects


class Event(models.Model):
    """One audited action: a read of personal data, a change to it, an export, an access decision.

    Each event carries the hash of the one before it; `hash` is a keyed hash (HMAC-SHA256) over the
    event's canonical form and that previous hash. Changing, removing, inserting or reordering any event
    breaks the chain from that point, which `polity audit verify` reports.
    """

    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_person_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150)
    verb = models.CharField(max_length=80)
    purpose = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    subjects = models.TextField(
        blank=True, help_text="Comma-separated ids of the people whose data it touched."
    )
    data = models.TextField(default="{}", help_text="Details as canonical JSON.")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Set when the event outlived the log's retention period and its person links were replaced by an
    # anonymous marker: the seq of the `audit.anonymise` event whose seal covers it (decision 0031).
    anonymised_in = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        # The data protection officer's search (polity/audit/search.py, docs/audit.md): each filter walks
        # its own index newest first, already in the page's order (occurred_at, seq).
        indexes = [
            # Verb and purpose ride along (PostgreSQL INCLUDE), so "officer X, this action, this purpose"
            # and "this action, this purpose" filter inside the index instead of visiting the table.
            models.Index(
                fields=["actor_person_id", "occurred_at", "seq"],
                include=["verb", "purpose"],
                name="audit_event_actor_time",
                condition=models.Q(actor_person_id__isnull=False),
            ),
            models.Index(
                fields=["verb", "occurred_at", "seq"], include=["purpose"], name="audit_event_verb_time"
            ),
            models.Index(fields=["purpose", "occurred_at", "seq"], name="audit_event_purpose_time"),
            models.Index(fields=["occurred_at", "seq"], name="audit_event_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} by {self.actor_label}"

    @property
    def subject_ids(self) -> list[int]:
        return decode_subjects(self.subjects)

    @property
    def details(self) -> dict[str, Any]:
        value = json.loads(self.data)
        return value if isinstance(value, dict) else {}


class EventSubject(models.Model):
    """Index of events by the person they touched, so a member can read who viewed their data.

    The rows are written by the same statement as their event, so the reference needs no foreign-key
    trigger (its check at commit was a fifth of a 50-person page's append on PostgreSQL); `polity audit
    verify` checks the index against the people each event names.
    """

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="subject_rows", db_constraint=False
    )
    person_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["person_id", "event"], name="audit_subject_person")]


class ChainHead(models.Model):
    """A single row holding the newest seq and hash. Appending locks it, so the chain stays linear."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_single_head")]
