"""The API of data subject requests: a member's own requests (/me/data-requests), the data protection
officer's queue, requests, actions and package (/data-requests). Refusals: 404 for what one may not see,
409 naming the rule (e.g. "too late to extend"), 422 naming the field."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from polity.api.auth import actor_of
from polity.dsr import selectors as s
from polity.dsr import services as svc
from polity.dsr.models import Request
from polity.dsr.render import package_json

me = Router(tags=["data subject requests"])
dpo = Router(tags=["data subject requests"])


class ErrorOut(Schema):
    detail: str


ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
Kinds = Literal["access", "rectification", "erasure", "restriction", "objection", "portability", "complaint"]


class OwnIn(Schema):
    kind: Kinds
    details: str = ""
    purposes: list[str] = []


class RecordIn(Schema):
    kind: Kinds
    channel: Literal["letter", "email"]
    received_on: date
    person_id: int | None = None
    requester_name: str = ""
    requester_email: str = ""
    details: str = ""
    purposes: list[str] = []
    identity_needed: bool = False
    identity_evidence: str = ""


class ActionIn(Schema):
    why: str = ""
    asked: str = ""
    evidence: str = ""
    to: date | None = None
    reasons: str = ""
    answer: str = ""
    purposes: list[str] | None = None
    changes: dict[str, str] = {}
    holding: str = ""
    ref: str = ""
    field: str = ""
    text: str = ""
    reason: str = ""
    note: str = ""


def request_out(r: Request) -> dict[str, Any]:
    return {
        "id": r.pk,
        "reference": r.reference,
        "kind": r.kind,
        "state": r.state,
        "received_on": r.received_on.isoformat(),
        "due_on": r.due_on.isoformat(),
        "first_due_on": r.first_due_on.isoformat(),
        "extended_to": r.extended_to.isoformat() if r.extended_to else None,
        "extension_reasons": r.extension_reasons,
        "answer": r.answer,
        "on_time": r.on_time,
    }


@me.get("", response=list[dict[str, Any]], summary="My data protection requests")
def my_requests(request: HttpRequest) -> list[dict[str, Any]]:
    return [request_out(r) for r in s.my_requests(actor=actor_of(request))]


@me.post("", response={201: dict[str, Any], **ERRORS}, summary="Make a data protection request")
def my_request_make(request: HttpRequest, data: OwnIn) -> Status[dict[str, Any]]:
    made = svc.request_submit_own(
        actor=actor_of(request), kind=data.kind, details=data.details, purposes=data.purposes, channel="api"
    )
    return Status(201, request_out(made))


@dpo.get("", response={200: dict[str, Any], **ERRORS}, summary="The DPO's queue, soonest due first")
def queue(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    q = s.request_queue(actor=actor_of(request), page=page)
    return {
        "overdue": q.overdue,
        "at_risk": q.at_risk,
        "paused": q.paused,
        "open": q.total_open,
        "page": q.page,
        "pages": q.pages,
        "requests": [
            {
                "id": r.pk,
                "reference": r.reference,
                "kind": r.kind,
                "state": r.state,
                "due_on": r.due_on.isoformat(),
                "days_left": r.days_left,
                "extended": r.is_extended,
                "escalated": r.is_escalated,
            }  # fmt: skip
            for r in q.rows
        ],
    }


@dpo.post("", response={201: dict[str, Any], **ERRORS}, summary="Enter a request received by letter or email")
def record(request: HttpRequest, data: RecordIn) -> Status[dict[str, Any]]:
    from polity.dsr.services.common import require_dpo
    from polity.members.selectors import member_get

    actor = actor_of(request)
    require_dpo(actor)
    person = (
        member_get(actor=actor, member_id=data.person_id, purpose="data subject request")
        if data.person_id
        else None
    )
    fields = data.model_dump(exclude={"person_id"})
    return Status(201, request_out(svc.request_record(actor=actor, person=person, **fields)))


@dpo.get("/{int:request_id}", response={200: dict[str, Any], **ERRORS}, summary="One request")
def get(request: HttpRequest, request_id: int) -> dict[str, Any]:
    return request_out(s.request_get(actor=actor_of(request), request_id=request_id))


@dpo.get(
    "/{int:request_id}/package",
    response={200: dict[str, Any], **ERRORS},
    summary="The package as it would go",
)
def package(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """Every holding with its records (withheld pieces marked) and each withheld piece with its reason."""
    actor = actor_of(request)
    return package_json(
        s.package_preview(actor=actor, request=s.request_get(actor=actor, request_id=request_id), limit=None)
    )


@dpo.post(
    "/{int:request_id}/actions/{action}", response={200: dict[str, Any], **ERRORS}, summary="Act on a request"
)
def act(request: HttpRequest, request_id: int, action: str, data: ActionIn) -> dict[str, Any]:
    """pause (why, asked), resume (evidence), extend (to, reasons), redact / lift (holding, ref, field, text,
    reason, note), send, erase, stop (purposes, reasons), rectify (changes), answer (answer), refuse (reasons)."""
    actor = actor_of(request)
    item = s.request_get(actor=actor, request_id=request_id)
    d = data
    if action == "pause":
        svc.request_pause(actor=actor, request=item, why=d.why, asked=d.asked)
    elif action == "resume":
        svc.request_resume(actor=actor, request=item, evidence=d.evidence)
    elif action == "extend":
        if d.to is None:
            from polity.common.errors import InvalidInput

            raise InvalidInput("to: the new due date")
        svc.request_extend(actor=actor, request=item, to=d.to, reasons=d.reasons)
    elif action in {"redact", "lift"}:
        svc.redaction_decide(
            actor=actor, request=item, holding_key=d.holding, ref=d.ref, field=d.field, text=d.text,
            reason=d.reason, lift=action == "lift", note=d.note,
        )  # fmt: skip
    elif action == "send":
        svc.package_send(actor=actor, request=item)
    elif action == "erase":
        svc.request_erase(actor=actor, request=item)
    elif action == "stop":
        svc.request_stop_processing(actor=actor, request=item, purposes=d.purposes, reasons=d.reasons)
    elif action == "rectify":
        svc.rectification_apply(actor=actor, request=item, changes=d.changes)
    elif action == "answer":
        svc.request_answer(actor=actor, request=item, answer=d.answer)
    elif action == "refuse":
        svc.request_refuse(actor=actor, request=item, reasons=d.reasons)
    else:
        from polity.common.errors import NotVisible

        raise NotVisible("not found")
    return request_out(s.request_get(actor=actor, request_id=request_id))
