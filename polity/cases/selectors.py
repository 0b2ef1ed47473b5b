"""Reads of cases: one case as its viewer may see it, the case team's queue, evidence, public statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from polity.access.perms import Perm
from polity.access.policy import scopes
from polity.audit.services import audit_record
from polity.cases.gate import TEAM, allowed_actions, case_roles, is_party, require_case_visible
from polity.cases.models import (
    PANEL_ROLES,
    Case,
    CaseState,
    Direction,
    Evidence,
    Message,
    Notice,
    Participant,
    Refusal,
    Reply,
    Role,
)
from polity.cases.notices import notice_state
from polity.cases.services.parties import ACK_RULE as MESSAGE_ACK_RULE
from polity.cases.services.parties import SHARE_RULE
from polity.cases.services.process import reply_rule
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.deadlines.models import Deadline
from polity.deadlines.selectors import deadlines_for_subject
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

QUEUE_SIZE = 50


@dataclass
class MessageView:
    """One message of the case's correspondence as the viewer may see it: parties see roles, not names."""

    message: Message
    party: str  # whose correspondence: "you", "the complainant", "a respondent", or a name for the team
    is_mine: bool

    @property
    def from_team(self) -> bool:
        return self.message.direction == Direction.FROM_TEAM


@dataclass
class CaseView:
    """A case as one viewer may see it."""

    case: Case
    roles: frozenset[str]
    actions: list[str]
    deadlines: list[Deadline]
    notices: list[tuple[Notice, str]]
    evidence: list[Evidence]
    replies: list[Reply]
    participants: list[Participant] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    reply_due_at: datetime | None = None
    messages: list[MessageView] = field(default_factory=list)
    # Whether contact between the team and one party is shown to the other (rulebook, now).
    contact_shared: bool = False
    viewer: int | None = None

    @property
    def viewer_id(self) -> int | None:
        return self.viewer

    @property
    def is_team(self) -> bool:
        return TEAM in self.roles and not is_party(self.roles)

    @property
    def sees_everything(self) -> bool:
        return self.is_team or bool(self.roles & PANEL_ROLES)


def case_get(*, actor: Actor, case_id: int) -> CaseView:
    """One case for a party (their own notices and the evidence shown to them), or for the team and
    panels (everything, and the read is recorded in the access log)."""
    case = Case.objects.select_related("unit").filter(pk=case_id).first()
    if case is None:
        raise NotVisible("not found")
    roles = require_case_visible(actor, case)
    full = (TEAM in roles and not is_party(roles)) or bool(roles & PANEL_ROLES)
    notices = Notice.objects.filter(case=case).select_related("person")
    evidence = Evidence.objects.filter(case=case)
    replies = Reply.objects.filter(case=case)
    participants: list[Participant] = []
    if full:
        participants = list(Participant.objects.filter(case=case).select_related("person"))
        audit_record(
            actor=actor,
            verb="case.view",
            subjects=[p.person_id for p in participants],
            purpose="case",
            object_type="case",
            object_id=case.pk,
            data={"ref": case.reference},
        )
    else:
        me = actor.person_id or 0
        notices = notices.filter(person_id=me)
        evidence = evidence.filter(Q(notices__person_id=me) | Q(supplied_by_id=me)).distinct()
        replies = replies.filter(person_id=me)
    messages = _messages(actor, case, roles, full, participants)
    deadlines = deadlines_for_subject(subject_type="case", subject_id=case.pk)
    if not full:  # a party sees the acknowledgement deadlines of the messages they may read, no others
        readable = {view.message.deadline_id for view in messages}
        deadlines = [d for d in deadlines if d.rule_key != MESSAGE_ACK_RULE or d.pk in readable]
    notice_list = list(notices)
    reply_due = None
    delivered = [n.delivered_at for n in notice_list if n.kind == "allegations" and n.delivered_at]
    if delivered and Role.RESPONDENT in roles:
        reply_due = get_rulebook().rule(reply_rule(case)).add_to(max(delivered))
    return CaseView(
        case=case,
        roles=roles,
        actions=allowed_actions(actor, case),
        deadlines=deadlines,
        notices=[(n, notice_state(n)) for n in notice_list],
        evidence=list(evidence),
        replies=list(replies),
        participants=participants,
        reply_due_at=reply_due,
        refusals=list(Refusal.objects.filter(case=case)) if full else [],
        messages=messages,
        contact_shared=get_rulebook().flag(SHARE_RULE),
        viewer=actor.person_id,
    )


def _messages(
    actor: Actor, case: Case, roles: frozenset[str], full: bool, participants: list[Participant]
) -> list[MessageView]:
    """The case's correspondence the viewer may read: the team and panels all of it; a party their own, and
    the other side's where the rulebook shared it when it was written. A party reading another party's
    correspondence is a read of that party's data: it goes in the access log."""
    qs = Message.objects.filter(case=case).select_related("party", "deadline")
    me = actor.person_id or 0
    if full:
        names = {p.person_id: p.person.full_name for p in participants}
        return [
            MessageView(
                m, f"{names.get(m.party_id, m.party.full_name)} ({m.get_party_role_display().lower()})", False
            )
            for m in qs
        ]
    side = roles & {Role.COMPLAINANT, Role.RESPONDENT}
    qs = qs.filter(Q(party_id=me) | Q(shared=True)) if side else qs.filter(party_id=me)
    out = []
    others: set[int] = set()
    for m in qs:
        mine = m.party_id == me
        if not mine:
            others.add(m.party_id)
        label = "you" if mine else ("the complainant" if m.party_role == Role.COMPLAINANT else "a respondent")
        out.append(MessageView(m, label, mine))
    if others:
        audit_record(
            actor=actor,
            verb="case.read_shared_contact",
            subjects=sorted(others),
            purpose="case",
            object_type="case",
            object_id=case.pk,
            data={"ref": case.reference, "messages": sum(1 for v in out if not v.is_mine)},
        )
    return out


