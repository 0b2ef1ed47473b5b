"""/api/v1/cases: open a case, read it with the actions allowed now, take an action, the team's queue,
public statistics. A refused action answers 409 with the rule that refused it, in words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from ninja import Body, Router, Schema, Status

from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut
from polity.cases.actions import case_act, case_by_id, case_open_from
from polity.cases.gate import case_roles, is_party, require_action
from polity.cases.selectors import CaseView, case_get, case_queue, evidence_open
from polity.cases.statistics import case_stats_public, stats_unit
from polity.cases.workflow import ACTIONS

router = Router(tags=["cases"])
ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


class EvidenceIn(Schema):
    name: str = "evidence"
    description: str
    content_base64: str


class CaseIn(Schema):
    kind: str = "complaint"
    summary: str
    unit: int | None = None
    respondents: list[int] = []
    witnesses: list[int] = []
    objecting_body: int | None = None
    linked: list[int] = []
    evidence: list[EvidenceIn] = []


class ActionIn(Schema):
    """The parameters of an action; each action reads the ones it needs (see the case's `actions`)."""

    reasons: str | None = None
    text: str | None = None
    allegations: str | None = None
    grounds: str | None = None
    outcome: str | None = None
    person: int | None = None
    role: str | None = None
    members: list[int] | None = None
    case: int | None = None
    reason: str | None = None
    at: datetime | None = None
    details: str | None = None
    review_at: datetime | None = None
    next_review_at: datetime | None = None
    suspension: int | None = None
    lift: bool | None = None
    notice: int | None = None
    how: str | None = None
    description: str | None = None
    name: str | None = None
    content_base64: str | None = None
    message: int | None = None
    in_reply_to: int | None = None


def case_out(view: CaseView) -> dict[str, Any]:
    case = view.case
    out: dict[str, Any] = {
        "id": case.pk,
        "reference": case.reference,
        "kind": case.kind,
        "state": case.state,
        "state_label": case.get_state_display(),
        "unit": case.unit_id,
        "your_roles": sorted(view.roles),
        "received_at": case.received_at,
        "acknowledgement_due_at": case.ack_due_at,
        "acknowledged_at": case.acknowledged_at,
        "outcome": case.outcome or None,
        "decision_reasons": case.decision_reasons or None,
        "appeal_until": case.appeal_until,
        "appeal_outcome": case.appeal_outcome or None,
        "reply_due_at": view.reply_due_at,
        "actions": [{"name": n, "label": ACTIONS[n].label} for n in view.actions],
        "deadlines": [
            {
                "title": d.title,
                "rule": d.rule_key,
                "rule_version": d.rule_version,
                "due_at": d.due_at,
                "state": d.state,
                "escalation_level": d.escalation_level,
            }
            for d in view.deadlines
        ],
        "notices": [
            {
                "id": n.pk,
                "kind": n.kind,
                "subject": n.subject,
                "created_at": n.created_at,
                "delivered_at": n.delivered_at,
                "delivery": state,
            }
            for n, state in view.notices
        ],
        "evidence": [
            {
                "id": e.pk,
                "description": e.description,
                "sha256": e.sha256,
                "size": e.size,
                "is_statement": e.is_statement,
                "supplied_by_you": bool(e.supplied_by_id and e.supplied_by_id == view.viewer_id),
                "download": f"/api/v1/cases/evidence/{e.pk}",
            }
            for e in view.evidence
        ],
        "contact_shared_with_other_party": view.contact_shared,
        "messages": [
            {
                "id": m.message.pk,
                "direction": m.message.direction,
                "party": m.party,
                "text": m.message.text,
                "written_at": m.message.written_at,
                "in_reply_to": m.message.in_reply_to_id,
                "shared_with_other_party": m.message.shared,
                "acknowledged_at": m.message.acknowledged_at,
                "acknowledgement_due_at": m.message.deadline.due_at if m.message.deadline else None,
            }
            for m in view.messages
        ],
    }
    if view.sees_everything:
        out["summary"] = case.summary
        out["participants"] = [{"person": p.person_id, "role": p.role} for p in view.participants]
        for item, m in zip(out["messages"], view.messages, strict=True):
            item["person"] = m.message.party_id
        out["refusals"] = [
            {"action": r.action, "rule": r.rule, "detail": r.detail, "at": r.at} for r in view.refusals
        ]
    elif "complainant" in view.roles:
        out["summary"] = case.summary
    return out


@router.get("", response={200: list[dict[str, Any]], **ERRORS}, summary="The case team's queue")
def cases_queue(request: HttpRequest, state: str = "") -> list[dict[str, Any]]:
    """Open cases in your case team's scope, soonest deadline first (50)."""
    return [
        {
            "id": c.pk,
            "reference": c.reference,
            "kind": c.kind,
            "state": c.state,
            "next_due_at": c.next_due_at,
            "unit": c.unit_id,
        }
        for c in case_queue(actor=actor_of(request), state=state)
    ]


@router.post("", response={201: dict[str, Any], **ERRORS}, summary="Open a case", url_name="cases_open")
def cases_open(request: HttpRequest, data: CaseIn) -> Status[dict[str, Any]]:
    """A member's complaint (for themselves), a disciplinary case or appeal (case team), or an objection
    to membership (a member of the objecting body, with reasons and evidence)."""
    actor = actor_of(request)
    case = case_open_from(actor=actor, data=data.model_dump())
    return Status(201, case_out(case_get(actor=actor, case_id=case.pk)))


@router.get("/stats", response={200: dict[str, Any], **ERRORS}, summary="Public statistics of cases")
def cases_stats(request: HttpRequest, unit: int | None = None, quarter: str = "") -> dict[str, Any]:
    """Counts and average days per stage for the cases handled in a unit's subtree (received in `quarter`,
    e.g. 2026Q3, if given). No personal data."""
    scope = stats_unit(unit)
    stats = case_stats_public(actor=actor_of(request), unit=scope, quarter=quarter)
    return {
        "unit": scope.pk,
        "quarter": quarter or None,
        "counts": stats.counts,
        "days_in_stage": dict(stats.stages),
        "kinds": dict(stats.kinds),
        "states": dict(stats.states),
        "outcomes": dict(stats.outcomes),
        "appeals": dict(stats.appeals),
        "suspensions_by_age": dict(stats.suspensions),
        "overdue_suspension_reviews": stats.overdue_reviews,
        "deadlines": stats.deadlines,
    }


@router.get(
    "/evidence/{int:evidence_id}",
    response={200: None, **ERRORS},
    summary="Download an evidence file",
    openapi_extra={
        "responses": {200: {"content": {"application/octet-stream": {}}}}
    },  # int: one key, not two
)
def cases_evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    """The file itself, if you may open it: the team and panels all of a case's evidence, a party what was
    sent to them and what they supplied. Every opening is recorded in the access log."""
    item = evidence_open(actor=actor_of(request), evidence_id=evidence_id)
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/{int:case_id}", response={200: dict[str, Any], **ERRORS}, summary="One case")
def cases_get(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """The case as you may see it, with the actions you may take now."""
    return case_out(case_get(actor=actor_of(request), case_id=case_id))


@router.post(
    "/{int:case_id}/actions/{action}",
    response={200: dict[str, Any], **ERRORS},
    summary="Take an action",
    url_name="cases_act",
    # Documented with every parameter an action may read; parsed only after the role check (polity.cases.params).
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ActionIn.model_json_schema()}},
        }
    },
)
def cases_act(request: HttpRequest, case_id: int, action: str, data: Body[dict[str, Any]]) -> dict[str, Any]:
    """Take one of the case's `actions` with the parameters it reads (`ActionIn` lists them all).

    Your role in the case is checked first (404 if you have none, 403 if it does not include the action),
    then the case's state (409), then every parameter (422 whose `detail` names the field: `"at: ..."`).
    409 names the due-process rule that refused it."""
    actor = actor_of(request)
    case_act(actor=actor, case=case_by_id(actor, case_id), action=action, data=data)
    return case_out(case_get(actor=actor, case_id=case_id))


@router.post(
    "/{int:case_id}/evidence",
    response={200: dict[str, Any], **ERRORS},
    summary="Upload an evidence file (multipart)",
    url_name="cases_evidence_upload",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file", "description"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "description": {"type": "string", "description": "What the evidence is"},
                        },
                    }
                }
            },
        }
    },
)
def cases_evidence_upload(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """Add an evidence file of up to POLITY_EVIDENCE_MAX_BYTES (25 MB unless configured; a larger
    Content-Length is refused with 413 before the body is read). A complainant or respondent adds their own
    evidence (`supply_evidence`); the case team and the investigator add the case's (`add_evidence`). Your role
    is checked before the form is read: 404 if you have none in the case, 403 if it does not include adding
    evidence."""
    actor = actor_of(request)
    case = case_by_id(actor, case_id)
    action = "supply_evidence" if is_party(case_roles(actor, case)) else "add_evidence"
    require_action(actor, case, action)  # before the body is parsed
    case_act(actor=actor, case=case, action=action, data=request.POST.dict(), files=request.FILES)
    return case_out(case_get(actor=actor, case_id=case_id))
