"""Candidate selections: a seat, the unit and body that select, applications with statements, a shortlisting
panel without a stake, a longlist and a shortlist (each decision with reasons told to every applicant),
appeals to the body above, and recorded changes to a published shortlist.

The state machine lives in `workflow.py`, the refusals in `services.py`, who has a stake in `conflicts.py`.
"""

from __future__ import annotations

from django.db import models

from polity.members.models import Person
from polity.org.models import Body, Unit


class State(models.TextChoices):
    OPEN = "open", "Taking applications"
    CLOSED = "closed", "Applications closed"
    LONGLISTED = "longlisted", "Longlist published"
    SHORTLISTED = "shortlisted", "Shortlist published"
    BALLOT = "ballot", "Member ballot"
    SELECTED = "selected", "Candidate selected"


class Selection(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    seat = models.CharField(max_length=200, help_text="What the candidate will stand for.")
    # The unit whose members select (and vote in the member ballot), and its body that holds the hustings.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="selections")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="selections")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    about = models.TextField(blank=True, help_text="What applicants and members should know.")
    applications_close_at = models.DateTimeField()
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The member ballot and the hustings, once the elections and meetings apps hold them (their ids).
    election_id = models.BigIntegerField(null=True, blank=True)
    hustings_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["unit", "state"], name="selections_unit_state")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(seat=""), name="selections_has_seat"),
        ]

    def __str__(self) -> str:
        return self.reference


class Stage(models.TextChoices):
    SUBMITTED = "submitted", "Application received"
    LONGLISTED = "longlisted", "On the longlist"
    NOT_LONGLISTED = "not_longlisted", "Not longlisted"
    SHORTLISTED = "shortlisted", "On the shortlist"
    NOT_SHORTLISTED = "not_shortlisted", "Not shortlisted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Application(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="applications")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="selection_applications")
    statement = models.TextField()
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.SUBMITTED)
    submitted_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["selection", "person__family_name", "person__given_name", "id"]
        indexes = [models.Index(fields=["person", "selection"], name="selections_app_person")]
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="selections_one_application"),
            models.CheckConstraint(condition=~models.Q(statement=""), name="selections_app_has_statement"),
        ]


class PanelKind(models.TextChoices):
    SHORTLISTING = "shortlisting", "Shortlisting panel"
    APPEAL = "appeal", "Appeal panel"


class PanelSeat(models.Model):
    """One person on the shortlisting panel of a selection, or on the appeal panel of one appeal."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="panel_seats")
    appeal = models.ForeignKey(
        "Appeal", null=True, blank=True, on_delete=models.CASCADE, related_name="panel_seats"
    )
    kind = models.CharField(max_length=12, choices=PanelKind.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="selection_panel_seats")
    added_at = models.DateTimeField()
    added_by = models.CharField(max_length=150)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["selection", "kind", "added_at", "id"]
        indexes = [models.Index(fields=["person", "removed_at"], name="selections_seat_person")]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "person"],
                condition=models.Q(kind="shortlisting", removed_at__isnull=True),
                name="selections_shortlisting_seat_once",
            ),
            models.UniqueConstraint(
                fields=["appeal", "person"],
                condition=models.Q(kind="appeal", removed_at__isnull=True),
                name="selections_appeal_seat_once",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="appeal", appeal__isnull=False)
                | models.Q(kind="shortlisting", appeal__isnull=True),
                name="selections_seat_kind_matches",
            ),
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True) | ~models.Q(removed_reason=""),
                name="selections_seat_removal_has_reason",
            ),
        ]


class Relationship(models.Model):
    """A relationship between someone and an applicant that keeps them off the panels of this selection:
    declared by the person themselves, or recorded by an officer."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="relationships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="relationships")
    description = models.CharField(max_length=300)
    self_declared = models.BooleanField()
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["selection", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(description=""), name="selections_rel_has_description"
            ),
        ]


class DecisionKind(models.TextChoices):
    LONGLIST = "longlist", "Longlist"
    SHORTLIST = "shortlist", "Shortlist"
    CHANGE = "change", "Change to the published shortlist"


class Decision(models.Model):
    """A published decision on who goes forward, with written reasons (told to every applicant)."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    reasons = models.TextField()
    decided_at = models.DateTimeField()
    decided_by = models.CharField(max_length=150)
    # A change is the decision of a body the rulebook empowers (`powers` in [bodies]), on a date.
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    # The appeal that led to it, if any.
    appeal = models.ForeignKey(
        "Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    # Until when an applicant it leaves out may appeal (longlist and shortlist), and the rule it came from.
    appeal_until = models.DateTimeField(null=True, blank=True)
    appeal_rule = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["selection", "decided_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reasons=""), name="selections_decision_has_reasons"),
            models.CheckConstraint(
                condition=~models.Q(kind="change") | models.Q(body__isnull=False, decided_on__isnull=False),
                name="selections_change_names_body",
            ),
            models.UniqueConstraint(
                fields=["selection", "kind"],
                condition=models.Q(kind__in=["longlist", "shortlist"]),
                name="selections_one_longlist_and_shortlist",
            ),
        ]


class Entry(models.Model):
    """What a decision says about one application: in or out (or, for a change, added or taken off)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="entries")
    included = models.BooleanField()
    reasons = models.TextField(blank=True, help_text="Reasons for this applicant, told only to them.")

    class Meta:
        ordering = ["decision", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "application"], name="selections_entry_once"),
        ]


class AppealState(models.TextChoices):
    LODGED = "lodged", "Lodged"
    DECIDED = "decided", "Decided"


class AppealOutcome(models.TextChoices):
    DISMISSED = "dismissed", "Appeal dismissed: the decision stands"
    ALLOWED = "allowed", "Appeal allowed: the applicant goes forward"


class Appeal(models.Model):
    """An applicant's appeal against a longlist or shortlist that left them out, heard by the body above."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="appeals")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    grounds = models.TextField()
    state = models.CharField(max_length=8, choices=AppealState.choices, default=AppealState.LODGED)
    lodged_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=AppealOutcome.choices, blank=True)
    reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["selection", "lodged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "application"], name="selections_appeal_once"),
            models.CheckConstraint(condition=~models.Q(grounds=""), name="selections_appeal_has_grounds"),
            models.CheckConstraint(
                condition=models.Q(outcome="") | ~models.Q(reasons=""), name="selections_appeal_has_reasons"
            ),
        ]


class Notice(models.Model):
    """A statutory message to one applicant about the selection, carried by the outbox."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    dispatch_id = models.BigIntegerField(null=True, blank=True, help_text="The outbox entry that carries it.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["selection", "created_at", "id"]
        indexes = [models.Index(fields=["person", "selection"], name="selections_notice_person")]
