"""Elections: the election and its timetable, the roll fixed at the freeze date, candidates and their
nominations, and the ballots, which link to nobody.

Invariant 9 of DESIGN.md lives in the shape of these tables:
* `RollEntry` is the electorate fixed at the freeze; `Participation` records that a roll entry has voted
  (one row at most: its primary key *is* the roll entry), with no time and no link to a ballot;
* `Ballot` has a random primary key, no voter, no roll entry, no participation and no time: nothing in
  the database orders a ballot against the roll (tests/test_secrecy.py attacks this).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from polity.members.models import Person
from polity.org.models import Body, Unit


class Method(models.TextChoices):
    FPTP = "fptp", "First past the post"
    AV = "av", "Alternative vote"
    SV = "sv", "Supplementary vote"
    STV_SCOTTISH = "stv-scottish", "Single transferable vote (Scottish rules)"
    STV_ERS97 = "stv-ers97", "Single transferable vote (ERS 1997 rules)"
    STV_MEEK = "stv-meek", "Single transferable vote (Meek's method)"


SINGLE_SEAT_METHODS = frozenset({Method.AV, Method.SV})


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    FROZEN = "frozen", "Roll frozen"
    NOMINATIONS = "nominations", "Nominations open"
    POLLING = "polling", "Poll open"
    CLOSED = "closed", "Poll closed"
    COUNTED = "counted", "Counted"
    PUBLISHED = "published", "Result published"


class Electorate(models.TextChoices):
    UNIT = "unit", "Members of a unit"
    BODY = "body", "Members of a body"
    SECTION = "section", "Members of a section within a unit"


class Election(models.Model):
    """One election: what is elected, how it is counted, who votes, its timetable and its state."""

    title = models.CharField(max_length=200)
    office = models.CharField(
        max_length=200, help_text="What is elected, e.g. 'National executive committee'."
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="elections")
    method = models.CharField(max_length=16, choices=Method.choices)
    seats = models.PositiveSmallIntegerField(default=1)
    electorate = models.CharField(max_length=8, choices=Electorate.choices, default=Electorate.UNIT)
    electorate_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    electorate_body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A key of the rulebook's [sections], with electorate "section": its members within `electorate_unit`.
    electorate_section = models.CharField(max_length=30, blank=True)
    needs_body_nominations = models.BooleanField(default=False)
    # Set by its creator at creation (a selection's member ballot): the candidates are fixed by a shortlist
    # decided elsewhere with reasons, so members and bodies nominate no one.
    candidates_from_shortlist = models.BooleanField(default=False)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    returning_officer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    # The freeze: published before nominations open, never moved afterwards. The roll is fixed on it.
    freeze_on = models.DateField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    roll_size = models.PositiveIntegerField(null=True, blank=True)
    # The timetable, computed from the rulebook at the freeze (the version is remembered).
    nominations_close_at = models.DateTimeField(null=True, blank=True)
    poll_opens_at = models.DateTimeField(null=True, blank=True)
    poll_closes_at = models.DateTimeField(null=True, blank=True)
    rulebook_version = models.CharField(max_length=40, blank=True)
    ballot_published_at = models.DateTimeField(null=True, blank=True)
    poll_opened_at = models.DateTimeField(null=True, blank=True)
    # The lot seed, published when the poll opens (before it closes), used by every count.
    seed = models.BigIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The seal: a digest of the ballots (grouped rankings) and of the receipts, taken at the close.
    sealed_digest = models.CharField(max_length=64, blank=True)
    receipts_digest = models.CharField(max_length=64, blank=True)
    sealed_count = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    recounts = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="elections_seats_positive"),
            models.CheckConstraint(
                condition=Q(
                    electorate="unit",
                    electorate_unit__isnull=False,
                    electorate_body__isnull=True,
                    electorate_section="",
                )
                | Q(
                    electorate="body",
                    electorate_body__isnull=False,
                    electorate_unit__isnull=True,
                    electorate_section="",
                )
                | (
                    Q(electorate="section", electorate_unit__isnull=False, electorate_body__isnull=True)
                    & ~Q(electorate_section="")
                ),
                name="elections_electorate_named",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(freeze_on__isnull=False, roll_size__isnull=False),
                name="elections_frozen_after_draft",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "frozen", "nominations"]) | Q(seed__isnull=False),
                name="elections_seed_before_poll",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["counted", "published"])
                | (Q(result__isnull=False) & ~Q(sealed_digest="")),
                name="elections_counted_from_seal",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ranked(self) -> bool:
        return self.method != Method.FPTP

    @property
    def max_preferences(self) -> int | None:
        """How many candidates a ballot may mark: SV two, FPTP the seats, the others all."""
        if self.method == Method.SV:
            return 2
        if self.method == Method.FPTP:
            return self.seats
        return None


class Group(models.Model):
    """A group minimum passed to the count: at least `minimum` of the elected from the group. A reserved
    seat is a minimum of one. Candidates self-identify with a group when they accept nomination."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="groups")
    label = models.CharField(max_length=100)
    minimum = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["election", "label"]
        constraints = [
            models.UniqueConstraint(fields=["election", "label"], name="elections_group_label_unique"),
            models.CheckConstraint(condition=Q(minimum__gte=1), name="elections_group_minimum_positive"),
        ]


