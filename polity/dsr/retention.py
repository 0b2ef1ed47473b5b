"""The retention job: anonymise what has outlived its period in the rulebook's [retention], in chunks
(memory bounded by the chunk, whatever the register's size), with counts reported and nothing touched
that an open request or an open case holds.

- `retention.lapsed_member_record`: a person whose membership ended (lapsed, resigned, expelled, refused)
  that long ago is anonymised through every registered holding, like an erasure but without suppressing
  their addresses (they may rejoin).
- `retention.closed_case`: a case closed that long ago loses its text (what was said, correspondence,
  replies, notices, evidence files); its outcome and dates stay for the statistics.
- `retention.consent_evidence`: a consent event superseded by a later one that long ago loses the person,
  who recorded it and the evidence (polity.consent.retention); the latest event of each person, purpose
  and channel is never touched, so nobody's consent changes.
- `retention.access_log`: an event that old loses every link to a person, sealed so that `polity audit
  verify` still checks the whole chain (polity.audit.anonymise, decision 0031).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from polity.audit.anonymise import audit_anonymise
from polity.audit.services import audit_record
from polity.cases.models import Case, CaseState, Evidence, Notice, Participant, Reply
from polity.cases.models import Message as CaseMessage
from polity.common.actor import Actor
from polity.common.errors import DomainError
from polity.consent.retention import consent_anonymise_superseded
from polity.dsr import clock
from polity.dsr.models import OPEN_STATES, Anonymised, Request
from polity.dsr.services.answer import erase_people
from polity.members.models import ENDING_STATUSES, MembershipPeriod, Person
from polity.rulebook.loader import get_rulebook

LAPSED = "retention.lapsed_member_record"
CLOSED_CASE = "retention.closed_case"
CONSENT = "retention.consent_evidence"
ACCESS_LOG = "retention.access_log"
CHUNK = 1000
REMOVED = "[removed at the end of its retention period]"


@dataclass
class RetentionReport:
    people_anonymised: int = 0
    people_held: int = 0
    cases_anonymised: int = 0
    cases_held: int = 0
    consent_events_anonymised: int = 0
    consent_events_held: int = 0
    access_log_events_anonymised: int = 0
    access_log_events_held: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {
            "people_anonymised": self.people_anonymised,
            "people_held": self.people_held,
            "cases_anonymised": self.cases_anonymised,
            "cases_held": self.cases_held,
            "consent_events_anonymised": self.consent_events_anonymised,
            "consent_events_held": self.consent_events_held,
            "access_log_events_anonymised": self.access_log_events_anonymised,
            "access_log_events_held": self.access_log_events_held,
        }


def _held_people() -> Q:
    """People an open request or an open case holds."""
    open_request = Request.objects.filter(person_id=OuterRef("pk"), state__in=list(OPEN_STATES))
    open_case = Participant.objects.filter(person_id=OuterRef("pk")).exclude(case__state=CaseState.CLOSED)
    return Q(Exists(open_request)) | Q(Exists(open_case))


def _held_person_ids() -> set[int]:
    """The people an open request or an open case holds (a few thousand at most: open work)."""
    requests = Request.objects.filter(state__in=list(OPEN_STATES), person__isnull=False)
    cases = Participant.objects.exclude(case__state=CaseState.CLOSED).exclude(person__isnull=True)
    return set(requests.values_list("person_id", flat=True)) | set(cases.values_list("person_id", flat=True))


def _expired_people(cutoff: date) -> QuerySet[Person]:
    """People whose last membership period ended before `cutoff`, with none open, not yet anonymised."""
    # Max over the person's own periods (their person_id index), not "latest by ended_on" (which PostgreSQL
    # planned as a backward walk of the whole ended_on index per person: minutes at 500,000 members).
    last_end = (
        MembershipPeriod.objects.filter(person_id=OuterRef("pk"))
        .order_by()
        .values("person_id")
        .annotate(last=Max("ended_on"))
        .values("last")
    )
    return (
        Person.objects.filter(status__in=list(ENDING_STATUSES))
        .exclude(Exists(Anonymised.objects.filter(person_id_anonymised=OuterRef("pk"))))
        .exclude(Exists(MembershipPeriod.objects.filter(person_id=OuterRef("pk"), ended_on__isnull=True)))
        .annotate(last_end=Subquery(last_end))
        .filter(last_end__lt=cutoff)
    )


def retention_run(*, actor: Actor, today: date | None = None) -> RetentionReport:
    """Run the whole job once. The system only."""
    if not actor.is_system:
        raise DomainError("only the system runs the retention job")
    today = today or clock.local_today()
    book = get_rulebook()
    report = RetentionReport()

    cutoff = book.rule(LAPSED).subtract_from(today)
    expired = _expired_people(cutoff)
    report.people_held = expired.filter(_held_people()).count()
    free = expired.exclude(_held_people()).order_by("pk")
    last = 0
    while True:  # keyset pages: memory holds one chunk of ids, whatever the register's size
        chunk = list(free.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK])
        if not chunk:
            break
        last = chunk[-1]
        with transaction.atomic():
            counts = erase_people(chunk, [])
            Anonymised.objects.bulk_create(
                [Anonymised(person_id_anonymised=pk, at=timezone.now(), why="retention") for pk in chunk],
                ignore_conflicts=True,
            )
            for key, n in counts.items():
                report.rows[key] = report.rows.get(key, 0) + n
        report.people_anonymised += len(chunk)

    case_cutoff = _start_of(book.rule(CLOSED_CASE).subtract_from(today))
    old_cases = Case.objects.filter(state=CaseState.CLOSED, closed_at__lt=case_cutoff).exclude(
        summary=REMOVED
    )
    open_request_party = Participant.objects.filter(
        case_id=OuterRef("pk"),
        person_id__in=Request.objects.filter(state__in=list(OPEN_STATES), person__isnull=False).values(
            "person_id"
        ),
    )
    report.cases_held = old_cases.filter(Exists(open_request_party)).count()
    case_ids = list(old_cases.exclude(Exists(open_request_party)).values_list("pk", flat=True))
    for start in range(0, len(case_ids), CHUNK):
        chunk = case_ids[start : start + CHUNK]
        with transaction.atomic():
            report.cases_anonymised += _anonymise_cases(chunk)

    held = _held_person_ids()
    ledger = consent_anonymise_superseded(
        actor=actor, before=_start_of(book.rule(CONSENT).subtract_from(today)), held=held
    )
    report.consent_events_anonymised, report.consent_events_held = ledger.anonymised, ledger.held
    log = audit_anonymise(
        actor=actor, before=_start_of(book.rule(ACCESS_LOG).subtract_from(today)), held=held
    )
    report.access_log_events_anonymised, report.access_log_events_held = log.anonymised, log.held
    audit_record(actor=actor, verb="dsr.retention_run", purpose="retention", data=report.as_dict())
    return report


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _anonymise_cases(case_ids: list[int]) -> int:
    for evidence in Evidence.objects.filter(case_id__in=case_ids).exclude(file=""):
        evidence.file.delete(save=False)
    Evidence.objects.filter(case_id__in=case_ids).update(
        file="", original_name="removed", description=REMOVED
    )
    CaseMessage.objects.filter(case_id__in=case_ids).update(text=REMOVED)
    Reply.objects.filter(case_id__in=case_ids).update(text=REMOVED)
    Notice.objects.filter(case_id__in=case_ids).update(body=REMOVED, email="")
    return Case.objects.filter(pk__in=case_ids).update(
        summary=REMOVED,
        sender_name="",
        sender_email="",
        triage_reasons="",
        decision_reasons=REMOVED,
        appeal_grounds="",
        appeal_reasons=REMOVED,
    )
