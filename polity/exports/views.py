"""Exports pages: ask for an export (form, then a confirmation naming purpose, columns and rows), my exports
(state, expiry, download), approvals, and the data protection officer's attribution tool."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from polity.common.errors import DomainError, InvalidInput
from polity.exports.forms import AttributeForm, DecoyContactForm, ExportForm, RefuseForm, ReportForm
from polity.exports.incidents import decoy_contact_record, excerpt_attribute, incident_report
from polity.exports.selectors import (
    export_audience,
    export_audiences,
    export_for_approval,
    export_purposes,
    exports_awaiting,
    incident_get,
    incidents,
    may_attribute,
    members_shown,
    my_export,
    my_exports,
    with_requesters,
)
from polity.exports.services import (
    export_approve,
    export_download,
    export_plan,
    export_refuse,
    export_request,
)
from polity.exports.writers import CONTENT_TYPE
from polity.web.views.common import actor_of, web_view


@web_view
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    context = {
        "exports": my_exports(actor=actor),
        "awaiting": with_requesters(exports_awaiting(actor=actor), lambda e: e),
        "may_attribute": may_attribute(actor),
    }
    return render(request, "exports/home.html", context)


def _form(request: HttpRequest, data: Any = None) -> ExportForm:
    actor = actor_of(request)
    return ExportForm(data, audiences=export_audiences(actor=actor), purposes=export_purposes())


@web_view
def new(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: check it and show the confirmation; POST with confirm: ask for the export."""
    actor = actor_of(request)
    form = _form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audience = export_audience(actor=actor, audience_id=int(data["audience"]))
            args: dict[str, Any] = {
                "audience": audience,
                "purpose": data["purpose"],
                "channel": data["channel"],
                "columns": list(data["columns"]),
                "format": data["format"],
            }
            if request.POST.get("confirm") == "yes":
                export = export_request(actor=actor, reason=data["reason"], **args)
                flash.success(request, f"Export {export.pk} asked for: {export.get_state_display().lower()}.")
                return redirect("exports:home")
            plan = export_plan(actor=actor, **args)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return render(
                request, "exports/confirm.html", {"form": form, "plan": plan, "reason": data["reason"]}
            )
    return render(request, "exports/new.html", {"form": form}, status=400 if form.errors else 200)


@web_view
def download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = export_download(
        actor=actor_of(request), export=my_export(actor=actor_of(request), export_id=export_id)
    )
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"export-{export.pk}.{export.format}",
        content_type=CONTENT_TYPE[export.format],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


@require_POST
@web_view
def approve(request: HttpRequest, export_id: int) -> HttpResponse:
    actor = actor_of(request)
    export = export_approve(actor=actor, export=export_for_approval(actor=actor, export_id=export_id))
    [(_, requester)] = with_requesters([export], lambda e: e)
    flash.success(request, f"Export {export.pk} approved: it is being made for {requester}.")
    return redirect("exports:home")


@require_POST
@web_view
def refuse(request: HttpRequest, export_id: int) -> HttpResponse:
    actor = actor_of(request)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("reason: say why the export is refused")
    export = export_refuse(
        actor=actor,
        export=export_for_approval(actor=actor, export_id=export_id),
        reason=form.cleaned_data["reason"],
    )
    flash.success(request, f"Export {export.pk} refused.")
    return redirect("exports:home")


def _read_upload(upload: Any) -> str:
    raw = upload.read(2_000_001)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return str(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    return str(raw.decode("latin-1"))


@web_view
def attribute(request: HttpRequest) -> HttpResponse:
    """The DPO's tool: paste or upload a leaked excerpt, or report a decoy contacted; incidents and clocks."""
    actor = actor_of(request)
    if not may_attribute(actor):
        raise Http404("not found")
    form = AttributeForm(request.POST or None, request.FILES or None)
    contact_form = DecoyContactForm(prefix="contact")
    traced = None
    shown: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = _read_upload(data["upload"]) if data.get("upload") else data["excerpt"]
        try:
            traced = excerpt_attribute(
                actor=actor, text=text, open_incident=data["open_incident"], note=data["note"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            shown = members_shown(actor=actor, person_ids=traced.attribution.members_in_excerpt)
    context = {
        "form": form,
        "contact_form": contact_form,
        "traced": traced,
        "candidates": with_requesters(traced.attribution.candidates, lambda c: c.export) if traced else [],
        "shown": shown,
        "incidents": incidents(actor=actor),
    }
    return render(request, "exports/attribute.html", context, status=400 if form.errors else 200)


@require_POST
@web_view
def decoy_contact(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = DecoyContactForm(request.POST, prefix="contact")
    if not form.is_valid():
        raise InvalidInput("address: give the email address or phone number that was contacted")
    contact = decoy_contact_record(
        actor=actor,
        address=form.cleaned_data["address"],
        channel=form.cleaned_data["channel"],
        route="reported",
    )
    flash.success(
        request,
        f"A decoy of export {contact.decoy.export_id} was reached: incident {contact.incident_id} is open.",
    )
    return redirect("exports:incident", incident_id=contact.incident_id)


@web_view
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = incident_get(actor=actor, incident_id=incident_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident_report(actor=actor, incident=found, reference=form.cleaned_data["reference"])
        flash.success(request, "The report is recorded and the clock stopped.")
        return redirect("exports:incident", incident_id=found.pk)
    deadline = next((d for i, d in incidents(actor=actor) if i.pk == found.pk), None)
    return render(request, "exports/incident.html", {"incident": found, "deadline": deadline, "form": form})
