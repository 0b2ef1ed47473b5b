"""Deadlines: an owner, a due time from the rulebook, an escalation path up the unit tree and a state.

Any app opens one with `polity.deadlines.services.deadline_open` for something it must do in time
(acknowledge a complaint, answer a motion, answer a subject access request) and meets it when done.
A deadline that passes is missed and escalates to the unit above its owner, then the one above that.
Missed deadlines stay counted (`missed_at` is never cleared), even when they are met late.
"""

from django.db import models

from polity.members.models import Person
from polity.org.models import Unit


class State(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    ESCALATED = "escalated", "Missed and escalated"


# States in which the deadline still waits for its work to be done.
PENDING_STATES = frozenset({State.OPEN, State.MISSED, State.ESCALATED})
MAX_ESCALATION_LEVEL = 2


class Deadline(models.Model):
    owner_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    owner_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines_owned"
    )
    # What the deadline is about, named without a foreign key so any app can use it ("case", 17).
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200, blank=True, help_text="What must be done; no personal data.")
    # The rule it came from, as it was when the deadline was computed.
    rule_key = models.CharField(max_length=100)
    rule_version = models.CharField(max_length=40)
    rule_text = models.CharField(max_length=20, help_text='The duration as the rulebook wrote it, e.g. "7d".')
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    met_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_to = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="deadlines_state_due"),
            models.Index(fields=["subject_type", "subject_id"], name="deadlines_subject"),
            models.Index(fields=["owner_unit", "state", "due_at"], name="deadlines_owner_state"),
            models.Index(fields=["escalated_to", "state"], name="deadlines_escalated_to"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_unit__isnull=False) | models.Q(owner_person__isnull=False),
                name="deadlines_has_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gte=models.F("started_at")), name="deadlines_order"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="met") | models.Q(met_at__isnull=False),
                name="deadlines_met_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["missed", "escalated"]) | models.Q(missed_at__isnull=False),
                name="deadlines_missed_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="escalated")
                | models.Q(escalated_at__isnull=False, escalated_to__isnull=False, escalation_level__gte=1),
                name="deadlines_escalated_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_key} for {self.subject_type} {self.subject_id} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_STATES

    @property
    def was_missed(self) -> bool:
        return self.missed_at is not None

    @property
    def met_on_time(self) -> bool:
        return self.met_at is not None and self.missed_at is None and self.met_at <= self.due_at
