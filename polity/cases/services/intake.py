"""Opening a case, acknowledging it, triage, parties and links."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import has_perm, require
from polity.cases.gate import forget_roles, require_action, require_case_visible
from polity.cases.models import (
    PARTY_ROLES,
    Case,
    CaseLink,
    Kind,
    NoticeKind,
    Outcome,
    Participant,
    Refusal,
    Role,
)
from polity.cases.notices import notice_send
from polity.cases.rules import OBJECTION, REASONS, WORKFLOW, CaseRefused
from polity.cases.services.common import (
    handling_unit,
    meet,
    move,
    open_deadline,
    party_ids,
    people,
    record,
    save,
)
from polity.cases.services.evidence import store_evidence
from polity.common.actor import Actor
from polity.common.errors import InvalidInput, NotVisible
from polity.deadlines.services import due_from
from polity.members.models import Person, Status
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook

ACK_RULE = "deadlines.complaint_acknowledgement"
DECISION_RULE = "deadlines.complaint_decision"


def case_open(
    *,
    actor: Actor,
    kind: str,
    summary: str,
    unit: Unit | None = None,
    respondents: Sequence[Person] = (),
    witnesses: Sequence[Person] = (),
    objecting_body: Body | None = None,
    evidence: Iterable[tuple[File[bytes], str]] = (),
    linked: Sequence[Case] = (),
    sender_name: str = "",
    sender_email: str = "",
) -> Case:
    """Open a case. A member complains for themselves; the case team opens disciplinary cases and appeals;
    an objection to membership comes from the body objecting (or the team) with reasons and evidence."""
    summary = summary.strip()
    evidence = list(evidence)
    complainant: Person | None = None
    if kind not in Kind.values:
        raise InvalidInput(f"kind: one of {', '.join(Kind.values)}")
    if not summary:
        raise InvalidInput("summary: say what the case is about")
    if kind == Kind.COMPLAINT:
        if actor.person_id is not None:
            complainant = Person.objects.select_related("home_unit").get(pk=actor.person_id)
            unit = handling_unit(complainant.home_unit)
        elif actor.is_system and sender_email and unit is not None:
            unit = handling_unit(unit)
        else:
            raise InvalidInput("a complaint comes from a member, or from a verified email address")
    elif kind == Kind.OBJECTION:
        if len(respondents) != 1:
            raise InvalidInput("respondents: an objection concerns exactly one applicant")
        applicant = respondents[0]
        unit = handling_unit(applicant.home_unit)
        _require_objector(actor, unit, objecting_body)
        if not evidence:
            raise CaseRefused(OBJECTION, "an objection must carry reasons and at least one piece of evidence")
        _require_application(applicant)
        if actor.person_id is not None:
            complainant = Person.objects.get(pk=actor.person_id)
    else:
        if unit is None:
            if not respondents:
                raise InvalidInput("unit: say which unit's case team handles it, or name a respondent")
            unit = respondents[0].home_unit
        unit = handling_unit(unit)
        require(actor, Perm.CASES_HANDLE, scope=unit, visible=False)
        if kind == Kind.DISCIPLINARY and not respondents:
            raise InvalidInput("respondents: a disciplinary case names its respondent")
        if kind == Kind.APPEAL and not linked:
            raise InvalidInput("linked: an appeal names the case whose decision it appeals")
    now = timezone.now()
    _start, ack_due = due_from(ACK_RULE, now)
    with transaction.atomic():
        case = Case.objects.create(
            reference=f"tmp-{uuid.uuid4().hex[:16]}",
            kind=kind,
            unit=unit,
            summary=summary,
            objecting_body=objecting_body,
            sender_name=sender_name,
            sender_email=sender_email,
            received_at=now,
            ack_due_at=ack_due,
            created_by=actor.label,
        )
        case.reference = f"C-{case.pk:06d}"
        if complainant is not None:
            _add(case, complainant, Role.COMPLAINANT, now)
        for person in respondents:
            _add(case, person, Role.RESPONDENT, now)
        for person in witnesses:
            _add(case, person, Role.WITNESS, now)
        for other in linked:
            CaseLink.objects.create(case=case, linked=other, reason="named when the case was opened")
        if kind == Kind.OBJECTION:
            _link_cases_of(case, respondents[0])
        for upload, description in evidence:
            store_evidence(
                actor=actor, case=case, upload=upload, description=description, supplied_by=complainant
            )
        open_deadline(actor, case, ACK_RULE, now, "acknowledge receipt")
        open_deadline(actor, case, DECISION_RULE, now, "decide")
        save(case)
        record(actor, case, "case.open", {"kind": kind, "unit": unit.pk})
    return case


def _add(case: Case, person: Person, role: str, at: datetime) -> None:
    Participant.objects.get_or_create(case=case, person=person, role=role, defaults={"added_at": at})


def _require_objector(actor: Actor, unit: Unit, body: Body | None) -> None:
    if has_perm(actor, Perm.CASES_HANDLE, unit):
        return
    if body is None or actor.person_id is None:
        raise NotVisible("not found")
    now = timezone.now()
    sits = OfficeTerm.objects.in_force(now).filter(person_id=actor.person_id, body=body)
    if not sits.exists():
        raise CaseRefused(
            OBJECTION, "an objection is raised by a member of the objecting body, or by the case team"
        )


def _require_application(applicant: Person) -> None:
    """An objection is to an application, or to a rejoin still within the rulebook's decision period."""
    if applicant.status == Status.APPLICANT:
        return
    window = get_rulebook().rule("deadlines.application_decision")
    rejoined = applicant.periods.count() > 1 and window.add_to(applicant.joined_on) >= timezone.localdate()
    if not (rejoined and applicant.status == Status.ACTIVE):
        raise CaseRefused(OBJECTION, "an objection is to a membership application or a recent rejoin")


