"""Exports: purpose-bound, minimal, expiring lists of members, each fingerprinted with decoys unique to it.

Decoys live here and only here: they are never `members.Person` rows, so no query over people (a quorum, an
electorate, a statistic, an audience, a case page) can ever meet one. `Entry` is one row of an export's file
(a member, or a decoy), and `Key` indexes the hashed, normalised values each row showed (email, phone,
membership number, address, name) so a leaked excerpt is matched with one indexed query.
"""

from __future__ import annotations

from django.db import models

from polity.comms.models import Audience
from polity.members.models import Person
from polity.org.models import Unit


class Format(models.TextChoices):
    CSV = "csv", "CSV (spreadsheet text)"
    XLSX = "xlsx", "Excel workbook"
    PDF = "pdf", "Printable sign-in sheet (PDF)"


class State(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for approval"
    QUEUED = "queued", "Being prepared"
    READY = "ready", "Ready to download"
    EXPIRED = "expired", "Expired: the file is deleted"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Could not be made"


class Export(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="exports")
    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="exports")
    purpose = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, blank=True)
    columns = models.JSONField()
    format = models.CharField(max_length=4, choices=Format.choices)
    reason = models.CharField(max_length=500, help_text="What the list is for, in the requester's words.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    requested_by_user_id = models.BigIntegerField()
    requested_by_person = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    requested_by_label = models.CharField(max_length=150)
    requested_at = models.DateTimeField()
    rows_at_request = models.PositiveIntegerField(default=0)
    approver_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by_label = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(max_length=500, blank=True)
    # Filled when the file is made: real rows (consent checked then), decoys, the file and its fingerprint.
    members = models.PositiveIntegerField(default=0)
    decoys = models.PositiveIntegerField(default=0)
    excluded = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=500, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by_user_id", "requested_at"], name="exports_by_requester"),
            models.Index(fields=["state", "expires_at"], name="exports_state_expiry"),
            models.Index(fields=["purpose", "ready_at"], name="exports_purpose_ready"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="refused") | ~models.Q(refusal_reason=""),
                name="exports_refusal_reason",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="exports_has_reason"),
        ]

    def __str__(self) -> str:
        return f"export {self.pk}"

    @property
    def rows(self) -> int:
        return self.members + self.decoys

    @property
    def purpose_label(self) -> str:
        from polity.rulebook.loader import get_rulebook

        found = get_rulebook().purposes.get(self.purpose)
        return found.label if found else self.purpose


class Decoy(models.Model):
    """A synthetic person in one export's file, whose email and phone the organisation controls."""

    export = models.ForeignKey(Export, on_delete=models.PROTECT, related_name="decoy_people")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    membership_number = models.CharField(max_length=20, unique=True)
    email = models.CharField(max_length=254, unique=True)
    phone = models.CharField(max_length=40, unique=True)
    address_line = models.CharField(max_length=200)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=12)
    branch = models.CharField(max_length=200)
    status = models.CharField(max_length=12)
    joined_on = models.DateField()

    class Meta:
        ordering = ["export", "family_name", "given_name"]

    def __str__(self) -> str:
        return f"decoy {self.pk} of export {self.export_id}"


class Entry(models.Model):
    """One row of an export's file: a member (person_id) or a decoy."""

    # Only the indexes below (decision 0035): every index here is written for each row of every export.
    export = models.ForeignKey(
        Export, on_delete=models.CASCADE, related_name="entries", db_constraint=False, db_index=False
    )
    person_id = models.BigIntegerField(null=True, blank=True)
    decoy = models.ForeignKey(
        Decoy, null=True, blank=True, on_delete=models.CASCADE, db_constraint=False, db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["person_id", "export"], name="exports_entry_person"),
            models.Index(fields=["export"], name="exports_entry_export"),
            models.Index(
                fields=["decoy"], name="exports_entry_decoy", condition=models.Q(decoy__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person_id__isnull=True, decoy__isnull=False)
                | models.Q(person_id__isnull=False, decoy__isnull=True),
                name="exports_entry_member_or_decoy",
            )
        ]


class Key(models.Model):
    """A hashed, normalised value one row showed (polity.exports.fingerprints): the attribution index. The
    hash is all attribution reads (its kind is hashed into it); the only index is on it (decision 0035)."""

    hash = models.BigIntegerField()
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="keys", db_constraint=False, db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["hash"], name="exports_key_hash")]


class Incident(models.Model):
    """A suspected leak: what was found, the exports it came from, and the clock to report it."""

    opened_at = models.DateTimeField()
    opened_by_label = models.CharField(max_length=150)
    source = models.CharField(max_length=20)  # "excerpt" or "decoy contact"
    summary = models.TextField()
    exports = models.JSONField(default=list, help_text="[{export, probability, rows, decoys}], best first.")
    affected = models.PositiveIntegerField(default=0)
    deadline_id = models.BigIntegerField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    report_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]


class DecoyContact(models.Model):
    """Mail, a message or a call that reached a decoy: someone is using a leaked list."""

    decoy = models.ForeignKey(Decoy, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(max_length=10)  # email, sms, phone
    received_at = models.DateTimeField()
    sender = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    route = models.CharField(max_length=20)  # smtp, imap, reported
    reported_by_label = models.CharField(max_length=150, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