class RollEntry(models.Model):
    """A member on the roll fixed at the freeze date. Reads of the roll are recorded in the access log."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="elections_roll_once"),
        ]


class Channel(models.TextChoices):
    WEB = "web", "Web ballot"
    PAPER = "paper", "Paper or postal ballot"


class Participation(models.Model):
    """That a voter on the roll has voted, and how. Its key is the roll entry: the database stores at most
    one per voter. No time, no link to the ballot (DESIGN invariant 9)."""

    entry = models.OneToOneField(RollEntry, primary_key=True, on_delete=models.CASCADE, related_name="vote")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="participations")
    channel = models.CharField(max_length=8, choices=Channel.choices)


class Ballot(models.Model):
    """One ballot as cast: the candidates' ballot positions in order of preference (FPTP: the marked
    ones). A random key, and nothing that names or orders it against a voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    ranking = models.CharField(max_length=200)  # ballot positions from 1, space separated: "3 1 2"
    # SHA-256 of the voter's receipt code (web ballots); the code itself is only ever shown to the voter.
    receipt_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        indexes = [models.Index(fields=["election", "ranking"], name="elections_ballot_ranking")]


class CandidateState(models.TextChoices):
    NOMINATED = "nominated", "Nominated, awaiting the candidate's acceptance"
    ACCEPTED = "accepted", "Accepted by the candidate, awaiting validation"
    VALID = "valid", "Validly nominated"
    REFUSED = "refused", "Nomination refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    ballot_name = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=CandidateState.choices, default=CandidateState.NOMINATED)
    nominated_at = models.DateTimeField()
    # The candidate's written acceptance, in their words, and when they gave it.
    acceptance = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    statement = models.TextField(blank=True)
    groups = models.ManyToManyField(Group, blank=True, related_name="candidates")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    reasons = models.TextField(blank=True, help_text="The returning officer's reasons for a refusal.")
    ballot_position = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["election", "ballot_position", "ballot_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="elections_candidate_once"),
            models.UniqueConstraint(
                fields=["election", "ballot_position"],
                condition=Q(ballot_position__isnull=False),
                name="elections_ballot_position_unique",
            ),
            models.CheckConstraint(
                condition=~Q(state="refused") | ~Q(reasons=""), name="elections_refusal_has_reasons"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "valid"]) | ~Q(acceptance=""),
                name="elections_acceptance_in_writing",
            ),
        ]

    def __str__(self) -> str:
        return self.ballot_name


class Nomination(models.Model):
    """A nomination of a candidate by a body (a constituency's general committee, an affiliate)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="nominations")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(help_text="The meeting at which the body nominated.")
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "body"], name="elections_nomination_once")
        ]


class Agent(models.Model):
    """A candidate's agent: sees turnout while the poll is open, never a ballot."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="agents")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "person"], name="elections_agent_once")]


class Teller(models.Model):
    """A teller the returning officer appointed to enter paper ballots."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="tellers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="elections_teller_once")]


class PaperState(models.TextChoices):
    PENDING = "pending", "Entered once"
    AGREED = "agreed", "Both entries agree: counted"
    DISCREPANCY = "discrepancy", "The entries differ"
    RESOLVED = "resolved", "Discrepancy resolved by the returning officer"


class Paper(models.Model):
    """A paper or postal ballot paper, by the reference the tellers wrote on it at the opening (never a
    voter's number). Two tellers enter it; when they agree it becomes a ballot."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="papers")
    reference = models.CharField(max_length=40)
    state = models.CharField(max_length=12, choices=PaperState.choices, default=PaperState.PENDING)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["election", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["election", "reference"], name="elections_paper_reference_unique")
        ]


class PaperEntry(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="entries")
    teller = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    ranking = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "teller"], name="elections_one_entry_per_teller")
        ]