def _link_cases_of(case: Case, person: Person) -> None:
    """An objection is linked to every other case the applicant is a party to: their stake counts."""
    others = (
        Case.objects.filter(participants__person=person, participants__role__in=list(PARTY_ROLES))
        .exclude(pk=case.pk)
        .distinct()
    )
    for other in others:
        CaseLink.objects.get_or_create(
            case=case, linked=other, defaults={"reason": "the applicant is a party"}
        )


def case_acknowledge(*, actor: Actor, case: Case) -> Case:
    """Acknowledge receipt to the sender (invariant 1): a statutory notice, and the triage clock starts."""
    action = require_action(actor, case, "acknowledge")
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        text = (
            f"We received your {case.get_kind_display().lower()} on {timezone.localtime(case.received_at):%d %B %Y}. "
            f"Its reference is {case.reference}. You can see its status at any time on your case page."
        )
        for person in people(party_ids(case, Role.COMPLAINANT)):
            notice_send(
                actor=actor,
                case=case,
                kind=NoticeKind.ACKNOWLEDGEMENT,
                person=person,
                subject=f"{case.reference}: received",
                body=text,
            )
        if case.sender_email:
            notice_send(
                actor=actor,
                case=case,
                kind=NoticeKind.ACKNOWLEDGEMENT,
                person=None,
                email=case.sender_email,
                subject=f"{case.reference}: received",
                body=text,
            )
        move(case, action, now)
        meet(actor, case, ACK_RULE)
        open_deadline(actor, case, "cases.triage", now, "triage with reasons")
        save(case)
        record(actor, case, "case.acknowledge", {"on_time": now <= case.ack_due_at})
    return case


def case_triage(*, actor: Actor, case: Case, reasons: str) -> Case:
    action = require_action(actor, case, "triage")
    if not reasons.strip():
        raise CaseRefused(REASONS, "triage records its reasons")
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.triage_reasons = reasons.strip()
        move(case, action, now)
        meet(actor, case, "cases.triage")
        save(case)
        record(actor, case, "case.triage")
    return case


def case_dismiss(*, actor: Actor, case: Case, reasons: str) -> Case:
    """No case to answer (or, for an objection, the objection fails): a decision, with reasons, told to all."""
    action = require_action(actor, case, "dismiss")
    if not reasons.strip():
        raise CaseRefused(REASONS, "a dismissal is a decision and records its reasons")
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.triage_reasons == "":
            case.triage_reasons = reasons.strip()
        case.outcome = Outcome.OBJECTION_DISMISSED if case.kind == Kind.OBJECTION else Outcome.NO_CASE
        case.decision_reasons = reasons.strip()
        if case.triaged_at is None:
            case.triaged_at = now
        move(case, action, now)
        meet(actor, case, "cases.triage")
        meet(actor, case, DECISION_RULE)
        open_deadline(actor, case, "cases.communication", now, "tell the parties the outcome")
        save(case)
        record(actor, case, "case.dismiss", {"outcome": case.outcome})
    return case


def case_add_party(*, actor: Actor, case: Case, person: Person, role: str) -> Participant:
    require_action(actor, case, "add_party")
    if role not in PARTY_ROLES:
        raise InvalidInput("role: complainant, respondent or witness (panels are appointed separately)")
    if Participant.objects.filter(
        case=case, person=person, role__in=list({Role.INVESTIGATOR, Role.DECISION_PANEL, Role.APPEAL_PANEL})
    ).exists():
        raise CaseRefused(
            WORKFLOW, "a person on the case's panels or its investigator cannot also be a party"
        )
    with transaction.atomic():
        participant, _created = Participant.objects.get_or_create(
            case=case, person=person, role=role, defaults={"added_at": timezone.now()}
        )
        record(actor, case, "case.add_party", {"role": role, "person": person.pk})
    forget_roles(actor, case)
    return participant


def case_link(*, actor: Actor, case: Case, other: Case, reason: str) -> CaseLink:
    require_action(actor, case, "link")
    require_case_visible(actor, other)
    if other.pk == case.pk:
        raise InvalidInput("a case cannot be linked to itself")
    if not reason.strip():
        raise InvalidInput("reason: say why the cases are linked")
    with transaction.atomic():
        link, _created = CaseLink.objects.get_or_create(
            case=case, linked=other, defaults={"reason": reason[:300]}
        )
        record(actor, case, "case.link", {"linked": other.reference})
    return link


def case_refusal_record(*, actor: Actor, case: Case, action: str, refused: CaseRefused) -> Refusal:
    """Keep a refused action on the case (the interfaces call this when a rule says no), and log it."""
    require_case_visible(actor, case)
    with transaction.atomic():
        refusal = Refusal.objects.create(
            case=case,
            action=action[:40],
            rule=refused.rule[:200],
            detail=refused.detail[:500],
            actor_label=actor.label,
            at=timezone.now(),
        )
        record(actor, case, "case.refused", {"action": action, "rule": refused.rule})
    return refusal
