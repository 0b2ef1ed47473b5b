"""The longlist, the shortlist and changes to a published shortlist: each a decision with written reasons,
sent to every applicant; the longlist and shortlist open the appeal window for those they leave out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.deadlines.services import deadline_open, deadlines_meet_for, due_from
from polity.org.models import Body
from polity.rulebook.loader import get_rulebook
from polity.selections.models import (
    Appeal,
    AppealState,
    Application,
    Decision,
    DecisionKind,
    Entry,
    PanelKind,
    Selection,
    Stage,
    State,
)
from polity.selections.notices import notice_send
from polity.selections.rules import APPEALS_FIRST, CHANGE, REASONS, SelectionRefused
from polity.selections.services.common import (
    CHANGE_POWER,
    SUBJECT,
    body_powers,
    current_seats,
    reasons_text,
    require_panel_clear,
    require_seat,
)
from polity.selections.workflow import require_state

APPEAL_WINDOW = "selections.appeal_window"
LONGLIST_RULE = "selections.longlist_decision"
SHORTLIST_RULE = "selections.shortlist_decision"
PANEL_MIN = "selections.panel_min"

_IN = {DecisionKind.LONGLIST: Stage.LONGLISTED, DecisionKind.SHORTLIST: Stage.SHORTLISTED}
_OUT = {DecisionKind.LONGLIST: Stage.NOT_LONGLISTED, DecisionKind.SHORTLIST: Stage.NOT_SHORTLISTED}


def active_applications(selection: Selection) -> list[Application]:
    return list(
        Application.objects.filter(selection=selection)
        .exclude(stage=Stage.WITHDRAWN)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "id")
    )


def _ids(values: Iterable[int], allowed: set[int], field: str) -> set[int]:
    chosen = {int(v) for v in values}
    unknown = chosen - allowed
    if unknown:
        raise InvalidInput(f"{field}: not an application this decision may name: {sorted(unknown)}")
    return chosen


def _names(apps: Iterable[Application]) -> str:
    return "\n".join(f"- {a.person.full_name}" for a in apps) or "- (nobody)"


def _panel_decide(
    *,
    actor: Actor,
    selection: Selection,
    kind: DecisionKind,
    included: Iterable[int],
    reasons: str,
    entry_reasons: Mapping[int, str] | None,
) -> Decision:
    action = "longlist" if kind == DecisionKind.LONGLIST else "shortlist"
    require(actor, Perm.SELECTIONS_SHORTLIST, scope=selection.unit, visible=False)
    require_seat(actor, selection, PanelKind.SHORTLISTING)
    require_state(selection, action)
    reasons = reasons_text(reasons)
    if not reasons:
        raise SelectionRefused(REASONS, f"the {action} needs written reasons")
    require_panel_clear(selection, current_seats(selection, PanelKind.SHORTLISTING), PANEL_MIN, {})
    everyone = active_applications(selection)
    if kind == DecisionKind.SHORTLIST:
        _require_longlist_appeals_done(selection)
        considered = [a for a in everyone if a.stage == Stage.LONGLISTED]
    else:
        considered = everyone
    chosen = _ids(included, {a.pk for a in considered}, "included")
    if not chosen:
        raise InvalidInput(f"included: the {action} needs at least one applicant")
    per = {int(k): (v or "").strip() for k, v in (entry_reasons or {}).items()}
    now = timezone.now()
    _start, until = due_from(APPEAL_WINDOW, now)
    rule = get_rulebook().rule(APPEAL_WINDOW)
    with transaction.atomic():
        decision = Decision.objects.create(
            selection=selection,
            kind=kind,
            reasons=reasons,
            decided_at=now,
            decided_by=actor.label,
            appeal_until=until,
            appeal_rule=f"{rule.key}@{rule.version}",
        )
        for application in considered:
            inside = application.pk in chosen
            Entry.objects.create(
                decision=decision,
                application=application,
                included=inside,
                reasons=per.get(application.pk, ""),
            )
            application.stage = _IN[kind] if inside else _OUT[kind]
            application.save(update_fields=["stage"])
        selection.state = State.LONGLISTED if kind == DecisionKind.LONGLIST else State.SHORTLISTED
        selection.save(update_fields=["state"])
        deadlines_meet_for(
            actor=actor,
            subject_type=SUBJECT,
            subject_id=selection.pk,
            rule_key=LONGLIST_RULE if kind == DecisionKind.LONGLIST else SHORTLIST_RULE,
        )
        if kind == DecisionKind.LONGLIST:
            deadline_open(
                actor=actor,
                rule_key=SHORTLIST_RULE,
                start=now,
                owner_unit=selection.unit,
                subject_type=SUBJECT,
                subject_id=selection.pk,
                title=f"Publish the shortlist of selection {selection.reference}",
            )
        _tell_everyone(actor, selection, decision, everyone, per)
        audit_record(
            actor=actor,
            verb=f"selection.{action}",
            subjects=[a.person_id for a in considered],
            object_type=SUBJECT,
            object_id=selection.pk,
            data={"decision": decision.pk, "included": len(chosen), "considered": len(considered)},
        )
    return decision


def _require_longlist_appeals_done(selection: Selection) -> None:
    longlist = Decision.objects.filter(selection=selection, kind=DecisionKind.LONGLIST).first()
    if longlist is None:
        return
    if longlist.appeal_until and longlist.appeal_until > timezone.now():
        until = timezone.localtime(longlist.appeal_until)
        raise SelectionRefused(
            APPEALS_FIRST, f"appeals against the longlist may be lodged until {until:%d %B %Y}"
        )
    if Appeal.objects.filter(decision=longlist, state=AppealState.LODGED).exists():
        raise SelectionRefused(APPEALS_FIRST, "an appeal against the longlist is not decided yet")


def _tell_everyone(
    actor: Actor,
    selection: Selection,
    decision: Decision,
    everyone: list[Application],
    per: Mapping[int, str],
) -> None:
    """Every applicant hears the decision, the list, the reasons, their own place in it and their appeal route."""
    kind = decision.get_kind_display().lower()
    listed = [a for a in everyone if a.stage == _IN.get(DecisionKind(decision.kind), Stage.SHORTLISTED)]
    until = timezone.localtime(decision.appeal_until) if decision.appeal_until else None
    for application in everyone:
        inside = application in listed
        lines = [
            f"Dear {application.person.given_name},",
            "",
            f"The {kind} of selection {selection.reference} ({selection.seat}) has been decided.",
            f"You are {'on' if inside else 'not on'} it." if decision.kind != DecisionKind.CHANGE else "",
            "",
            f"The {kind}:",
            _names(listed),
            "",
            "Reasons:",
            decision.reasons,
        ]
        own = per.get(application.pk)
        if own:
            lines += ["", "About your application:", own]
        if until is not None and not inside:
            lines += [
                "",
                f"You may appeal to the body above until {until:%d %B %Y %H:%M}, from your page in the selection.",
            ]
        notice_send(
            actor=actor,
            selection=selection,
            person=application.person,
            decision=decision,
            subject=f"Selection {selection.reference}: the {kind}",
            body="\n".join(line for line in lines if line is not None),
        )


def longlist_decide(
    *,
    actor: Actor,
    selection: Selection,
    included: Iterable[int],
    reasons: str,
    entry_reasons: Mapping[int, str] | None = None,
) -> Decision:
    """The shortlisting panel publishes the longlist (applications are closed)."""
    return _panel_decide(
        actor=actor,
        selection=selection,
        kind=DecisionKind.LONGLIST,
        included=included,
        reasons=reasons,
        entry_reasons=entry_reasons,
    )


def shortlist_decide(
    *,
    actor: Actor,
    selection: Selection,
    included: Iterable[int],
    reasons: str,
    entry_reasons: Mapping[int, str] | None = None,
) -> Decision:
    """The shortlisting panel publishes the shortlist from the longlist, once the longlist's appeals are done."""
    return _panel_decide(
        actor=actor,
        selection=selection,
        kind=DecisionKind.SHORTLIST,
        included=included,
        reasons=reasons,
        entry_reasons=entry_reasons,
    )


