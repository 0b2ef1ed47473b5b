"""The register: people, their membership periods, status history, payments and transfers."""

from django.db import models

from polity.org.models import Unit


class Status(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    ACTIVE = "active", "Active"
    IN_ARREARS = "in_arrears", "In arrears"
    LAPSED = "lapsed", "Lapsed"
    SUSPENDED = "suspended", "Suspended"
    EXPELLED = "expelled", "Expelled"
    RESIGNED = "resigned", "Resigned"
    REFUSED = "refused", "Application refused"


# Statuses that end a membership period; a later join starts a new period for the same person.
ENDING_STATUSES = frozenset({Status.LAPSED, Status.EXPELLED, Status.RESIGNED, Status.REFUSED})
# Adverse decisions: made only by a decision in a case, after notice and a chance to reply (DESIGN, invariant 2).
ADVERSE_STATUSES = frozenset({Status.SUSPENDED, Status.EXPELLED, Status.REFUSED})


class Person(models.Model):
    """A natural person on the register. Rejoining starts a new period, never a new person."""

    membership_number = models.CharField(max_length=20, unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    home_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="members")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLICANT)
    joined_on = models.DateField(help_text="Start of the current membership period.")
    paid_until = models.DateField(null=True, blank=True)
    # Decoys fingerprint exports; they never count in quorums, ballots or statistics.
    is_decoy = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["home_unit", "family_name", "given_name", "id"], name="members_unit_name"),
            models.Index(fields=["home_unit", "status"], name="members_unit_status"),
            models.Index(fields=["family_name", "given_name", "id"], name="members_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class MembershipPeriod(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="periods")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_status = models.CharField(max_length=12, choices=Status.choices, blank=True)

    class Meta:
        ordering = ["person", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended_on__isnull=True), name="members_one_open_period"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="members_period_order",
            ),
        ]


class StatusChange(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="status_changes")
    period = models.ForeignKey(MembershipPeriod, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=12, choices=Status.choices)
    changed_at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    actor_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["person", "changed_at", "id"]


class Payment(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="payments")
    amount_pence = models.PositiveIntegerField()
    paid_on = models.DateField()
    covers_until = models.DateField()
    method = models.CharField(max_length=40, default="direct_debit")
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["person", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_pence__gt=0), name="members_payment_positive"),
            models.CheckConstraint(
                condition=models.Q(covers_until__gte=models.F("paid_on")), name="members_payment_order"
            ),
        ]


class Transfer(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.CharField(max_length=500)
    actor_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["person", "at"]
