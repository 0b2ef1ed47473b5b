"""Pages of data subject requests: the member's "my data", the public form, the download link, the data
protection officer's queue and request page. Views parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.dsr import clock
from polity.dsr import forms as f
from polity.dsr import selectors as s
from polity.dsr import services as svc
from polity.dsr.models import Kind, Request
from polity.web.picker import bind_actor
from polity.web.views.common import actor_of, web_view


@web_view
def my_data(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = f.OwnRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = svc.request_submit_own(
                actor=actor, kind=data["kind"], details=data["details"], purposes=data["purposes"]
            )
        except InvalidInput as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Your request is received: {made.reference}. We answer by {made.due_on:%d %B %Y}."
            )
            return redirect("dsr:mine", request_id=made.pk)
    context = {"form": form, "requests": s.my_requests(actor=actor), "today": clock.local_today()}
    return render(request, "dsr/my_data.html", context, status=400 if form.errors else 200)


@web_view
def mine(request: HttpRequest, request_id: int) -> HttpResponse:
    item = s.my_request_get(actor=actor_of(request), request_id=request_id)
    return render(request, "dsr/mine.html", {"item": item, "today": clock.local_today()})


@web_view
@require_POST
def withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = actor_of(request)
    svc.request_withdraw(actor=actor, request=s.my_request_get(actor=actor, request_id=request_id))
    messages.success(request, "Your request is withdrawn.")
    return redirect("dsr:my_data")


def public(request: HttpRequest) -> HttpResponse:
    """For anyone, members or not: the address is confirmed before the request counts."""
    form = f.PublicRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.request_public_start(
                kind=data["kind"],
                name=data["requester_name"],
                email=data["requester_email"],
                details=data["details"],
                membership_number=data["membership_number"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "dsr/public_sent.html")
    return render(request, "dsr/public.html", {"form": form}, status=400 if form.errors else 200)


def public_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links confirm nothing); POST opens the request."""
    if request.method != "POST":
        return render(request, "dsr/public_confirm.html")
    try:
        _made, follow = svc.request_public_confirm(token=token)
    except NotVisible as error:
        raise Http404("not found") from error
    except DomainError as error:
        return render(request, "web/refused.html", {"message": str(error)}, status=409)
    return redirect("dsr:follow", token=follow)


def follow(request: HttpRequest, token: str) -> HttpResponse:
    try:
        item = s.request_by_follow_token(token=token)
    except NotVisible as error:
        raise Http404("not found") from error
    return render(request, "dsr/follow.html", {"item": item, "today": clock.local_today()})


def download(request: HttpRequest, token: str, which: str = "") -> HttpResponse:
    """The link in the requester's message: a page with the two files, and each file (recorded)."""
    if not which:
        return render(request, "dsr/download.html", {"token": token})
    try:
        _delivery, content, name = svc.delivery_download(token=token, which=which)
    except NotVisible as error:
        raise Http404("not found") from error
    kind = "application/pdf" if which == "pdf" else "application/zip"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the data protection officer ------------------------------------------------------------------------


@web_view
def queue(request: HttpRequest) -> HttpResponse:
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    q = s.request_queue(actor=actor_of(request), page=page)
    return render(request, "dsr/queue.html", {"queue": q})


