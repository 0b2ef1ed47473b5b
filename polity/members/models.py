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
        # The public statistics count periods begun and ended in a quarter, and ask of each begun one
        # whether the person had an earlier one (polity/members/series.py).
        indexes = [
            models.Index(fields=["started_on"], name="members_period_started"),
            models.Index(fields=["ended_on"], name="members_period_ended"),
            models.Index(fields=["person", "started_on"], name="members_period_person_start"),
        ]
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
    # The outbox entry that told the member (every status change is a statutory notice to them).
    dispatch_id = models.BigIntegerField(null=True, blank=True)

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


class ResignationRoute(models.TextChoices):
    SELF = "self", "By the member, from their own page"
    LETTER = "letter", "Recorded by an officer from the member's letter or email"


class ResignationState(models.TextChoices):
    PENDING = "pending", "Pending"
    WITHDRAWN = "withdrawn", "Taken back by the member"
    DISPUTED = "disputed", "Disputed by the member"
    EFFECTIVE = "effective", "Took effect"
    VOID = "void", "Void: the membership had already ended"


class Resignation(models.Model):
    """A resignation on its way: it takes effect only when its window (cooling-off for the member's own,
    dispute window for one an officer recorded from a letter) has passed without being taken back."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="resignations")
    route = models.CharField(max_length=8, choices=ResignationRoute.choices)
    state = models.CharField(
        max_length=10, choices=ResignationState.choices, default=ResignationState.PENDING
    )
    reason = models.CharField(max_length=500, blank=True, help_text="The member's words, if they gave any.")
    received_on = models.DateField(help_text="When the member asked, or when their letter was received.")
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    # Until then the member can take it back (or dispute it); then it takes effect. The rule is remembered.
    window_ends_at = models.DateTimeField()
    rule = models.CharField(max_length=80)
    rule_version = models.CharField(max_length=40)
    # The letter or email, for a resignation an officer recorded (stored like case evidence).
    letter = models.FileField(upload_to="members/resignations/%Y/%m/", blank=True)
    letter_name = models.CharField(max_length=200, blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    letter_size = models.PositiveBigIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)
    dispute = models.CharField(max_length=1000, blank=True, help_text="What the member said disputing it.")
    notice_dispatch_id = models.BigIntegerField(null=True, blank=True, help_text="The notice that told them.")

    class Meta:
        ordering = ["person", "-created_at", "-id"]
        indexes = [models.Index(fields=["state", "window_ends_at"], name="members_resignation_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(state="pending"), name="members_one_pending_resignation"
            ),
            models.CheckConstraint(
                condition=~models.Q(route="letter") | ~models.Q(letter_sha256=""),
                name="members_letter_resignation_has_evidence",
            ),
            models.CheckConstraint(
                condition=models.Q(state="pending") | models.Q(closed_at__isnull=False),
                name="members_resignation_closed_when_not_pending",
            ),
        ]


class SectionMembership(models.Model):
    """A member's own declaration that they belong to a section of the rulebook (`[sections.*]` with basis
    "declaration"), from `since` until they withdraw it (`until`, the last day they belonged). Kept with its
    dates so that "who was in the section on the freeze date" has one answer. Some sections make this
    special-category data (ethnicity, disability, sexuality): see polity/members/sections.py."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sections")
    section = models.CharField(max_length=30)  # a key of the rulebook's [sections]
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person", "section", "since", "id"]
        indexes = [models.Index(fields=["section", "since"], name="members_section_since")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "section"],
                condition=models.Q(until__isnull=True),
                name="members_one_open_section",
            ),
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="members_section_order",
            ),
        ]
