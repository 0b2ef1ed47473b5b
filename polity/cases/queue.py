"""The case team's queue as a page: filters (state, kind, unit, assignee, overdue), a search by reference or
party name, the soonest deadline first with undated cases last, totals and page numbers.

And a member's own cases with their state and next deadline in words ("reply due in 5 days").
Selectors: they take the actor, scope through `access`, and record reads of personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import scopes
from polity.audit.services import audit_record
from polity.cases.models import PARTY_ROLES, Case, CaseState, Notice, NoticeKind, Participant, Reply, Role
from polity.cases.services.parties import ACK_RULE as MESSAGE_ACK_RULE
from polity.cases.services.process import reply_rule
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.common.labels import due_in_words, label
from polity.common.paging import PageNumbers
from polity.deadlines.models import PENDING_STATES, Deadline
from polity.members.models import Person
from polity.members.search import parse_person_query, person_query_q
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

PAGE_SIZE = 50
UNASSIGNED = "none"
MINE = "me"
_REFERENCE = re.compile(r"^(?:C-?)?(\d{1,9})$", re.IGNORECASE)

# What each case deadline is about, as its parties read it ("decision overdue by 2 days").
DEADLINE_WORDS = {
    "deadlines.complaint_acknowledgement": "acknowledgement",
    "deadlines.complaint_decision": "decision",
    "cases.triage": "triage",
    "cases.communication": "decision to be sent",
    "cases.appeal_decision": "appeal decision",
    "cases.message_acknowledgement": "acknowledgement of a message",
    "cases.suspension_review_grace": "review of the suspension",
}


@dataclass(frozen=True)
class QueueFilters:
    q: str = ""
    state: str = ""
    kind: str = ""
    unit: Unit | None = None
    assignee: str = ""  # a membership number, UNASSIGNED or MINE
    overdue: bool = False


@dataclass
class QueueRow:
    case: Case
    assignees: list[str]
    overdue: bool

    @property
    def summary_line(self) -> str:
        first = (self.case.summary or "").strip().splitlines()
        return first[0] if first else ""


@dataclass
class QueuePage(PageNumbers):
    rows: list[QueueRow] = field(default_factory=list)


def _scope_q(actor: Actor) -> Q:
    found = scopes(actor, Perm.CASES_HANDLE)
    if not found:
        raise NotVisible("not found")
    q = Q()
    for scope in found:
        q |= Q(path__startswith=scope.path)
    return q


def _in_scope(actor: Actor) -> QuerySet[Case]:
    # One round trip: the scope's unit ids as a subquery (an indexed IN on the case side).
    return Case.objects.filter(unit_id__in=Unit.objects.filter(_scope_q(actor)).values("pk"))


@dataclass(frozen=True)
class QueueChoices:
    """What the queue's filters offer: units holding cases in scope, and the investigators of open cases."""

    units: list[Unit]
    assignees: list[tuple[str, str]]  # (membership number, name)


def case_queue_choices(*, actor: Actor) -> QueueChoices:
    in_scope = _in_scope(actor)
    unit_ids = in_scope.values("unit_id").distinct()
    units = list(Unit.objects.filter(pk__in=unit_ids).only("pk", "name", "path").order_by("path"))
    people = (
        Person.objects.filter(
            case_roles__role=Role.INVESTIGATOR,
            case_roles__case__in=in_scope.exclude(state=CaseState.CLOSED),
        )
        .distinct()
        .order_by("family_name", "given_name", "id")
        .values_list("membership_number", "given_name", "family_name")
    )
    return QueueChoices(units, [(number, f"{given} {family}") for number, given, family in people])


def _search(qs: QuerySet[Case], text: str) -> QuerySet[Case]:
    text = " ".join(text.split())[:100]
    if not text:
        return qs
    match = _REFERENCE.match(text)
    by_reference = Q(reference=f"C-{int(match.group(1)):06d}") if match else Q(reference__iexact=text)
    query = parse_person_query(text)
    if query.is_empty:
        return qs.filter(by_reference)
    parties = Participant.objects.filter(
        role__in=list(PARTY_ROLES), person__in=Person.objects.filter(person_query_q(query)).values("pk")
    ).values("case_id")
    by_sender = Q(sender_name__icontains=text) if not query.is_number else Q(pk__in=[])
    return qs.filter(by_reference | Q(pk__in=parties) | by_sender)


