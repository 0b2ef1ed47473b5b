"""Data subject requests: the request and its clock, pauses, redactions of the access package, deliveries.

The due date is kept on the request (`due_on`, denormalised from the clock in polity/dsr/clock.py) so the
data protection officer's queue is one indexed query ordered by days left, whatever the number of requests.
"""

from __future__ import annotations

from django.db import models

from polity.deadlines.models import Deadline
from polity.members.models import Person


class Kind(models.TextChoices):
    ACCESS = "access", "Access to my data (subject access)"
    RECTIFICATION = "rectification", "Correct my data"
    ERASURE = "erasure", "Erase my data"
    RESTRICTION = "restriction", "Restrict the use of my data"
    OBJECTION = "objection", "Object to a use of my data"
    PORTABILITY = "portability", "Give me my data to take elsewhere"
    COMPLAINT = "complaint", "A data protection complaint"


class State(models.TextChoices):
    RECEIVED = "received", "Received: the clock is running"
    AWAITING_IDENTITY = "awaiting_identity", "Waiting for proof of identity: the clock is stopped"
    AWAITING_CLARIFICATION = "awaiting_clarification", "Waiting for a clarification: the clock is stopped"
    ANSWERED = "answered", "Answered"
    REFUSED = "refused", "Refused, with reasons"
    WITHDRAWN = "withdrawn", "Withdrawn by the requester"


OPEN_STATES = frozenset({State.RECEIVED, State.AWAITING_IDENTITY, State.AWAITING_CLARIFICATION})
PAUSED_STATES = frozenset({State.AWAITING_IDENTITY, State.AWAITING_CLARIFICATION})


class Channel(models.TextChoices):
    SELF = "self", "From the member's own page"
    LETTER = "letter", "By letter, entered by the data protection officer"
    EMAIL = "email", "By email, entered by the data protection officer"
    PUBLIC = "public", "The public form, email address confirmed"
    API = "api", "Through the API"


class Request(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=24, choices=State.choices, default=State.RECEIVED)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The person the request is about, when they are (or were) on the register.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="dsr_requests"
    )
    requester_name = models.CharField(max_length=200, blank=True)
    requester_email = models.EmailField(blank=True)
    details = models.TextField(blank=True, help_text="What the requester asks, in their words.")
    # Objection and restriction: which uses of their data they name (rulebook purposes, e.g. campaigning).
    purposes = models.JSONField(default=list, blank=True)
    received_on = models.DateField()
    received_at = models.DateTimeField()
    # Identity: checked only when needed (a letter or email); what was seen is recorded.
    identity_needed = models.BooleanField(default=False)
    identity_evidence = models.CharField(max_length=500, blank=True)
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.CharField(max_length=150, blank=True)
    # The clock (rule versions kept): first due date, extension with reasons, current due date.
    first_due_on = models.DateField()
    due_on = models.DateField()
    rule = models.CharField(max_length=120, help_text="Rule key and version of the response period.")
    extended_to = models.DateField(null=True, blank=True)
    extension_reasons = models.TextField(blank=True)
    extension_notice_at = models.DateTimeField(null=True, blank=True)
    extension_rule = models.CharField(max_length=120, blank=True)
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The answer.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)
    answer = models.TextField(blank=True, help_text="What was done, and what was kept and why.")
    on_time = models.BooleanField(null=True, blank=True)
    created_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on", "id"], name="dsr_queue", condition=models.Q(closed_at__isnull=True)
            ),
            models.Index(fields=["person", "received_at"], name="dsr_person"),
            models.Index(fields=["closed_at"], name="dsr_closed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(requester_email=""),
                name="dsr_request_has_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(extended_to__isnull=True)
                | ~models.Q(extension_reasons="") & models.Q(extension_notice_at__isnull=False),
                name="dsr_extension_has_reasons",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["received", "awaiting_identity", "awaiting_clarification"])
                | models.Q(closed_at__isnull=False) & ~models.Q(answer=""),
                name="dsr_closed_has_answer",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("first_due_on")), name="dsr_due_not_before_first"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Pause(models.Model):
    """The clock stopped while waiting for the requester (identity or clarification)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="pauses")
    why = models.CharField(max_length=24, choices=State.choices)
    asked = models.TextField(help_text="What the requester was asked for.")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    started_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["request", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=models.Q(ended_on__isnull=True), name="dsr_one_open_pause"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="dsr_pause_order",
            ),
        ]


class Redaction(models.Model):
    """A decision on one piece of the access package: a redaction the DPO added, or one proposed by the
    registry (a `Mention`) that the DPO lifted. Each with a reason from the fixed list and who decided."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="redactions")
    holding = models.CharField(max_length=80)
    ref = models.CharField(max_length=80)
    field = models.CharField(max_length=120)
    text = models.CharField(max_length=300, blank=True, help_text="Empty: the whole field.")
    reason = models.CharField(max_length=24)
    lifted = models.BooleanField(default=False, help_text="True: a proposed redaction the DPO lifted.")
    note = models.CharField(max_length=500, blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["request", "holding", "ref", "field", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "holding", "ref", "field", "text"], name="dsr_redaction_once"
            ),
        ]


class Delivery(models.Model):
    """A package as it was sent: the files, their digests, the download link (only its digest) and expiry."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="deliveries")
    pdf = models.FileField(upload_to="dsr/packages/%Y/%m/")
    archive = models.FileField(upload_to="dsr/packages/%Y/%m/")
    pdf_sha256 = models.CharField(max_length=64)
    archive_sha256 = models.CharField(max_length=64)
    records = models.PositiveIntegerField()
    redactions = models.PositiveIntegerField()
    link_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    first_downloaded_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]


class PendingRequest(models.Model):
    """A request from the public form, waiting for its sender to confirm their address (only digests of
    the confirmation and follow links are kept)."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    requester_name = models.CharField(max_length=200)
    requester_email = models.EmailField()
    details = models.TextField(blank=True)
    membership_number = models.CharField(max_length=20, blank=True)
    confirm_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    request = models.OneToOneField(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="pending"
    )
    follow_digest = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["requester_email", "created_at"], name="dsr_pending_email")]


class Erasure(models.Model):
    """That an erasure happened, without the erased data: when, which request, what was kept and why."""

    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="erasure")
    person_id_erased = models.BigIntegerField()
    erased_at = models.DateTimeField()
    counts = models.JSONField(default=dict)
    kept = models.JSONField(default=list, help_text="[holding title, why kept] pairs told to the requester.")


class ProcessingStop(models.Model):
    """Uses of a person's data stopped by their restriction or objection: every send checks it
    (polity.consent.checks), for the purposes named, until lifted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="processing_stops")
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="stops")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    purposes = models.JSONField(help_text="Rulebook purposes no longer used for this person.")
    starts_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["person", "lifted_at"], name="dsr_stop_person")]


class Anonymised(models.Model):
    """A person whose entry was anonymised (erasure or retention): the retention job skips them after."""

    person_id_anonymised = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    why = models.CharField(max_length=20)  # "erasure" or "retention"