def shortlist_change(
    *,
    actor: Actor,
    selection: Selection,
    body: Body,
    decided_on: date,
    reasons: str,
    add: Iterable[int] = (),
    remove: Iterable[int] = (),
) -> Decision:
    """Record a body's decision changing the published shortlist (an officer of that body's unit records it)."""
    require(actor, Perm.SELECTIONS_MANAGE, scope=body.unit, visible=False)
    return apply_change(
        actor=actor,
        selection=selection,
        body=body,
        decided_on=decided_on,
        reasons=reasons,
        add=add,
        remove=remove,
    )


def apply_change(
    *,
    actor: Actor,
    selection: Selection,
    body: Body,
    decided_on: date,
    reasons: str,
    add: Iterable[int] = (),
    remove: Iterable[int] = (),
    appeal: Appeal | None = None,
) -> Decision:
    """The one way a published shortlist changes (the caller checked who is acting). Refused without reasons,
    by a body the rulebook does not empower, or by a body that is not at or above the selecting unit."""
    require_state(selection, "change")
    reasons = reasons_text(reasons)
    if not reasons:
        raise SelectionRefused(CHANGE, "the change has no written reasons")
    if CHANGE_POWER not in body_powers(body):
        raise SelectionRefused(
            CHANGE, f"{body.name} of {body.unit.name} is not a body the rulebook empowers to do it"
        )
    if not selection.unit.path.startswith(body.unit.path):
        raise SelectionRefused(
            CHANGE, f"{body.name} of {body.unit.name} is not at or above {selection.unit.name}"
        )
    if decided_on > timezone.localdate():
        raise InvalidInput("decided_on: a decision cannot be taken in the future")
    everyone = active_applications(selection)
    shortlisted = {a.pk for a in everyone if a.stage == Stage.SHORTLISTED}
    added = _ids(add, {a.pk for a in everyone} - shortlisted, "add")
    removed = _ids(remove, shortlisted, "remove")
    if not added and not removed:
        raise InvalidInput("add: a change adds or removes at least one applicant")
    now = timezone.now()
    with transaction.atomic():
        decision = Decision.objects.create(
            selection=selection,
            kind=DecisionKind.CHANGE,
            reasons=reasons,
            decided_at=now,
            decided_by=actor.label,
            body=body,
            decided_on=decided_on,
            appeal=appeal,
        )
        for application in everyone:
            if application.pk in added or application.pk in removed:
                inside = application.pk in added
                Entry.objects.create(decision=decision, application=application, included=inside)
                application.stage = Stage.SHORTLISTED if inside else Stage.NOT_SHORTLISTED
                application.save(update_fields=["stage"])
        changed = {
            a.pk: ("Added to the shortlist." if a.pk in added else "Taken off the shortlist.")
            for a in everyone
            if a.pk in added | removed
        }
        _tell_everyone(actor, selection, decision, everyone, changed)
        audit_record(
            actor=actor,
            verb="selection.change",
            subjects=sorted(a.person_id for a in everyone if a.pk in added | removed),
            object_type=SUBJECT,
            object_id=selection.pk,
            data={"decision": decision.pk, "body": body.pk, "added": len(added), "removed": len(removed)},
        )
    return decision
