"""/api/v1/selections: open a selection, apply, run the panel, publish the longlist and shortlist, record a
change to a published shortlist, appeal and decide appeals. A refused action answers 409 with the rule that
refused it, in words (e.g. a shortlist change without reasons)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut
from polity.common.errors import Forbidden
from polity.selections import services as s
from polity.selections.models import Application, Decision, Selection
from polity.selections.people import person_named
from polity.selections.selectors import (
    PublicView,
    Workspace,
    appeal_in,
    application_in,
    body_for_change,
    decision_for_appeal,
    my_application,
    seat_in,
    selection_by_id,
    selection_get,
    selections_for,
    unit_and_body,
    workspace_get,
)

router = Router(tags=["selections"])
ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class SelectionIn(Schema):
    unit: int
    body: int
    seat: str
    applications_close_at: datetime
    about: str = ""


class StatementIn(Schema):
    statement: str


class PersonIn(Schema):
    person: int | str  # an id or a membership number


class HustingsIn(Schema):
    starts_at: datetime
    place: str
    online_link: str = ""


class BallotIn(Schema):
    method: str  # fptp, av or sv
    returning_officer: int | str  # an id or a membership number


class RemoveIn(Schema):
    reason: str


class RelationshipIn(Schema):
    application: int
    description: str
    person: int | str | None = None  # an officer names the person; a panel member declares their own


class ListIn(Schema):
    included: list[int]
    reasons: str
    entry_reasons: dict[int, str] = {}


class ChangeIn(Schema):
    body: int
    decided_on: date
    reasons: str = ""
    add: list[int] = []
    remove: list[int] = []


class GroundsIn(Schema):
    grounds: str


class AppealDecisionIn(Schema):
    outcome: str
    reasons: str = ""


def _summary(selection: Selection, roles: set[str]) -> dict[str, Any]:
    return {
        "id": selection.pk,
        "reference": selection.reference,
        "seat": selection.seat,
        "unit": selection.unit_id,
        "body": selection.body_id,
        "state": selection.state,
        "state_label": selection.get_state_display(),
        "applications_close_at": selection.applications_close_at,
        "your_roles": sorted(roles),
    }


def _decision(d: Decision) -> dict[str, Any]:
    return {
        "id": d.pk,
        "kind": d.kind,
        "reasons": d.reasons,
        "decided_at": d.decided_at,
        "body": d.body_id,
        "body_name": d.body.name if d.body is not None else None,
        "decided_on": d.decided_on,
        "appeal_until": d.appeal_until,
    }


def public_out(view: PublicView) -> dict[str, Any]:
    out = _summary(view.selection, view.roles)
    out |= {
        "about": view.selection.about,
        "shortlist": [
            {"name": a.person.full_name, "withdrawn": a.stage == "withdrawn"} for a in view.shortlist
        ],
        "shortlist_decision": _decision(view.shortlist_decision) if view.shortlist_decision else None,
        "changes": [
            _decision(d)
            | {"entries": [{"name": e.application.person.full_name, "added": e.included} for e in entries]}
            for d, entries in view.changes
        ],
        "deadlines": [
            {"title": d.title, "rule": d.rule_key, "due_at": d.due_at, "state": d.state}
            for d in view.deadlines
        ],
        "election": view.selection.election_id,
        "hustings": view.selection.hustings_id,
        "ballot": (
            {
                "election": view.ballot.election.pk,
                "method": view.ballot.election.method,
                "state": view.ballot.election.state,
                "selected": view.ballot.elected,
            }
            if view.ballot
            else None
        ),
        "hustings_meeting": (
            {
                "meeting": view.hustings.pk,
                "starts_at": view.hustings.starts_at,
                "place": view.hustings.place,
                "state": view.hustings.state,
                "notice_is_valid": view.hustings.notice_is_valid,
                "notice_is_late": view.hustings.notice_is_late,
            }
            if view.hustings
            else None
        ),
    }
    return out


def workspace_out(w: Workspace) -> dict[str, Any]:
    out = _summary(w.selection, w.roles)
    out |= {
        "applications": [
            {
                "id": a.pk,
                "person": a.person_id,
                "name": a.person.full_name,
                "membership_number": a.person.membership_number,
                "statement": a.statement,
                "stage": a.stage,
                "submitted_at": a.submitted_at,
            }
            for a in w.applications
        ],
        "panel": [
            {
                "seat": v.seat.pk,
                "person": v.seat.person_id,
                "name": v.seat.person.full_name,
                "stake": v.stake or None,
            }
            for v in w.seats
        ],
        "relationships": [
            {
                "person": r.person_id,
                "application": r.application_id,
                "description": r.description,
                "self_declared": r.self_declared,
            }
            for r in w.relationships
        ],
        "decisions": [_decision(d) for d in w.decisions],
        "appeals": [
            {
                "id": v.appeal.pk,
                "application": v.appeal.application_id,
                "decision": v.appeal.decision_id,
                "body": v.appeal.body_id,
                "grounds": v.appeal.grounds,
                "state": v.appeal.state,
                "outcome": v.appeal.outcome or None,
                "reasons": v.appeal.reasons or None,
                "panel": [
                    {"seat": x.seat.pk, "person": x.seat.person_id, "stake": x.stake or None} for x in v.seats
                ],
            }
            for v in w.appeals
        ],
        "bodies_for_change": [{"id": b.pk, "name": b.name, "unit": b.unit_id} for b in w.change_bodies],
    }
    return out


def _selection(request: HttpRequest, selection_id: int) -> Selection:
    return selection_by_id(actor_of(request), selection_id)[0]


def _workspace(request: HttpRequest, selection_id: int) -> dict[str, Any]:
    return workspace_out(workspace_get(actor=actor_of(request), selection_id=selection_id))


@router.get("", response={200: list[dict[str, Any]], **ERRORS}, summary="Selections you have a part in")
def selections_list(request: HttpRequest) -> list[dict[str, Any]]:
    """In your own unit or above, run in your scope, applied to, or sat on (100 most recent)."""
    return [_summary(sel, roles) for sel, roles in selections_for(actor=actor_of(request))]


@router.post("", response={201: dict[str, Any], **ERRORS}, summary="Open a selection")
def selections_create(request: HttpRequest, data: SelectionIn) -> Status[dict[str, Any]]:
    """Needs `selections.manage` over the unit; the body (which holds the hustings) is one of the unit's."""
    actor = actor_of(request)
    unit, body = unit_and_body(unit_id=data.unit, body_id=data.body)
    selection = s.selection_create(
        actor=actor,
        unit=unit,
        body=body,
        seat=data.seat,
        applications_close_at=data.applications_close_at,
        about=data.about,
    )
    return Status(201, public_out(selection_get(actor=actor, selection_id=selection.pk)))