def case_queue_page(
    *, actor: Actor, filters: QueueFilters, page: int = 1, page_size: int = PAGE_SIZE
) -> QueuePage:
    """One page of the queue: open cases in the actor's case-team scope (closed ones when asked for by
    state), the soonest deadline first and undated cases last. The parties of the cases shown (their
    summaries are on the page) are recorded in the access log."""
    qs = _in_scope(actor)
    qs = qs.filter(state=filters.state) if filters.state else qs.exclude(state=CaseState.CLOSED)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.unit is not None:
        qs = qs.filter(unit__path__startswith=filters.unit.path)
    now = timezone.now()
    if filters.overdue:
        qs = qs.filter(next_due_at__lt=now)
    if filters.assignee == UNASSIGNED:
        qs = qs.exclude(participants__role=Role.INVESTIGATOR)
    elif filters.assignee:
        who = (
            Q(person_id=actor.person_id or 0)
            if filters.assignee == MINE
            else Q(person__membership_number=filters.assignee)
        )
        qs = qs.filter(pk__in=Participant.objects.filter(who, role=Role.INVESTIGATOR).values("case_id"))
    qs = _search(qs, filters.q)
    page = max(1, page)
    cases = list(
        qs.select_related("unit")
        .only(
            "id", "reference", "kind", "state", "next_due_at", "received_at", "summary", "sender_name",
            "unit__name", "unit__path",
        )
        .order_by(F("next_due_at").asc(nulls_last=True), "id")[(page - 1) * page_size : page * page_size + 1]
    )  # fmt: skip
    has_next = len(cases) > page_size
    cases = cases[:page_size]
    total = (page - 1) * page_size + len(cases) if cases and not has_next else qs.count()
    assignees: dict[int, list[str]] = {}
    parties: set[int] = set()
    for case_id, role, person_id, given, family in Participant.objects.filter(
        case_id__in=[c.pk for c in cases]
    ).values_list("case_id", "role", "person_id", "person__given_name", "person__family_name"):
        if role == Role.INVESTIGATOR:
            assignees.setdefault(case_id, []).append(f"{given} {family}")
        elif role in PARTY_ROLES:
            parties.add(person_id)
    if cases:
        audit_record(
            actor=actor,
            verb="case.queue",
            subjects=sorted(parties),
            purpose="case",
            object_type="case",
            data={
                "q": bool(filters.q),
                "state": filters.state,
                "page": page,
                "shown": len(cases),
                "refs": [c.reference for c in cases],
            },
        )
    rows = [
        QueueRow(c, sorted(assignees.get(c.pk, [])), c.next_due_at is not None and c.next_due_at < now)
        for c in cases
    ]
    return QueuePage(page=page, total=total, page_size=page_size, shown=len(rows), rows=rows)


@dataclass(frozen=True)
class MyCase:
    """One of the signed-in person's cases, as they read it in their list."""

    case: Case
    roles: list[str]  # in words
    next_step: str  # "reply due in 5 days", "decision overdue by 2 days", or ""
    next_due_at: datetime | None


def cases_of_person_in_words(*, actor: Actor) -> list[MyCase]:
    """The cases the signed-in person takes part in, newest first, each with their roles, state and the next
    deadline that concerns them in words: their own reply when they are a respondent with allegations
    delivered and no reply yet, otherwise the case's soonest pending deadline (not the acknowledgement of
    someone else's message). Four queries, whatever the number of cases."""
    if actor.person_id is None:
        return []
    me = actor.person_id
    rows = (
        Participant.objects.filter(person_id=me).select_related("case").order_by("-case__received_at", "id")
    )
    found: dict[int, tuple[Case, list[str]]] = {}
    for row in rows:
        found.setdefault(row.case_id, (row.case, []))[1].append(row.role)
    if not found:
        return []
    ids = list(found)
    soonest: dict[int, Deadline] = {}
    for deadline in (
        Deadline.objects.filter(
            subject_type="case", subject_id__in=[str(i) for i in ids], state__in=PENDING_STATES
        )
        .exclude(rule_key=MESSAGE_ACK_RULE)
        .order_by("due_at", "id")
    ):
        soonest.setdefault(int(deadline.subject_id), deadline)
    delivered: dict[int, datetime] = {}
    for case_id, at in Notice.objects.filter(
        case_id__in=ids, person_id=me, kind=NoticeKind.ALLEGATIONS, delivered_at__isnull=False
    ).values_list("case_id", "delivered_at"):
        if at is not None:
            delivered[case_id] = max(at, delivered.get(case_id, at))
    replied = set(Reply.objects.filter(case_id__in=ids, person_id=me).values_list("case_id", flat=True))
    now = timezone.now()
    out = []
    for case_id, (case, roles) in found.items():
        step, due = "", None
        if case.state != CaseState.CLOSED:
            if Role.RESPONDENT in roles and case_id in delivered and case_id not in replied:
                due = get_rulebook().rule(reply_rule(case)).add_to(delivered[case_id])
                step = f"your reply {due_in_words(due, now)}"
            elif case_id in soonest:
                deadline = soonest[case_id]
                due = deadline.due_at
                what = (
                    DEADLINE_WORDS.get(deadline.rule_key) or deadline.title.partition(": ")[2] or "next step"
                )
                step = f"{what} {due_in_words(due, now)}"
        out.append(MyCase(case, [label(r) for r in roles], step, due))
    return out
