"""Cases: complaints, disciplinary cases, objections to membership, appeals.

The workflow lives in `workflow.py` (a transition table), the refusals in `services.py`, the conflict
graph in `conflicts.py`. Stage timestamps are kept on the case itself so public statistics are one
aggregate query over one table, whatever the number of cases.
"""

from django.db import models

from polity.deadlines.models import Deadline
from polity.members.models import Person
from polity.org.models import Body, Unit


class Kind(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    DISCIPLINARY = "disciplinary", "Disciplinary case"
    OBJECTION = "objection", "Objection to membership"
    APPEAL = "appeal", "Appeal against a decision"


class CaseState(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    TRIAGED = "triaged", "Triaged"
    INVESTIGATION = "investigation", "Under investigation"
    NOTICE_SENT = "notice_sent", "Allegations sent to the respondent"
    HEARING = "hearing", "Hearing arranged"
    DECIDED = "decided", "Decided"
    COMMUNICATED = "communicated", "Decision communicated"
    APPEAL = "appeal", "Under appeal"
    APPEAL_DECIDED = "appeal_decided", "Appeal decided"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    NO_CASE = "no_case", "No case to answer"
    NOT_UPHELD = "not_upheld", "Not upheld"
    UPHELD_NO_SANCTION = "upheld", "Upheld, no sanction"
    WARNING = "warning", "Upheld: formal warning"
    SUSPENSION = "suspension", "Upheld: suspension"
    EXPULSION = "expulsion", "Upheld: expulsion"
    REMOVAL = "removal", "Upheld: removal from office"
    OBJECTION_DISMISSED = "objection_dismissed", "Objection dismissed: membership stands"
    APPLICATION_REFUSED = "application_refused", "Objection upheld: application refused"


# Outcomes that act against the respondent: they need notice, delivery and the reply window first.
ADVERSE_OUTCOMES = frozenset(
    {
        Outcome.WARNING,
        Outcome.SUSPENSION,
        Outcome.EXPULSION,
        Outcome.REMOVAL,
        Outcome.APPLICATION_REFUSED,
        Outcome.UPHELD_NO_SANCTION,
    }
)


class AppealOutcome(models.TextChoices):
    DISMISSED = "dismissed", "Appeal dismissed: decision stands"
    ALLOWED = "allowed", "Appeal allowed: decision set aside"


class Case(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=CaseState.choices, default=CaseState.RECEIVED)
    # The unit whose case team handles it; its deadlines escalate to the unit above.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases")
    summary = models.TextField(help_text="The complaint or allegations, in the sender's words.")
    objecting_body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A complaint from someone not on the register (email verified before it counts).
    sender_name = models.CharField(max_length=200, blank=True)
    sender_email = models.EmailField(blank=True)
    triage_reasons = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    appeal_grounds = models.TextField(blank=True)
    appeal_outcome = models.CharField(max_length=12, choices=AppealOutcome.choices, blank=True)
    appeal_reasons = models.TextField(blank=True)
    appeal_until = models.DateTimeField(null=True, blank=True)
    appeal_rule = models.CharField(
        max_length=120, blank=True, help_text="Rule key and version of the window."
    )
    hearing_at = models.DateTimeField(null=True, blank=True)
    # Stage timestamps (statistics read these; no personal data).
    received_at = models.DateTimeField()
    ack_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    investigation_at = models.DateTimeField(null=True, blank=True)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    communicated_at = models.DateTimeField(null=True, blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The deadline the case team works to next (denormalised for the queue's index).
    next_due_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-received_at", "id"]
        indexes = [
            models.Index(fields=["unit", "state", "next_due_at"], name="cases_queue"),
            models.Index(fields=["unit", "received_at"], name="cases_unit_received"),
            models.Index(fields=["next_due_at", "id"], name="cases_next_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="") | ~models.Q(decision_reasons=""),
                name="cases_decision_has_reasons",
            ),
            models.CheckConstraint(
                condition=models.Q(appeal_outcome="") | ~models.Q(appeal_reasons=""),
                name="cases_appeal_has_reasons",
            ),
            models.CheckConstraint(condition=~models.Q(summary=""), name="cases_has_summary"),
        ]

    def __str__(self) -> str:
        return self.reference


class Role(models.TextChoices):
    COMPLAINANT = "complainant", "Complainant"
    RESPONDENT = "respondent", "Respondent"
    WITNESS = "witness", "Witness"
    INVESTIGATOR = "investigator", "Investigator"
    DECISION_PANEL = "decision_panel", "Decision panel"
    APPEAL_PANEL = "appeal_panel", "Appeal panel"


PARTY_ROLES = frozenset({Role.COMPLAINANT, Role.RESPONDENT, Role.WITNESS})
PANEL_ROLES = frozenset({Role.INVESTIGATOR, Role.DECISION_PANEL, Role.APPEAL_PANEL})


class Participant(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_roles")
    role = models.CharField(max_length=16, choices=Role.choices)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "role", "id"]
        indexes = [models.Index(fields=["person", "role"], name="cases_participant_person")]
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="cases_participant_once"),
        ]


class CaseLink(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    linked = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "linked"], name="cases_link_once"),
            models.CheckConstraint(condition=~models.Q(case=models.F("linked")), name="cases_link_not_self"),
        ]