@web_view
def record(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    s.dpo_gate(actor=actor)
    form = f.RecordRequestForm(request.POST or None, initial={"received_on": clock.local_today()})
    bind_actor(form, actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = svc.request_record(actor=actor, **data)
        except InvalidInput as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Request {made.reference} entered; due {made.due_on:%d %B %Y}.")
            return redirect("dsr:detail", request_id=made.pk)
    return render(request, "dsr/record.html", {"form": form}, status=400 if form.errors else 200)


ACTIONS: dict[str, tuple[str, type[forms.Form]]] = {
    "pause": ("Stop the clock: ask the requester", f.PauseForm),
    "resume": ("It arrived: start the clock again", f.ResumeForm),
    "extend": ("Extend, with reasons", f.ExtendForm),
    "redact": ("Withhold a piece", f.RedactForm),
    "lift": ("Disclose a withheld piece", f.LiftForm),
    "send": ("Send the package", f.ConfirmForm),
    "erase": ("Erase", f.ConfirmForm),
    "stop": ("Stop these uses of their data", f.StopForm),
    "rectify": ("Correct the register", f.RectifyForm),
    "answer": ("Answer", f.AnswerForm),
    "refuse": ("Refuse, with reasons", f.RefuseForm),
}


CONSEQUENCES = {
    "send": "Sends the requester a link to the package shown above (a PDF and an archive), with every withheld "
    "piece numbered and its reason; the link works for the period the rulebook sets. The request is answered.",
    "erase": "Anonymises everything the registry may erase, puts the person's addresses on the suppression list, "
    "keeps what the law requires, and tells the requester what was kept and why. It cannot be undone.",
    "stop": "Every message for these uses is refused for this person at the moment it is sent. The request is "
    "answered.",
    "refuse": "Closes the request; the reasons and the right to complain to the ICO are sent to the requester.",
}


def _allowed(item: Request) -> list[str]:
    if not item.is_open:
        return []
    if item.state != "received":
        return ["resume", "refuse"]
    names = ["pause"]
    if item.extended_to is None and item.kind != Kind.COMPLAINT:
        names.append("extend")
    names += {
        Kind.ACCESS: ["send"],
        Kind.PORTABILITY: ["send"],
        Kind.ERASURE: ["erase"],
        Kind.RESTRICTION: ["stop"],
        Kind.OBJECTION: ["stop"],
        Kind.RECTIFICATION: ["rectify", "answer"],
        Kind.COMPLAINT: ["answer"],
    }[Kind(item.kind)]
    return [*names, "refuse"]


def _detail(
    request: HttpRequest, request_id: int, failed: str = "", bound: forms.Form | None = None, error: str = ""
) -> HttpResponse:
    actor = actor_of(request)
    item = s.request_get(actor=actor, request_id=request_id)
    names = _allowed(item)
    action_forms = []
    for name in names:
        label, cls = ACTIONS[name]
        form = bound if name == failed and bound is not None else cls(initial=_initial(name, item))
        action_forms.append((name, label, form, CONSEQUENCES.get(name, "")))
    preview = (
        s.package_preview(actor=actor, request=item) if item.kind in {Kind.ACCESS, Kind.PORTABILITY} else None
    )
    context: dict[str, Any] = {
        "item": item,
        "forms": action_forms,
        "preview": preview,
        "redact_form": f.RedactForm,
        "today": clock.local_today(),
        "days_left": clock.days_left(item.due_on, clock.local_today()),
        "deliveries": s.deliveries_of(item),
        "error": error,
        "open": item.is_open,
    }
    status = 200 if not (failed or error) else 409 if error else 400
    return render(request, "dsr/detail.html", context, status=status)


def _initial(name: str, item: Request) -> dict[str, Any]:
    if name == "stop":
        return {"purposes": item.purposes}
    return {}


@web_view
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _detail(request, request_id)


@web_view
@require_POST
def act(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    actor = actor_of(request)
    if action not in ACTIONS:
        raise Http404("not found")
    item = s.request_get(actor=actor, request_id=request_id)
    form = ACTIONS[action][1](request.POST)
    if not form.is_valid():
        return _detail(request, request_id, failed=action, bound=form)
    data = form.cleaned_data
    try:
        done = _run(actor, item, action, data, form)
    except (NotVisible, Forbidden):
        raise
    except DomainError as error:
        return _detail(request, request_id, failed=action, bound=form, error=str(error))
    messages.success(request, done)
    return redirect("dsr:detail", request_id=request_id)


def _run(actor: Any, item: Request, action: str, data: dict[str, Any], form: forms.Form) -> str:
    if action == "pause":
        svc.request_pause(actor=actor, request=item, why=data["why"], asked=data["asked"])
        return "The clock is stopped and the requester was asked."
    if action == "resume":
        svc.request_resume(actor=actor, request=item, evidence=data["evidence"])
        return "The clock runs again."
    if action == "extend":
        svc.request_extend(actor=actor, request=item, to=data["to"], reasons=data["reasons"])
        return "Extended; the reasons were sent."
    if action in {"redact", "lift"}:
        svc.redaction_decide(
            actor=actor, request=item, holding_key=data["holding"], ref=data["ref"], field=data["field"],
            text=data.get("text", ""), reason=data["reason"], lift=action == "lift", note=data.get("note", ""),
        )  # fmt: skip
        return "Disclosed, and recorded." if action == "lift" else "Withheld, and recorded."
    if action == "send":
        delivery, _token = svc.package_send(actor=actor, request=item)
        return f"Sent: {delivery.records} records, {delivery.redactions} withheld. The link was emailed."
    if action == "erase":
        svc.request_erase(actor=actor, request=item)
        return "Erased; the requester was told what was kept and why."
    if action == "stop":
        svc.request_stop_processing(
            actor=actor, request=item, purposes=data["purposes"], reasons=data["reasons"]
        )
        return "Stopped; every send now checks it."
    if action == "rectify":
        assert isinstance(form, f.RectifyForm)
        svc.rectification_apply(actor=actor, request=item, changes=form.changes())
        return "Corrected and answered."
    if action == "answer":
        svc.request_answer(actor=actor, request=item, answer=data["answer"])
        return "Answered."
    svc.request_refuse(actor=actor, request=item, reasons=data["reasons"])
    return "Refused; the reasons were sent."
