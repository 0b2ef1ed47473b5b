"""Investigation, notice of the allegations and evidence, the respondent's reply, hearings, panels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.cases.conflicts import refuse_if_conflicted
from polity.cases.gate import case_roles, forget_roles, require_action
from polity.cases.models import Case, Evidence, Kind, NoticeKind, Participant, Reply, Role
from polity.cases.notices import notice_send
from polity.cases.rules import HEARD, PANEL, WORKFLOW, CaseRefused
from polity.cases.services.common import meet, move, open_deadline, party_ids, people, record, save
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.members.models import Person
from polity.rulebook.loader import get_rulebook


def reply_rule(case: Case) -> str:
    return "cases.objection_reply_window" if case.kind == Kind.OBJECTION else "cases.reply_window"


def case_assign_investigator(*, actor: Actor, case: Case, person: Person) -> Case:
    action = require_action(actor, case, "assign_investigator")
    refuse_if_conflicted(case, person.pk, Role.INVESTIGATOR)
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        Participant.objects.filter(case=case, role=Role.INVESTIGATOR).delete()
        Participant.objects.create(case=case, person=person, role=Role.INVESTIGATOR, added_at=now)
        move(case, action, now)
        open_deadline(
            actor, case, "cases.investigation", now, "send the allegations and evidence", owner_person=person
        )
        save(case)
        record(actor, case, "case.assign_investigator", {"person": person.pk})
    forget_roles(actor, case)
    return case


def case_send_notice(*, actor: Actor, case: Case, allegations: str) -> Case:
    """Send each respondent the allegations and every piece of evidence; the reply window runs from delivery."""
    action = require_action(actor, case, "send_notice")
    if not allegations.strip():
        raise InvalidInput("allegations: set out what the respondent is said to have done")
    respondents = people(party_ids(case, Role.RESPONDENT))
    if not respondents:
        raise CaseRefused(WORKFLOW, "there is no respondent to send the allegations to")
    now = timezone.now()
    window = get_rulebook().rule(reply_rule(case))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        files = list(case.evidence.all())
        listing = (
            "\n".join(f"- {e.description} ({e.size} bytes, SHA-256 {e.sha256})" for e in files) or "- none"
        )
        what = "objection to your membership" if case.kind == Kind.OBJECTION else "allegations"
        body = (
            f"The {what} in case {case.reference}:\n\n{allegations.strip()}\n\nThe evidence (you can open each "
            f"file on your case page):\n{listing}\n\nYou may reply within {window.duration} of receiving this "
            f"notice. No decision will be taken before your reply or the end of that time."
        )
        for person in respondents:
            notice_send(
                actor=actor,
                case=case,
                kind=NoticeKind.ALLEGATIONS,
                person=person,
                subject=f"{case.reference}: {what} and evidence",
                body=body,
                evidence=files,
            )
        move(case, action, now)
        meet(actor, case, "cases.investigation")
        save(case)
        record(
            actor,
            case,
            "case.send_notice",
            {"evidence": [e.pk for e in files], "respondents": len(respondents)},
        )
    return case


def case_reply(*, actor: Actor, case: Case, text: str, person: Person | None = None) -> Reply:
    """The respondent's reply (or the team recording it on their behalf)."""
    require_action(actor, case, "reply")
    if not text.strip():
        raise InvalidInput("text: the reply is empty")
    roles = case_roles(actor, case)
    if Role.RESPONDENT in roles and actor.person_id is not None:
        person_id = actor.person_id
    elif person is not None and person.pk in party_ids(case, Role.RESPONDENT):
        person_id = person.pk
    else:
        raise Forbidden("only a respondent replies to the allegations")
    with transaction.atomic():
        reply = Reply.objects.create(
            case=case, person_id=person_id, text=text.strip(), received_at=timezone.now()
        )
        record(actor, case, "case.reply", {"reply": reply.pk})
    return reply


def case_schedule_hearing(*, actor: Actor, case: Case, at: datetime, details: str = "") -> Case:
    action = require_action(actor, case, "schedule_hearing")
    now = timezone.now()
    earliest = get_rulebook().rule("cases.hearing_notice").add_to(timezone.localtime(now))
    if at < earliest:
        raise CaseRefused(
            HEARD, f"a hearing needs notice: no sooner than {timezone.localtime(earliest):%d %B %Y %H:%M}"
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.hearing_at = at
        body = (
            f"A hearing in case {case.reference} will be held on {timezone.localtime(at):%d %B %Y at %H:%M}."
        )
        if details.strip():
            body += f"\n\n{details.strip()}"
        for person in people(party_ids(case, Role.COMPLAINANT, Role.RESPONDENT)):
            notice_send(
                actor=actor,
                case=case,
                kind=NoticeKind.HEARING,
                person=person,
                subject=f"{case.reference}: notice of hearing",
                body=body,
            )
        move(case, action, now)
        save(case)
        record(actor, case, "case.schedule_hearing", {"at": at.isoformat()})
    return case


def case_assign_panel(*, actor: Actor, case: Case, members: Sequence[Person], appeal: bool = False) -> Case:
    """Appoint the decision (or appeal) panel: people who may decide cases here, with no stake in this one."""
    require_action(actor, case, "assign_appeal_panel" if appeal else "assign_panel")
    role = Role.APPEAL_PANEL if appeal else Role.DECISION_PANEL
    minimum = get_rulebook().number("cases.appeal_panel_min" if appeal else "cases.decision_panel_min")
    chosen = {p.pk: p for p in members}
    if len(chosen) < minimum:
        raise InvalidInput(f"members: the rulebook asks for at least {minimum} on the panel")
    for person in chosen.values():
        refuse_if_conflicted(case, person.pk, role)
        require_decider(case, person)
    with transaction.atomic():
        Participant.objects.filter(case=case, role=role).delete()
        now = timezone.now()
        for person in chosen.values():
            Participant.objects.create(case=case, person=person, role=role, added_at=now)
        record(actor, case, "case.assign_panel", {"role": role, "people": sorted(chosen)})
    forget_roles(actor, case)
    return case


def require_decider(case: Case, person: Person) -> None:
    """A panel member may decide cases in the case's unit; an objection goes to the body the rulebook
    gives that power (an office on a body whose permissions include deciding cases)."""
    from polity.common.actor import Actor as _Actor

    if not has_perm(
        _Actor(user_id=None, person_id=person.pk, label="panel check"), Perm.CASES_DECIDE, case.unit
    ):
        raise CaseRefused(PANEL, "a panel member must be empowered to decide cases for this unit")
    if case.kind == Kind.OBJECTION:
        now = timezone.now()
        deciding = [
            key
            for key, office in get_rulebook().offices.items()
            if office.body and Perm.CASES_DECIDE in office.permissions
        ]
        on_body = OfficeTerm.objects.in_force(now).filter(
            person=person,
            office__in=deciding,
            body__isnull=False,
            unit__path__in=_ancestors(case.unit.path),
        )
        if not on_body.exists():
            raise CaseRefused(
                PANEL, "an objection is decided by the body the rulebook names (the disputes panel)"
            )


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split(".") if p]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def undisclosed_evidence(case: Case) -> list[Evidence]:
    """Evidence no respondent has had delivered to them yet."""
    return list(
        case.evidence.exclude(notices__kind=NoticeKind.ALLEGATIONS, notices__delivered_at__isnull=False)
    )