@router.get("/{int:selection_id}", response={200: dict[str, Any], **ERRORS}, summary="One selection")
def selections_get(request: HttpRequest, selection_id: int) -> dict[str, Any]:
    """The public page: timetable, the published shortlist, every change to it with its body and reasons."""
    return public_out(selection_get(actor=actor_of(request), selection_id=selection_id))


@router.get(
    "/{int:selection_id}/workspace", response={200: dict[str, Any], **ERRORS}, summary="The workspace"
)
def selections_workspace(request: HttpRequest, selection_id: int) -> dict[str, Any]:
    """Applications with statements, the panel and any stake, relationships, decisions, appeals: for the
    panels and the officers who run the selection. Each reading is an access-log event."""
    return _workspace(request, selection_id)


@router.get("/{int:selection_id}/mine", response={200: dict[str, Any], **ERRORS}, summary="My application")
def selections_mine(request: HttpRequest, selection_id: int) -> dict[str, Any]:
    """Your application, every decision about it with the reasons, your notices and your appeals."""
    mine = my_application(actor=actor_of(request), selection_id=selection_id)
    return {
        "application": mine.application.pk,
        "stage": mine.application.stage,
        "statement": mine.application.statement,
        "decisions": [
            _decision(st.decision)
            | {
                "included": st.included,
                "your_reasons": st.own_reasons or None,
                "may_appeal": st.may_appeal,
                "appeal": st.appeal.pk if st.appeal else None,
            }
            for st in mine.standings
        ],
        "appeals": [
            {"id": a.pk, "state": a.state, "outcome": a.outcome or None, "reasons": a.reasons or None}
            for a in mine.appeals
        ],
        "notices": [{"subject": n.subject, "created_at": n.created_at} for n in mine.notices],
    }


