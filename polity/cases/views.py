"""Case pages: my cases and a complaint form, one case (status, deadlines, documents, allowed actions),
evidence files, the case team's queue, public statistics. Views parse, call one selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from polity.cases.actions import case_act, case_by_id, case_open_from
from polity.cases.forms import ComplaintForm, PublicComplaintForm, QueueForm
from polity.cases.params import ParamErrors, action_forms
from polity.cases.queue import case_queue_choices, case_queue_page, cases_of_person_in_words
from polity.cases.selectors import (
    case_follow,
    case_get,
    case_item_options,
    evidence_open,
    public_units,
)
from polity.cases.services.public import complaint_confirm, complaint_request
from polity.cases.statistics import case_stats_public, stats_unit
from polity.cases.workflow import ACTIONS
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.web.views.common import actor_of, web_view


@web_view
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(request, "cases/home.html", {"mine": cases_of_person_in_words(actor=actor)})


@web_view
def new(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open_from(
                actor=actor_of(request), data={**form.cleaned_data, "kind": "complaint"}, files=request.FILES
            )
        except (InvalidInput, DomainError) as error:
            if isinstance(error, NotVisible | Forbidden):
                raise
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Your complaint is received. Its reference is {case.reference}.")
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/new.html", {"form": form}, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest, case_id: int, error: DomainError | None = None, failed: str = ""
) -> HttpResponse:
    """The case page; after a refused action, its form keeps what was typed and shows what was wrong."""
    view = case_get(actor=actor_of(request), case_id=case_id)
    names = list(view.actions)
    fields = error.fields if isinstance(error, ParamErrors) else {}
    if fields and failed not in names:
        names.append(failed)  # e.g. a review of a suspension that does not exist: the form shows why
    labels = {name: ACTIONS[name].label for name in names}
    options = case_item_options(view)
    forms = action_forms(names, labels, failed, request.POST if failed else None, fields, options)
    status = 200 if error is None else 400 if isinstance(error, InvalidInput) else 409
    return render(
        request,
        "cases/detail.html",
        {"view": view, "case": view.case, "forms": forms, "error": str(error or "")},
        status=status,
    )


@web_view
def detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _detail(request, case_id)


@web_view
@require_POST
def act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        case_act(
            actor=actor,
            case=case_by_id(actor, case_id),
            action=action,
            data=request.POST.dict(),
            files=request.FILES,
            typed_people=True,  # the web names people by name or membership number, never by id
        )
    except (NotVisible, Forbidden):
        raise
    except DomainError as error:
        return _detail(request, case_id, error=error, failed=action)
    messages.success(request, f"Done: {ACTIONS[action].label.lower()}.")
    return redirect("cases:detail", case_id=case_id)


@web_view
def evidence(request: HttpRequest, evidence_id: int) -> HttpResponse:
    item = evidence_open(actor=actor_of(request), evidence_id=evidence_id)
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # a streamed file is a response too


@web_view
def queue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = QueueForm(
        request.GET, choices=case_queue_choices(actor=actor), has_person=actor.person_id is not None
    )
    result, query = None, {}
    if form.is_valid():
        result = case_queue_page(actor=actor, filters=form.filters(), page=form.cleaned_data["page"] or 1)
        query = form.query()
    return render(request, "cases/queue.html", {"form": form, "result": result, "query": query})


@web_view
def stats(request: HttpRequest, unit_id: int | None = None) -> HttpResponse:
    actor = actor_of(request)
    unit = stats_unit(unit_id)
    quarter = request.GET.get("quarter", "")
    stats = case_stats_public(actor=actor, unit=unit, quarter=quarter)
    context = {"stats": stats, "units": stats.by_unit, "quarter": quarter}
    return render(request, "cases/stats.html", context)


def complain(request: HttpRequest) -> HttpResponse:
    """A complaint from someone not on the register (no sign-in): confirmed by email before it counts."""
    form = PublicComplaintForm(request.POST or None, units=public_units())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint_request(
                name=data["sender_name"],
                email=data["sender_email"],
                unit=stats_unit(data["unit"]),
                summary=data["summary"],
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "cases/complain_sent.html")
    return render(request, "cases/complain.html", {"form": form}, status=400 if form.errors else 200)


def complain_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links confirm nothing); POST opens the case."""
    if request.method != "POST":
        return render(request, "cases/complain_confirm.html")
    try:
        _case, follow_token = complaint_confirm(token=token)
    except NotVisible as error:
        raise Http404("not found") from error
    except DomainError as error:
        return render(request, "web/refused.html", {"message": str(error)}, status=409)
    return redirect("cases:follow", token=follow_token)


def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The sender's private status page."""
    try:
        view = case_follow(token=token)
    except NotVisible as error:
        raise Http404("not found") from error
    return render(request, "cases/follow.html", {"view": view, "case": view.case})
