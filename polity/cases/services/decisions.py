"""Decisions, their communication with the appeal route, appeals, and closing a case."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from polity.cases.conflicts import refuse_if_conflicted
from polity.cases.gate import require_action
from polity.cases.models import (
    ADVERSE_OUTCOMES,
    AppealOutcome,
    Case,
    Kind,
    Notice,
    NoticeKind,
    Outcome,
    Reply,
    Role,
)
from polity.cases.notices import notice_mark_delivered, notice_send, notices_refresh
from polity.cases.rules import APPEAL, HEARD, REASONS, SUSPENSION, TOLD, WORKFLOW, CaseRefused
from polity.cases.services.common import meet, move, open_deadline, party_ids, people, record, save
from polity.cases.services.intake import DECISION_RULE
from polity.cases.services.measures import (
    REFUSAL_STATUS,
    reinstate_offices,
    remove_from_offices,
    require_offices_held,
    restore,
    set_status,
    suspension_create,
)
from polity.cases.services.process import reply_rule, require_decider
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.deadlines.services import due_from
from polity.members.models import Person, Status
from polity.rulebook.loader import get_rulebook

_OBJECTION_OUTCOMES = frozenset({Outcome.OBJECTION_DISMISSED, Outcome.APPLICATION_REFUSED})


def require_heard(case: Case, now: datetime) -> None:
    """Invariant 2: each respondent was delivered the allegations with every piece of evidence, and replied
    or let the reply window pass."""
    notices_refresh(case)
    respondents = party_ids(case, Role.RESPONDENT)
    if not respondents:
        raise CaseRefused(HEARD, "an adverse decision needs a respondent who was given notice")
    evidence = set(case.evidence.values_list("pk", flat=True))
    window = get_rulebook().rule(reply_rule(case))
    for index, person_id in enumerate(sorted(respondents), start=1):
        notices = list(
            Notice.objects.filter(case=case, kind=NoticeKind.ALLEGATIONS, person_id=person_id).order_by(
                "created_at"
            )
        )
        if not notices:
            raise CaseRefused(
                HEARD, f"respondent {index} was never sent the notice of allegations and evidence"
            )
        latest = notices[-1]
        if latest.delivered_at is None:
            raise CaseRefused(
                HEARD, f"the notice of allegations to respondent {index} has not been delivered"
            )
        shown = set(
            Notice.evidence.through.objects.filter(
                notice__case=case,
                notice__person_id=person_id,
                notice__kind=NoticeKind.ALLEGATIONS,
                notice__delivered_at__isnull=False,
            ).values_list("evidence_id", flat=True)
        )
        own = set(case.evidence.filter(supplied_by_id=person_id).values_list("pk", flat=True))
        missing = (
            evidence - shown - own
        )  # a respondent's own evidence and statements need not go back to them
        if missing:
            raise CaseRefused(
                HEARD,
                f"respondent {index} has not been sent every piece of evidence "
                f"({len(missing)} missing): send a new notice",
            )
        replied = Reply.objects.filter(
            case=case, person_id=person_id, received_at__gte=latest.created_at
        ).exists()
        ends = window.add_to(timezone.localtime(latest.delivered_at))
        if not replied and now < ends:
            raise CaseRefused(
                HEARD,
                f"respondent {index}'s reply window is open until "
                f"{timezone.localtime(ends):%d %B %Y %H:%M} and no reply has come",
            )


def _require_panel_member(actor: Actor, case: Case, role: str) -> None:
    if actor.person_id is None:
        raise CaseRefused(WORKFLOW, "a decision is taken by a person on the panel")
    person = Person.objects.get(pk=actor.person_id)
    refuse_if_conflicted(case, person.pk, role)
    require_decider(case, person)


def case_decide(
    *,
    actor: Actor,
    case: Case,
    outcome: str,
    reasons: str,
    review_at: datetime | None = None,
    suspension_reasons: str = "",
) -> Case:
    """The decision panel decides, with written reasons; adverse outcomes only after the respondent was heard."""
    action = require_action(actor, case, "decide")
    _require_panel_member(actor, case, Role.DECISION_PANEL)
    if not reasons.strip():
        raise CaseRefused(REASONS, "a decision cannot be recorded without written reasons")
    if outcome not in Outcome.values or outcome == Outcome.NO_CASE:
        raise InvalidInput("outcome: not an outcome a panel decides")
    if (case.kind == Kind.OBJECTION) != (outcome in _OBJECTION_OUTCOMES):
        raise InvalidInput(
            "outcome: an objection is dismissed or upheld; other cases take the other outcomes"
        )
    now = timezone.now()
    if outcome in ADVERSE_OUTCOMES:
        require_heard(case, now)
    if outcome == Outcome.SUSPENSION and review_at is None:
        raise CaseRefused(SUSPENSION, "a suspension cannot be decided without a review date")
    if outcome == Outcome.REMOVAL:
        require_offices_held(case, now)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.outcome, case.decision_reasons = outcome, reasons.strip()
        for person in people(party_ids(case, Role.RESPONDENT)):
            if outcome == Outcome.SUSPENSION:
                suspension_create(actor, case, person, suspension_reasons or reasons, review_at)
            elif outcome == Outcome.EXPULSION:
                set_status(actor, case, person, Status.EXPELLED, "expelled by decision")
            elif outcome == Outcome.REMOVAL:
                remove_from_offices(actor, case, person, now, reasons.strip())
            elif outcome == Outcome.APPLICATION_REFUSED:
                set_status(actor, case, person, REFUSAL_STATUS, "membership application refused on objection")
        move(case, action, now)
        meet(actor, case, DECISION_RULE)
        open_deadline(actor, case, "cases.communication", now, "tell the parties the decision")
        save(case)
        record(actor, case, "case.decide", {"outcome": outcome})
    return case


def _current(case: Case) -> tuple[str, str, str]:
    """(kind of notice, outcome key, outcome in words) of the latest decision."""
    if case.appeal_outcome:
        return NoticeKind.APPEAL_DECISION, f"appeal:{case.appeal_outcome}", case.get_appeal_outcome_display()
    return NoticeKind.DECISION, case.outcome, case.get_outcome_display()


def case_communicate(*, actor: Actor, case: Case) -> Case:
    """Tell every complainant and respondent the decision, its reasons, and the appeal route and deadline."""
    action = require_action(actor, case, "communicate")
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        kind, key, words = _current(case)
        if kind == NoticeKind.DECISION:
            start, until = due_from("deadlines.appeal_window", now)
            rule = get_rulebook().rule("deadlines.appeal_window")
            case.appeal_until, case.appeal_rule = until, f"{rule.key}@{rule.version}"
            route = (
                f"You may appeal to an appeal panel of people not involved so far, on your case page, until "
                f"{timezone.localtime(until):%d %B %Y %H:%M}."
            )
            reasons = case.decision_reasons
        else:
            route = "This decision on appeal is final within the organisation."
            reasons = case.appeal_reasons
        body = f"Case {case.reference}: {words}.\n\nReasons:\n{reasons}\n\n{route}"
        recipients = people(party_ids(case, Role.COMPLAINANT, Role.RESPONDENT))
        for person in recipients:
            notice_send(
                actor=actor,
                case=case,
                kind=kind,
                person=person,
                subject=f"{case.reference}: {words}",
                body=body,
                outcome=key,
            )
        if case.sender_email:
            notice_send(
                actor=actor,
                case=case,
                kind=kind,
                person=None,
                email=case.sender_email,
                subject=f"{case.reference}: {words}",
                body=body,
                outcome=key,
            )
        move(case, action, now)
        meet(actor, case, "cases.communication")
        save(case)
        record(actor, case, "case.communicate", {"outcome": key, "recipients": len(recipients)})
    return case


def case_appeal(*, actor: Actor, case: Case, grounds: str) -> Case:
    action = require_action(actor, case, "appeal")
    now = timezone.now()
    if not grounds.strip():
        raise InvalidInput("grounds: say why the decision is wrong")
    if case.appealed_at is not None or case.appeal_until is None:
        raise CaseRefused(APPEAL, "this case was already appealed; the decision on appeal is final")
    if now > case.appeal_until:
        raise CaseRefused(
            APPEAL, f"the appeal window closed on {timezone.localtime(case.appeal_until):%d %B %Y}"
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.appeal_grounds = grounds.strip()
        move(case, action, now)
        open_deadline(actor, case, "cases.appeal_decision", now, "decide the appeal")
        save(case)
        record(actor, case, "case.appeal")
    return case


def case_decide_appeal(*, actor: Actor, case: Case, outcome: str, reasons: str) -> Case:
    """The appeal panel (people not involved before) decides, with reasons; allowing it undoes the sanction."""
    action = require_action(actor, case, "decide_appeal")
    _require_panel_member(actor, case, Role.APPEAL_PANEL)
    if not reasons.strip():
        raise CaseRefused(REASONS, "a decision on appeal cannot be recorded without written reasons")
    if outcome not in AppealOutcome.values:
        raise InvalidInput(f"outcome: one of {', '.join(AppealOutcome.values)}")
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.appeal_outcome, case.appeal_reasons = outcome, reasons.strip()
        if outcome == AppealOutcome.ALLOWED and case.outcome in ADVERSE_OUTCOMES:
            for suspension in case.suspensions.filter(lifted_at__isnull=True):
                suspension.lifted_at, suspension.lifted_reasons = now, "appeal allowed"
                suspension.save(update_fields=["lifted_at", "lifted_reasons"])
            for person in people(party_ids(case, Role.RESPONDENT)):
                restore(actor, case, person, "appeal allowed")
            if case.outcome == Outcome.REMOVAL:
                reinstate_offices(actor, case, reasons.strip())
        move(case, action, now)
        meet(actor, case, "cases.appeal_decision")
        open_deadline(actor, case, "cases.communication", now, "tell the parties the decision on appeal")
        save(case)
        record(actor, case, "case.decide_appeal", {"outcome": outcome})
    return case


def case_close(*, actor: Actor, case: Case) -> Case:
    """Close: every party was told the outcome (delivered), and the appeal route was used or has run out."""
    action = require_action(actor, case, "close")
    now = timezone.now()
    _kind, key, _words = _current(case)
    notices_refresh(case)
    for index, person in enumerate(people(party_ids(case, Role.COMPLAINANT, Role.RESPONDENT)), start=1):
        told = Notice.objects.filter(
            case=case, person=person, outcome=key, delivered_at__isnull=False
        ).exists()
        if not told:
            raise CaseRefused(
                TOLD, f"party {index} has not been told the outcome (no delivered notice of it)"
            )
    if (
        case.sender_email
        and not Notice.objects.filter(
            case=case, person__isnull=True, outcome=key, delivered_at__isnull=False
        ).exists()
    ):
        raise CaseRefused(TOLD, "the sender has not been told the outcome (no delivered notice of it)")
    if not case.appeal_outcome and case.appeal_until is not None and now <= case.appeal_until:
        raise CaseRefused(
            APPEAL, f"the appeal window is open until {timezone.localtime(case.appeal_until):%d %B %Y}"
        )
    if case.outcome != Outcome.SUSPENSION and case.suspensions.filter(lifted_at__isnull=True).exists():
        raise CaseRefused(SUSPENSION, "an interim suspension is still in force: review it before closing")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        move(case, action, now)
        save(case)
        record(actor, case, "case.close", {"outcome": key})
    return case


def case_record_delivery(*, actor: Actor, case: Case, notice: Notice, how: str) -> Notice:
    """The team records a notice delivered outside the outbox (by hand, by post, to a sender's email)."""
    require_action(actor, case, "record_delivery")
    if notice.case_id != case.pk:
        raise InvalidInput("notice: not a notice of this case")
    if not how.strip():
        raise InvalidInput("how: say how and when the notice was delivered")
    with transaction.atomic():
        notice = notice_mark_delivered(notice=notice)
        record(actor, case, "case.record_delivery", {"notice": notice.pk, "how": how.strip()[:200]})
    return notice