@router.post("/{int:selection_id}/applications", response={201: dict[str, Any], **ERRORS}, summary="Apply")
def selections_apply(request: HttpRequest, selection_id: int, data: StatementIn) -> Status[dict[str, Any]]:
    """Apply for yourself with a statement, while applications are open (409 names the rule otherwise)."""
    actor = actor_of(request)
    application = s.application_submit(
        actor=actor, selection=_selection(request, selection_id), statement=data.statement
    )
    return Status(201, {"application": application.pk, "stage": application.stage})


@router.post("/{int:selection_id}/withdraw", response={200: dict[str, Any], **ERRORS}, summary="Withdraw")
def selections_withdraw(request: HttpRequest, selection_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    mine = my_application(actor=actor, selection_id=selection_id)
    application = s.application_withdraw(actor=actor, application=mine.application)
    return {"application": application.pk, "stage": application.stage}


@router.post(
    "/{int:selection_id}/close", response={200: dict[str, Any], **ERRORS}, summary="Close applications"
)
def selections_close(request: HttpRequest, selection_id: int) -> dict[str, Any]:
    s.applications_close(actor=actor_of(request), selection=_selection(request, selection_id))
    return _workspace(request, selection_id)


@router.post(
    "/{int:selection_id}/panel", response={200: dict[str, Any], **ERRORS}, summary="Appoint to the panel"
)
def selections_panel(request: HttpRequest, selection_id: int, data: PersonIn) -> dict[str, Any]:
    """409 when the person is an applicant, has a stake in an applicant's case or a declared relationship."""
    actor = actor_of(request)
    s.panel_appoint(
        actor=actor, selection=_selection(request, selection_id), person=person_named(actor, data.person)
    )
    return _workspace(request, selection_id)


@router.post(
    "/{int:selection_id}/panel/{int:seat_id}/remove",
    response={200: dict[str, Any], **ERRORS},
    summary="Remove",
)
def selections_panel_remove(
    request: HttpRequest, selection_id: int, seat_id: int, data: RemoveIn
) -> dict[str, Any]:
    s.panel_remove(
        actor=actor_of(request), seat=seat_in(_selection(request, selection_id), seat_id), reason=data.reason
    )
    return _workspace(request, selection_id)


@router.post(
    "/{int:selection_id}/relationships",
    response={200: dict[str, Any], **ERRORS},
    summary="Declare a relationship",
)
def selections_relationship(request: HttpRequest, selection_id: int, data: RelationshipIn) -> dict[str, Any]:
    """A panel member declares their own relationship with an applicant; an officer records one, naming the
    person. Either keeps that person off this selection's panels."""
    actor = actor_of(request)
    application: Application = application_in(_selection(request, selection_id), data.application)
    person = person_named(actor, data.person) if data.person not in (None, "") else None
    s.relationship_declare(actor=actor, application=application, description=data.description, person=person)
    return _workspace(request, selection_id)


@router.post(
    "/{int:selection_id}/longlist", response={200: dict[str, Any], **ERRORS}, summary="Publish the longlist"
)
def selections_longlist(request: HttpRequest, selection_id: int, data: ListIn) -> dict[str, Any]:
    """The shortlisting panel: `included` application ids, general reasons (required), reasons per applicant."""
    s.longlist_decide(
        actor=actor_of(request),
        selection=_selection(request, selection_id),
        included=data.included,
        reasons=data.reasons,
        entry_reasons=data.entry_reasons,
    )
    return _workspace(request, selection_id)


@router.post(
    "/{int:selection_id}/shortlist", response={200: dict[str, Any], **ERRORS}, summary="Publish the shortlist"
)
def selections_shortlist(request: HttpRequest, selection_id: int, data: ListIn) -> dict[str, Any]:
    """From the longlist, once its appeal window has closed and its appeals are decided."""
    s.shortlist_decide(
        actor=actor_of(request),
        selection=_selection(request, selection_id),
        included=data.included,
        reasons=data.reasons,
        entry_reasons=data.entry_reasons,
    )
    return _workspace(request, selection_id)


@router.post(
    "/{int:selection_id}/changes",
    response={200: dict[str, Any], **ERRORS},
    summary="Change the published shortlist",
)
def selections_change(request: HttpRequest, selection_id: int, data: ChangeIn) -> dict[str, Any]:
    """Record the decision of a body the rulebook empowers (`powers` in [bodies]), at or above the selecting
    unit, with its date and written reasons. Without reasons, or by another body: 409 naming the rule."""
    actor = actor_of(request)
    selection = _selection(request, selection_id)
    s.shortlist_change(
        actor=actor,
        selection=selection,
        body=body_for_change(actor=actor, selection=selection, body_id=data.body),
        decided_on=data.decided_on,
        reasons=data.reasons,
        add=data.add,
        remove=data.remove,
    )
    return public_out(selection_get(actor=actor, selection_id=selection_id))


@router.post(
    "/{int:selection_id}/decisions/{int:decision_id}/appeals",
    response={201: dict[str, Any], **ERRORS},
    summary="Appeal against a decision",
)
def selections_appeal(
    request: HttpRequest, selection_id: int, decision_id: int, data: GroundsIn
) -> Status[dict[str, Any]]:
    """An applicant the longlist or shortlist left out, within the window (409 after it)."""
    actor = actor_of(request)
    decision = decision_for_appeal(actor=actor, selection_id=selection_id, decision_id=decision_id)
    appeal = s.appeal_lodge(actor=actor, decision=decision, grounds=data.grounds)
    return Status(201, {"appeal": appeal.pk, "state": appeal.state, "body": appeal.body_id})


@router.post(
    "/{int:selection_id}/appeals/{int:appeal_id}/panel",
    response={200: dict[str, Any], **ERRORS},
    summary="Appoint to an appeal panel",
)
def selections_appeal_panel(
    request: HttpRequest, selection_id: int, appeal_id: int, data: PersonIn
) -> dict[str, Any]:
    """The body above: people not involved before, without a stake (409 names the rule)."""
    actor = actor_of(request)
    appeal = appeal_in(_selection(request, selection_id), appeal_id)
    s.appeal_panel_appoint(actor=actor, appeal=appeal, person=person_named(actor, data.person))
    return _workspace(request, selection_id)


@router.post(
    "/{int:selection_id}/appeals/{int:appeal_id}/decide",
    response={200: dict[str, Any], **ERRORS},
    summary="Decide an appeal",
)
def selections_appeal_decide(
    request: HttpRequest, selection_id: int, appeal_id: int, data: AppealDecisionIn
) -> dict[str, Any]:
    """`outcome` dismissed or allowed, with reasons. Allowed against a shortlist: a recorded change by the
    body above."""
    appeal = appeal_in(_selection(request, selection_id), appeal_id)
    s.appeal_decide(actor=actor_of(request), appeal=appeal, outcome=data.outcome, reasons=data.reasons)
    return _workspace(request, selection_id)


@router.post(
    "/{int:selection_id}/hustings", response={200: dict[str, Any], **ERRORS}, summary="Call the hustings"
)
def selections_hustings(request: HttpRequest, selection_id: int, data: HustingsIn) -> dict[str, Any]:
    """A meeting of the selecting body (its callers and notice period are the meetings rules'); called too
    late, the hustings are invalid and may be called again. 409 names the rule."""
    actor = actor_of(request)
    s.hustings_call(
        actor=actor,
        selection=_selection(request, selection_id),
        starts_at=data.starts_at,
        place=data.place,
        online_link=data.online_link,
    )
    return public_out(selection_get(actor=actor, selection_id=selection_id))


@router.post(
    "/{int:selection_id}/ballot", response={200: dict[str, Any], **ERRORS}, summary="Call the member ballot"
)
def selections_ballot(request: HttpRequest, selection_id: int, data: BallotIn) -> dict[str, Any]:
    """An election of the selecting unit's members by fptp, av or sv, the final shortlist its ballot paper
    (409 while the shortlist's appeals are open, or with a returning officer who has a stake)."""
    actor = actor_of(request)
    selection, roles = selection_by_id(actor, selection_id)
    if "manager" not in roles:  # before naming anyone: the picker's scope is the organisers'
        raise Forbidden("only the organisers of the selection call its member ballot")
    s.ballot_create(
        actor=actor,
        selection=selection,
        method=data.method,
        returning_officer=person_named(actor, data.returning_officer),
    )
    return public_out(selection_get(actor=actor, selection_id=selection_id))


@router.post(
    "/{int:selection_id}/declare", response={200: dict[str, Any], **ERRORS}, summary="Declare the result"
)
def selections_declare(request: HttpRequest, selection_id: int) -> dict[str, Any]:
    """Once the returning officer has published the ballot's result: every applicant is told."""
    actor = actor_of(request)
    s.ballot_result_declare(actor=actor, selection=_selection(request, selection_id))
    return public_out(selection_get(actor=actor, selection_id=selection_id))
