"""/api/v1/exports: ask for an export (409 naming the rule that refuses it), list mine, download one (the
requester alone, until it expires); /api/v1/exports/attribution for the data protection officer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router, Schema, Status

from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut
from polity.exports.incidents import decoy_contact_record, excerpt_attribute
from polity.exports.models import Export
from polity.exports.selectors import export_audience, my_export, my_exports
from polity.exports.services import export_download, export_plan, export_request
from polity.exports.writers import CONTENT_TYPE

router = Router(tags=["exports"])
ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ExportIn(Schema):
    audience: int
    purpose: str
    channel: str = ""
    columns: list[str]
    format: str = "csv"
    reason: str = ""
    dry_run: bool = False


class ExportOut(Schema):
    id: int
    state: str
    purpose: str
    channel: str
    columns: list[str]
    format: str
    rows_at_request: int
    members: int
    requested_at: datetime
    expires_at: datetime | None
    download: str | None


class ExportPlanOut(Schema):
    purpose: str
    channel: str
    columns: list[str]
    rows: int
    excluded: dict[str, int]
    needs_approval_by: int | None


class AttributeIn(Schema):
    excerpt: str
    open_incident: bool = False
    note: str = ""


class DecoyContactIn(Schema):
    address: str
    channel: str = "phone"


def _out(e: Export) -> dict[str, Any]:
    return {
        "id": e.pk,
        "state": e.state,
        "purpose": e.purpose,
        "channel": e.channel,
        "columns": e.columns,
        "format": e.format,
        "rows_at_request": e.rows_at_request,
        "members": e.members,
        "requested_at": e.requested_at,
        "expires_at": e.expires_at,
        "download": f"/api/v1/exports/{e.pk}/file" if e.state == "ready" else None,
    }


@router.post("", response={201: ExportOut, 200: ExportPlanOut, **ERRORS}, summary="Ask for an export")
def exports_request(request: HttpRequest, data: ExportIn) -> Any:
    """With `dry_run`, the confirmation's figures (rows now, left out by reason, whether it waits for
    approval) and nothing is made."""
    actor = actor_of(request)
    audience = export_audience(actor=actor, audience_id=data.audience)
    args: dict[str, Any] = {
        "audience": audience,
        "purpose": data.purpose,
        "channel": data.channel,
        "columns": data.columns,
        "format": data.format,
    }
    if data.dry_run:
        plan = export_plan(actor=actor, **args)
        return {
            "purpose": plan.purpose.key,
            "channel": plan.channel,
            "columns": plan.columns,
            "rows": plan.rows,
            "excluded": plan.excluded,
            "needs_approval_by": plan.approver.pk if plan.approver else None,
        }
    return Status(201, _out(export_request(actor=actor, reason=data.reason, **args)))


@router.get("", response={200: list[ExportOut]}, summary="My exports")
def exports_mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(e) for e in my_exports(actor=actor_of(request))]


@router.get("/{int:export_id}", response={200: ExportOut, **ERRORS}, summary="One of my exports")
def exports_one(request: HttpRequest, export_id: int) -> dict[str, Any]:
    return _out(my_export(actor=actor_of(request), export_id=export_id))


@router.get("/{int:export_id}/file", response={200: None, **ERRORS}, summary="Download my export")
def exports_file(request: HttpRequest, export_id: int) -> HttpResponseBase:
    """Recorded in the access log of every member in the file."""
    actor = actor_of(request)
    export = export_download(actor=actor, export=my_export(actor=actor, export_id=export_id))
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        content_type=CONTENT_TYPE[export.format],
        filename=f"export-{export.pk}.{export.format}",
    )


@router.post("/attribution", response={200: dict[str, Any], **ERRORS}, summary="Trace a leaked excerpt")
def exports_attribute(request: HttpRequest, data: AttributeIn) -> dict[str, Any]:
    """The export(s) the excerpt came from, who made them, when, for what, with the probability, and the
    members whose rows it shows. `open_incident` starts the clock to report the breach."""
    traced = excerpt_attribute(
        actor=actor_of(request), text=data.excerpt, open_incident=data.open_incident, note=data.note
    )
    att = traced.attribution
    return {
        "rows_read": att.rows_read,
        "rows_matched": att.rows_matched,
        "decoy_rows": att.decoy_rows,
        "exports": [
            {
                "export": c.export.pk,
                "made_by": c.export.requested_by_label,
                "made_at": c.export.ready_at,
                "purpose": c.export.purpose,
                "probability": round(c.probability, 4),
                "certain": c.certain,
                "rows": c.rows,
                "decoys": c.decoys,
            }
            for c in att.candidates
        ],
        "members": att.members_in_excerpt,
        "incident": traced.incident.pk if traced.incident else None,
        "notes": att.notes,
    }


@router.post("/decoy-contacts", response={201: dict[str, Any], **ERRORS}, summary="Report a decoy contacted")
def exports_decoy_contact(request: HttpRequest, data: DecoyContactIn) -> Status[dict[str, Any]]:
    contact = decoy_contact_record(
        actor=actor_of(request), address=data.address, channel=data.channel, route="reported"
    )
    return Status(201, {"export": contact.decoy.export_id, "incident": contact.incident_id})
