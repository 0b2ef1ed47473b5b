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

    objects = OfficeTermQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "office", "starts_at"]
        indexes = [models.Index(fields=["person", "ends_at"], name="access_term_person")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="access_term_order",
            )
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

    class Meta:
        ordering = ["-created_at"]
