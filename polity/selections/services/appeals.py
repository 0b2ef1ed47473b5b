"""Appeals: an applicant a longlist or shortlist left out appeals within the window to the body above, whose
appeal panel (people not involved before, without a stake) decides with reasons. An allowed appeal against
the shortlist changes it through the one way a published shortlist changes (`apply_change`)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.deadlines.services import deadline_open, deadlines_meet_for
from polity.members.models import Person
from polity.selections.conflicts import involvement, stakes
from polity.selections.models import (
    Appeal,
    AppealOutcome,
    AppealState,
    Decision,
    DecisionKind,
    Entry,
    PanelKind,
    PanelSeat,
    Stage,
)
from polity.selections.notices import notice_send
from polity.selections.rules import APPEAL, NO_STAKE, REASONS, SEPARATE, WORKFLOW, SelectionRefused
from polity.selections.services.common import (
    APPEAL_SUBJECT,
    SUBJECT,
    _panel_seat_add,
    appeal_body,
    current_seats,
    may_sit,
    reasons_text,
    require_panel_clear,
    require_seat,
)
from polity.selections.services.decisions import active_applications, apply_change
from polity.selections.workflow import require_state

APPEAL_RULE = "selections.appeal_decision"
APPEAL_PANEL_MIN = "selections.appeal_panel_min"


def appeal_lodge(*, actor: Actor, decision: Decision, grounds: str) -> Appeal:
    """The applicant appeals against a longlist or shortlist that left them out, within the window."""
    selection = decision.selection
    if actor.person_id is None:
        raise Forbidden("only an applicant may appeal")
    entry = (
        Entry.objects.filter(decision=decision, application__person_id=actor.person_id)
        .select_related("application")
        .first()
    )
    if entry is None or decision.kind == DecisionKind.CHANGE:
        raise SelectionRefused(APPEAL, "this decision has no appeal open to you")
    require_state(selection, "appeal")
    if entry.included:
        raise SelectionRefused(APPEAL, f"the {decision.get_kind_display().lower()} did not leave you out")
    if entry.application.stage == Stage.WITHDRAWN:
        raise SelectionRefused(APPEAL, "your application is withdrawn")
    now = timezone.now()
    if decision.appeal_until is None or now > decision.appeal_until:
        closed = timezone.localtime(decision.appeal_until) if decision.appeal_until else None
        raise SelectionRefused(
            APPEAL, f"the appeal window closed on {closed:%d %B %Y at %H:%M}" if closed else "no window"
        )
    grounds = grounds.strip()
    if not grounds:
        raise InvalidInput("grounds: say why the decision should change")
    body = appeal_body(selection)
    if body is None:
        raise SelectionRefused(
            SEPARATE, f"no body above {selection.unit.name} is empowered to hear selection appeals"
        )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                selection=selection,
                decision=decision,
                application=entry.application,
                body=body,
                grounds=grounds,
                lodged_at=now,
            )
            deadline_open(
                actor=actor,
                rule_key=APPEAL_RULE,
                start=now,
                owner_unit=body.unit,
                subject_type=APPEAL_SUBJECT,
                subject_id=appeal.pk,
                title=f"Decide an appeal in selection {selection.reference}",
            )
            notice_send(
                actor=actor,
                selection=selection,
                person=entry.application.person,
                appeal=appeal,
                subject=f"Selection {selection.reference}: your appeal is received",
                body=(
                    f"Your appeal against the {decision.get_kind_display().lower()} of selection "
                    f"{selection.reference} is received. It goes to {body.name} of {body.unit.name}, whose "
                    "appeal panel is made of people not involved before. You will be told the decision "
                    "and its reasons."
                ),
            )
            audit_record(
                actor=actor,
                verb="selection.appeal",
                subjects=[entry.application.person_id],
                object_type=SUBJECT,
                object_id=selection.pk,
                data={"appeal": appeal.pk, "decision": decision.pk},
            )
    except IntegrityError:
        raise SelectionRefused(APPEAL, "you have appealed against this decision already") from None
    return appeal


def _not_involved(appeal: Appeal) -> dict[int, str]:
    found = {pid: why[0] for pid, why in stakes(appeal.selection).items()}
    for pid, why in involvement(appeal.selection, appeal.application, appeal).items():
        found.setdefault(pid, why)
    return found


def appeal_panel_appoint(*, actor: Actor, appeal: Appeal, person: Person) -> PanelSeat:
    """The body above puts someone on the appeal panel: not involved before, no stake, empowered to sit."""
    require(actor, Perm.SELECTIONS_MANAGE, scope=appeal.body.unit, visible=False)
    require_state(appeal.selection, "appeal_panel")
    if appeal.state != AppealState.LODGED:
        raise SelectionRefused(WORKFLOW, "the appeal is decided already")
    may_sit(person, appeal.body.unit)
    why = _not_involved(appeal).get(person.pk)
    if why:
        rule = SEPARATE if why.startswith("sat on") else NO_STAKE
        raise SelectionRefused(rule, f"{person.full_name} {why}")
    return _panel_seat_add(actor=actor, selection=appeal.selection, person=person, appeal=appeal)


def appeal_decide(*, actor: Actor, appeal: Appeal, outcome: str, reasons: str) -> Appeal:
    """The appeal panel decides, with reasons. Allowed: the applicant goes forward (onto the longlist, or onto
    the published shortlist by a recorded change in the name of the body above)."""
    selection = appeal.selection
    require(actor, Perm.SELECTIONS_SHORTLIST, scope=appeal.body.unit, visible=False)
    require_seat(actor, selection, PanelKind.APPEAL, appeal)
    require_state(selection, "appeal_decide")
    if appeal.state != AppealState.LODGED:
        raise SelectionRefused(WORKFLOW, "the appeal is decided already")
    if outcome not in AppealOutcome.values:
        raise InvalidInput(f"outcome: one of {', '.join(AppealOutcome.values)}")
    reasons = reasons_text(reasons)
    if not reasons:
        raise SelectionRefused(REASONS, "the appeal decision needs written reasons")
    require_panel_clear(
        selection, current_seats(selection, PanelKind.APPEAL, appeal), APPEAL_PANEL_MIN, _not_involved(appeal)
    )
    application = appeal.application
    now = timezone.now()
    with transaction.atomic():
        appeal.state = AppealState.DECIDED
        appeal.outcome = outcome
        appeal.reasons = reasons
        appeal.decided_at = now
        appeal.decided_by = actor.label
        appeal.save(update_fields=["state", "outcome", "reasons", "decided_at", "decided_by"])
        deadlines_meet_for(
            actor=actor, subject_type=APPEAL_SUBJECT, subject_id=appeal.pk, rule_key=APPEAL_RULE
        )
        allowed = outcome == AppealOutcome.ALLOWED
        if allowed and appeal.decision.kind == DecisionKind.SHORTLIST:
            apply_change(
                actor=actor,
                selection=selection,
                body=appeal.body,
                decided_on=timezone.localdate(),
                reasons=f"Appeal allowed by {appeal.body.name} of {appeal.body.unit.name}: {reasons}",
                add=[application.pk],
                appeal=appeal,
            )
        elif allowed:
            application.stage = Stage.LONGLISTED
            application.save(update_fields=["stage"])
        verdict = appeal.get_outcome_display()
        told = (
            active_applications(selection)
            if allowed and appeal.decision.kind == DecisionKind.LONGLIST
            else []
        )
        for other in told:
            if other.pk == application.pk:
                continue
            notice_send(
                actor=actor,
                selection=selection,
                person=other.person,
                appeal=appeal,
                subject=f"Selection {selection.reference}: the longlist has changed on appeal",
                body=(
                    f"An appeal against the longlist of selection {selection.reference} was allowed by "
                    f"{appeal.body.name} of {appeal.body.unit.name}: {application.person.full_name} is now on "
                    f"the longlist.\n\nReasons:\n{reasons}"
                ),
            )
        notice_send(
            actor=actor,
            selection=selection,
            person=application.person,
            appeal=appeal,
            subject=f"Selection {selection.reference}: the decision on your appeal",
            body=f"{verdict}.\n\nReasons:\n{reasons}\n\nThis decision of {appeal.body.name} of {appeal.body.unit.name} is final.",
        )
        audit_record(
            actor=actor,
            verb="selection.appeal_decide",
            subjects=[application.person_id],
            object_type=APPEAL_SUBJECT,
            object_id=appeal.pk,
            data={"outcome": outcome},
        )
    return appeal