class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="cases/evidence/%Y/%m/")
    original_name = models.CharField(max_length=200)
    description = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.CharField(max_length=150)
    # When a delivered notice put it in front of the respondent (decisions may rely only on these).
    disclosed_at = models.DateTimeField(null=True, blank=True)
    # The party who supplied it (a complainant's file, a respondent's statement); empty: the case team's.
    supplied_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A party's written statement, kept as a text file like any other evidence.
    is_statement = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "uploaded_at", "id"]


class NoticeKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    MESSAGE_ACK = "message_ack", "Acknowledgement of a message"
    MESSAGE = "message", "A message from the case team"
    ALLEGATIONS = "allegations", "Notice of allegations and evidence"
    HEARING = "hearing", "Notice of hearing"
    DECISION = "decision", "Decision with the appeal route"
    APPEAL_DECISION = "appeal_decision", "Decision on appeal"


class Notice(models.Model):
    """A statutory message to one person about the case, sent through the communications system."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(blank=True, help_text="For a sender not on the register.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="notices")
    dispatch_id = models.BigIntegerField(null=True, blank=True, help_text="The outbox entry that carries it.")
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The decision (or appeal decision) a decision notice carries: later decisions need new notices.
    outcome = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["case", "created_at", "id"]
        indexes = [models.Index(fields=["dispatch_id"], name="cases_notice_dispatch")]


class Reply(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "received_at"]


class Direction(models.TextChoices):
    TO_TEAM = "to_team", "To the case team"
    FROM_TEAM = "from_team", "From the case team"


class Message(models.Model):
    """Correspondence between the case team and one party, on the record of the case.

    A message to the team is acknowledged by a rulebook deadline (`deadline`). Whether the other party may
    read it (no coaching in the dark) is decided by the rulebook when it is written, and kept with it.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    party = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    party_role = models.CharField(max_length=16, choices=Role.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    text = models.TextField()
    written_at = models.DateTimeField()
    author_label = models.CharField(max_length=150)
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    shared = models.BooleanField(help_text="Shown to the other side of the case.")
    share_rule = models.CharField(
        max_length=120, help_text="The rule (and its version) that decided `shared`."
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["case", "written_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="cases_message_has_text"),
            models.CheckConstraint(
                condition=models.Q(direction="to_team") | models.Q(acknowledged_at__isnull=True),
                name="cases_message_ack_only_to_team",
            ),
        ]


class Suspension(models.Model):
    """An administrative suspension inside a case: always with reasons and a review date."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suspensions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_suspensions")
    reasons = models.TextField()
    starts_at = models.DateTimeField()
    review_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "starts_at"]
        indexes = [models.Index(fields=["lifted_at", "starts_at"], name="cases_suspension_active")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_at__gt=models.F("starts_at")),
                name="cases_suspension_review_after_start",
            ),
            models.CheckConstraint(condition=~models.Q(reasons=""), name="cases_suspension_has_reasons"),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True) | ~models.Q(lifted_reasons=""),
                name="cases_suspension_lift_has_reasons",
            ),
        ]


class Refusal(models.Model):
    """An action the due-process rules refused, kept on the case: who tried what, and which rule said no."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="refusals")
    action = models.CharField(max_length=40)
    rule = models.CharField(max_length=200)
    detail = models.CharField(max_length=500)
    actor_label = models.CharField(max_length=150)
    at = models.DateTimeField()

    class Meta:
        ordering = ["case", "at", "id"]


class PendingComplaint(models.Model):
    """A complaint from someone not on the register, waiting for them to confirm their email address.

    Only digests of the two secrets are kept: the confirmation link's and the status link's.
    """

    sender_name = models.CharField(max_length=200)
    sender_email = models.EmailField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    confirm_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="pending"
    )
    follow_digest = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["sender_email", "created_at"], name="cases_pending_email")]