def cases_of_person(*, actor: Actor) -> list[tuple[Case, list[str]]]:
    """The cases the signed-in person takes part in, with their roles (their own status page)."""
    if actor.person_id is None:
        return []
    rows = (
        Participant.objects.filter(person_id=actor.person_id)
        .select_related("case")
        .order_by("-case__received_at")
    )
    out: dict[int, tuple[Case, list[str]]] = {}
    for row in rows:
        out.setdefault(row.case_id, (row.case, []))[1].append(row.role)
    return list(out.values())


def case_queue(*, actor: Actor, limit: int = QUEUE_SIZE, state: str = "") -> list[Case]:
    """The case team's queue: open cases in scope, soonest deadline first."""
    found = scopes(actor, Perm.CASES_HANDLE)
    if not found:
        raise NotVisible("not found")
    q = Q()
    for scope in found:
        q |= Q(path__startswith=scope.path)
    # One round trip: the scope's unit ids as a subquery (an indexed IN on the case side).
    qs = Case.objects.filter(unit_id__in=Unit.objects.filter(q).values("pk")).exclude(state=CaseState.CLOSED)
    if state:
        qs = qs.filter(state=state)
    return list(
        qs.select_related("unit")
        .only("id", "reference", "kind", "state", "next_due_at", "received_at", "unit__name", "unit__path")
        .order_by("next_due_at", "id")[:limit]
    )


def evidence_open(*, actor: Actor, evidence_id: int) -> Evidence:
    """Open an evidence file: the team, investigator and panels see all; a party what was sent to them in
    notices and what they supplied themselves. Every opening goes in the access log."""
    evidence = Evidence.objects.select_related("case").filter(pk=evidence_id).first()
    if evidence is None:
        raise NotVisible("not found")
    case = evidence.case
    roles = case_roles(actor, case)
    full = (TEAM in roles and not is_party(roles)) or bool(roles & PANEL_ROLES)
    me = actor.person_id or 0
    if not full and evidence.supplied_by_id != me and not evidence.notices.filter(person_id=me).exists():
        raise NotVisible("not found")
    subjects = Participant.objects.filter(
        case=case, role__in=[Role.COMPLAINANT, Role.RESPONDENT, Role.WITNESS]
    )
    audit_record(
        actor=actor,
        verb="case.evidence_open",
        subjects=subjects.values_list("person_id", flat=True),
        purpose="case",
        object_type="case_evidence",
        object_id=evidence.pk,
        data={"ref": case.reference, "sha256": evidence.sha256},
    )
    return evidence


def case_follow(*, token: str) -> CaseView:
    """A non-member sender's view of their complaint, by the secret of their status link: its status,
    deadlines and the notices sent to their address. Nothing else."""
    from polity.cases.models import PendingComplaint
    from polity.cases.services.public import digest

    pending = PendingComplaint.objects.select_related("case").filter(follow_digest=digest(token)).first()
    if pending is None or pending.case is None or not token:
        raise NotVisible("not found")
    case = pending.case
    notices = list(Notice.objects.filter(case=case, person__isnull=True, email__iexact=pending.sender_email))
    return CaseView(
        case=case,
        roles=frozenset({"sender"}),
        actions=[],
        deadlines=deadlines_for_subject(subject_type="case", subject_id=case.pk),
        notices=[(n, notice_state(n)) for n in notices],
        evidence=[],
        replies=[],
    )


def public_units() -> list[tuple[int, str]]:
    """Units a non-member may name for their complaint (names are public): every unit below the top."""
    return [
        (u.pk, u.name) for u in Unit.objects.filter(depth__gte=1).only("pk", "name", "path").order_by("path")
    ]


def case_item_options(view: CaseView) -> dict[str, list[tuple[str, str]]]:
    """What the case page's forms offer where an action names one of the case's own items: its notices,
    messages and running suspensions, described in words (their ids stay in the option values)."""
    notices = [(str(n.pk), f"{n.subject} ({state})") for n, state in view.notices]
    messages = [
        (str(m.message.pk), f"{m.message.written_at:%d %b %Y %H:%M}, {m.party}: {m.message.text[:60]}")
        for m in view.messages
    ]
    suspensions = [
        (
            str(item.pk),
            f"{item.person.given_name} {item.person.family_name}, review by {item.review_at:%d %b %Y}",
        )
        for item in view.case.suspensions.select_related("person").filter(lifted_at__isnull=True)
        if view.is_team
    ]
    return {"notice": notices, "message": messages, "in_reply_to": messages, "suspension": suspensions}
