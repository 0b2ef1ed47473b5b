"""Meetings of bodies: seats, meetings and their notice, attendance, agenda, motions, votes, minutes,
motions sent to other bodies, and members' calendar feeds.

Who sits on a body is history: a seat is an office term (polity.access) tied to the body, with a `Seat`
row saying why (delegate of a branch or an affiliate, co-opted); ex officio members are the holders of
the offices the rulebook names for the body. Nothing is overwritten: a seat ends, a new one starts.

A secret vote stores who voted (`SecretVoteReceipt`, no choice) apart from how many chose what
(`SecretTally`, no voter): no row links a voter to a choice.
"""

from __future__ import annotations

from django.db import models

from polity.members.models import Person
from polity.org.models import Body, Unit


class SeatBasis(models.TextChoices):
    DELEGATE = "delegate", "Delegate"
    CO_OPTED = "co_opted", "Co-opted member"


class Seat(models.Model):
    """Why someone holds a seat on a body: the office term is the seat, this says where it came from."""

    term = models.OneToOneField("access.OfficeTerm", on_delete=models.PROTECT, related_name="seat")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="seats")
    basis = models.CharField(max_length=12, choices=SeatBasis.choices)
    # A delegate's branch (a unit), or the name of the affiliate that sent them.
    from_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_affiliate = models.CharField(max_length=200, blank=True)
    created_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(basis="delegate")
                | models.Q(from_unit__isnull=False)
                | ~models.Q(from_affiliate=""),
                name="meetings_seat_delegate_from",
            )
        ]


class State(models.TextChoices):
    CALLED = "called", "Called"
    NOTICED = "noticed", "Notice sent"
    OPEN = "open", "In session"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class CalledBy(models.TextChoices):
    OFFICE = "office", "Called by an officer"
    REQUISITION = "requisition", "Called on a requisition of members"
    UNIT_ABOVE = "unit_above", "Called by the unit above"


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=40, default="ordinary")  # a key of the rulebook's [meeting_kinds]
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300)
    online_link = models.URLField(max_length=500, blank=True)
    agenda = models.TextField(blank=True, help_text="The agenda as text, for the notice.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.CALLED)
    called_how = models.CharField(max_length=12, choices=CalledBy.choices, default=CalledBy.OFFICE)
    created_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(null=True, blank=True)
    # Notice: the latest time it may go out (from the rule, kept with the rule's text and version).
    notice_due_by = models.DateTimeField(null=True, blank=True)
    notice_rule = models.CharField(max_length=120, blank=True)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    # Set once notice went out to someone entitled later than the rule allows.
    notice_late_at = models.DateTimeField(null=True, blank=True)
    waived_by_label = models.CharField(max_length=150, blank=True)
    waived_at = models.DateTimeField(null=True, blank=True)
    waiver_reason = models.CharField(max_length=500, blank=True)
    # At opening: those entitled, the quorum computed from them.
    entitled_count = models.PositiveIntegerField(null=True, blank=True)
    quorum = models.PositiveIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Whether quorum was ever reached while in session, and whether it held at the close.
    was_quorate = models.BooleanField(default=False)
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["body", "starts_at"], name="meetings_body_starts"),
            models.Index(fields=["state", "starts_at"], name="meetings_state_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(waived_at__isnull=True) | ~models.Q(waived_by_label=""),
                name="meetings_waiver_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="cancelled") | ~models.Q(cancel_reason=""),
                name="meetings_cancel_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        from polity.rulebook.loader import get_rulebook

        kind = get_rulebook().meeting_kinds.get(self.kind)
        return kind.label if kind else self.kind.replace("_", " ").capitalize()

    @property
    def notice_is_late(self) -> bool:
        return self.notice_late_at is not None

    @property
    def notice_is_valid(self) -> bool:
        """Invariant 7's first half: notice went out in time to everyone entitled, or late notice was waived."""
        in_time = self.notice_sent_at is not None and self.notice_late_at is None
        return in_time or self.waived_at is not None


class Requisition(models.Model):
    """Members of a body oblige its secretary to call a meeting; past the rule's deadline the unit above may.

    A member starts one and others sign it themselves; it is submitted (its deadline opens) once it has the
    rulebook's number of signatures. Until then `submitted_at` and `call_by` are empty."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="requisitions")
    purpose = models.TextField()
    signatories = models.ManyToManyField(Person, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    call_by = models.DateTimeField(null=True, blank=True)
    deadline_id = models.BigIntegerField(null=True, blank=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["-submitted_at"]


class NoticeGiven(models.Model):
    """Notice of a meeting queued for one person (email and post through the outbox), once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    queued_at = models.DateTimeField()
    dispatch_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="meetings_notice_once")]


