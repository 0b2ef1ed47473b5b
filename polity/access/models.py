"""Where permissions come from: offices held for a term, and explicit grants with purpose and expiry."""

from datetime import datetime

from django.db import models

from polity.members.models import Person
from polity.org.models import Body, Unit


class OfficeTermQuerySet(models.QuerySet["OfficeTerm"]):
    def in_force(self, at: datetime) -> "OfficeTermQuerySet":
        """Terms that have started and not yet ended at `at`: the only ones that carry permissions."""
        return self.filter(starts_at__lte=at).filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=at)
        )

    def not_ended(self, at: datetime) -> "OfficeTermQuerySet":
        """Terms in force or still to come at `at`."""
        return self.filter(models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=at))


class Ending(models.TextChoices):
    """The only four ways an office ends (besides a term that was never to end, still running)."""

    TERM = "term", "End of the term"
    RESIGNATION = "resignation", "Resigned by the holder"
    BODY_DECISION = "body_decision", "Decision of the appointing body"
    CASE = "case", "Removed by a case decision"


class OfficeTerm(models.Model):
    """A person holds an office (a key of the rulebook's [offices]) in a unit, or a body of it, for a term.

    The office's permissions apply within the unit's subtree, only between starts_at and ends_at.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="office_terms")
    office = models.CharField(max_length=60)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="office_terms")
    body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="office_terms"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=500, blank=True)
    ended_by = models.CharField(max_length=150, blank=True)
    ended_how = models.CharField(max_length=16, choices=Ending.choices, blank=True, default="")
    # A body decision: which body decided, and when (until meetings record the decision itself).
    ended_body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_decided_on = models.DateField(null=True, blank=True)
    # A case decision: the case's reference.
    ended_case = models.CharField(max_length=20, blank=True, default="")
    # The end the term had before it was ended early (None: no end date), so an allowed appeal can restore it.
    planned_ends_at = models.DateTimeField(null=True, blank=True)
    # When the holder was emailed that the term ended (a term that runs out is told by a periodic job).
    end_notified_at = models.DateTimeField(null=True, blank=True)

    objects = OfficeTermQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "office", "starts_at"]
        indexes = [models.Index(fields=["person", "ends_at"], name="access_term_person")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="access_term_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(ended_how="body_decision")
                | models.Q(ended_body__isnull=False, ended_decided_on__isnull=False)
                & ~models.Q(ended_reason=""),
                name="access_term_body_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(ended_how="case") | ~models.Q(ended_case=""),
                name="access_term_case_named",
            ),
        ]


class Grant(models.Model):
    """An explicit, purpose-bound, expiring permission over a unit's subtree."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="grants")
    permissions = models.JSONField(help_text="A list of permission names.")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="grants")
    purpose = models.CharField(max_length=300)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    granted_by = models.CharField(max_length=150)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)
    revoke_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["person", "expires_at"], name="access_grant_person")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("starts_at")), name="access_grant_order"
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoke_reason=""),
                name="access_grant_revoke_reason",
            ),
        ]


class AccessNotice(models.Model):
    """A notice to a person that their access was cut, with the reason (DESIGN invariant 8)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_notices")
    created_at = models.DateTimeField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    reason = models.CharField(max_length=500)
    read_at = models.DateTimeField(null=True, blank=True)
    dispatch_id = models.BigIntegerField(null=True, blank=True, help_text="The outbox entry that emails it.")

    class Meta:
        ordering = ["-created_at"]


class RestrictionQuerySet(models.QuerySet["Restriction"]):
    def in_force(self, at: datetime) -> "RestrictionQuerySet":
        return self.filter(starts_at__lte=at).filter(
            models.Q(lifted_at__isnull=True) | models.Q(lifted_at__gt=at)
        )


class Restriction(models.Model):
    """A temporary restriction of access to personal data (DESIGN invariant 8): one officer's, or every
    office holder's in a unit's subtree. While in force, `polity.access.policy` withholds the personal-data
    permissions of the offices and grants it covers. Always with reasons and a review date; reviews lift it
    or renew it with a new date; an overdue review escalates through the deadlines app."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="restrictions")
    # Null: every office holder in the unit's subtree. Set: only this person's offices and grants there.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="access_restrictions"
    )
    # The unit whose officer imposed it: it owns the review deadline, which escalates above it.
    authority = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField()
    starts_at = models.DateTimeField()
    review_at = models.DateTimeField()
    review_rule = models.CharField(max_length=120, help_text="Rule key and version that bounded the date.")
    imposed_by = models.CharField(max_length=150)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_count = models.PositiveIntegerField(default=0)
    last_review_reasons = models.TextField(blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_reasons = models.TextField(blank=True)
    lifted_by = models.CharField(max_length=150, blank=True)

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "id"]
        indexes = [models.Index(fields=["lifted_at", "starts_at"], name="access_restriction_active")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reasons=""), name="access_restriction_has_reasons"),
            models.CheckConstraint(
                condition=models.Q(review_at__gt=models.F("starts_at")),
                name="access_restriction_review_after",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True) | ~models.Q(lifted_reasons=""),
                name="access_restriction_lift_has_reasons",
            ),
        ]

    @property
    def is_lifted(self) -> bool:
        return self.lifted_at is not None