class Presence(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGY = "apology", "Apologies"
    LEFT = "left", "Left the meeting"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    presence = models.CharField(max_length=10, choices=Presence.choices)
    is_entitled = models.BooleanField(help_text="Entitled to take part (a seat and good standing) that day.")
    self_signed = models.BooleanField(default=False)
    recorded_by_label = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="meetings_attend_once")]
        indexes = [models.Index(fields=["meeting", "presence", "is_entitled"], name="meetings_attend_live")]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]


class MotionState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    RULED_OUT = "ruled_out", "Ruled out of order"
    VOTING = "voting", "Being voted on"
    CARRIED = "carried", "Carried"
    LOST = "lost", "Lost"
    WITHDRAWN = "withdrawn", "Withdrawn"


class VoteMethod(models.TextChoices):
    COUNTS = "counts", "Show of hands (counted by the chair)"
    NAMED = "named", "Named vote"
    SECRET = "secret", "Secret vote"


class Motion(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="motions")
    number = models.PositiveSmallIntegerField()
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    title = models.CharField(max_length=200)
    text = models.TextField()
    mover = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    seconder = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    is_emergency = models.BooleanField(default=False)
    # An emergency motion after the deadline is admitted only on the chair's ruling, recorded.
    ruling = models.CharField(max_length=500, blank=True)
    ruled_by_label = models.CharField(max_length=150, blank=True)
    state = models.CharField(max_length=10, choices=MotionState.choices, default=MotionState.SUBMITTED)
    method = models.CharField(max_length=8, choices=VoteMethod.choices, blank=True)
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_against = models.PositiveIntegerField(null=True, blank=True)
    abstentions = models.PositiveIntegerField(null=True, blank=True)
    vote_opened_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="meetings_motion_number"),
            models.CheckConstraint(
                condition=~models.Q(state__in=["carried", "lost"])
                | models.Q(votes_for__isnull=False, votes_against__isnull=False, decided_at__isnull=False),
                name="meetings_motion_decided_counts",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Choice(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"
    ABSTAIN = "abstain", "Abstain"


class NamedVote(models.Model):
    """A named vote: who voted how, shown with the result."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="named_votes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "person"], name="meetings_named_once")]


class SecretVoteReceipt(models.Model):
    """That someone voted in a secret vote (never how; no time either, which could be matched)."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="secret_receipts")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "person"], name="meetings_secret_once")]


class SecretTally(models.Model):
    """How many chose what in a secret vote: one counter per choice, no voter."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="secret_tallies")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "choice"], name="meetings_tally_choice")]


class MinutesState(models.TextChoices):
    DRAFT = "draft", "Draft"
    CIRCULATED = "circulated", "Circulated to the body"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published to members"


class Minutes(models.Model):
    """One version of a meeting's minutes; a correction is a new version, the old one is kept."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    version = models.PositiveSmallIntegerField()
    text = models.TextField()
    state = models.CharField(max_length=12, choices=MinutesState.choices, default=MinutesState.DRAFT)
    written_by_label = models.CharField(max_length=150)
    written_at = models.DateTimeField()
    circulated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_at_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_minutes"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="meetings_minutes_version")
        ]


class ReferralState(models.TextChoices):
    SENT = "sent", "Waiting for acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged, waiting for an answer"
    ANSWERED = "answered", "Answered"


class Referral(models.Model):
    """A carried motion sent to another body (usually one above), with deadlines to acknowledge and answer."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="referrals")
    from_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="referrals_sent")
    to_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="referrals_received")
    is_emergency = models.BooleanField(default=False)
    state = models.CharField(max_length=14, choices=ReferralState.choices, default=ReferralState.SENT)
    sent_at = models.DateTimeField()
    sent_by_label = models.CharField(max_length=150)
    acknowledgement_deadline_id = models.BigIntegerField(null=True, blank=True)
    response_deadline_id = models.BigIntegerField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by_label = models.CharField(max_length=150, blank=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by_label = models.CharField(max_length=150, blank=True)
    answered_late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["to_body", "state"], name="meetings_referral_to")]
        constraints = [
            models.UniqueConstraint(fields=["motion", "to_body"], name="meetings_referral_once"),
            models.CheckConstraint(
                condition=~models.Q(state="answered")
                | (~models.Q(answer="") & models.Q(answered_at__isnull=False)),
                name="meetings_referral_answer",
            ),
        ]


class CalendarFeed(models.Model):
    """A member's calendar feed: the URL carries a secret, of which only a hash is stored. Revoking
    replaces it, so the old URL stops working."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="meeting_feed")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
