"""Members list (search, filters, paging; htmx partial), a member's record, and officers' actions on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from polity.access.perms import Perm
from polity.access.policy import has_perm, require
from polity.audit.selectors import access_log_for_person
from polity.common.errors import DomainError, Forbidden, NotVisible
from polity.members import notices
from polity.members.models import Person
from polity.members.resignations import DISPUTE_WINDOW, resignation_record
from polity.members.selectors import PAGE_SIZE, member_list
from polity.members.services import (
    member_record_payment,
    member_set_status,
    member_status_check,
    member_transfer,
)
from polity.rulebook.loader import get_rulebook
from polity.web.confirm import Confirmation, ask, confirmed
from polity.web.confirmations import admit_confirmation, transfer_confirmation
from polity.web.forms import MemberSearchForm, PaymentForm, ResignationRecordForm, StatusForm, TransferForm
from polity.web.selectors import member_for_action, member_record, transfer_targets, units_for_filter
from polity.web.views.common import actor_of, is_htmx, web_view


@web_view
def members(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require(actor, Perm.MEMBERS_VIEW)
    form = MemberSearchForm(request.GET, units=units_for_filter(actor=actor))
    result, query = None, {}
    if form.is_valid():
        data = form.cleaned_data
        result = member_list(
            actor=actor, unit=form.selected_unit(), q=data["q"], status=data["status"], page=data["page"] or 1
        )
        query = {k: data[k] for k in ("q", "unit", "status") if data[k]}
    context = {"form": form, "result": result, "query": query, "page_size": PAGE_SIZE}
    if result is not None:
        context["first"] = (result.page - 1) * PAGE_SIZE + 1 if result.members else 0
        context["last"] = (result.page - 1) * PAGE_SIZE + len(result.members)
    template = "web/members/_results.html" if is_htmx(request) else "web/members/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # a cache must not serve the fragment as the page
    return response


def _record_page(request: HttpRequest, member_id: int, status: int = 200, **forms: Any) -> HttpResponse:
    actor = actor_of(request)
    record = member_record(actor=actor, member_id=member_id)
    context: dict[str, Any] = {"record": record, "person": record.person}
    if record.can_edit:
        context["payment_form"] = forms.get("payment_form") or PaymentForm()
        context["status_form"] = forms.get("status_form") or StatusForm()
    if record.can_transfer:
        targets = transfer_targets(actor=actor, person=record.person)
        context["transfer_form"] = forms.get("transfer_form") or TransferForm(targets=targets)
    context["can_read_log"] = not record.is_self and has_perm(actor, Perm.AUDIT_VIEW, record.person.home_unit)
    return render(request, "web/members/record.html", context, status=status)


@web_view
def member(request: HttpRequest, member_id: int) -> HttpResponse:
    return _record_page(request, member_id)


def _act(
    request: HttpRequest,
    person: Person,
    form: forms.Form,
    form_key: str,
    call: Callable[[], str],
    then: str | None = None,
) -> HttpResponse:
    """Run one service from a valid form: its refusal goes on the form, success redirects with a message."""
    if form.is_valid():
        try:
            done = call()
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(then or reverse("web:member", args=[person.pk]))
    return _record_page(request, person.pk, status=422, **{form_key: form})


def _ask_first(
    request: HttpRequest,
    person: Person,
    form: forms.Form,
    form_key: str,
    check: Callable[[], None],
    confirmation: Callable[[], Confirmation],
) -> HttpResponse:
    """A valid form, not yet confirmed: refusals go on the form at once; otherwise ask "are you sure?"."""
    try:
        check()
    except (NotVisible, Forbidden):
        raise
    except DomainError as error:
        form.add_error(None, str(error))
        return _record_page(request, person.pk, status=422, **{form_key: form})
    return ask(request, confirmation())


@web_view
@require_POST
def member_payment(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = actor_of(request)
    person = member_for_action(actor=actor, member_id=member_id)
    form = PaymentForm(request.POST)

    def call() -> str:
        member_record_payment(
            actor=actor,
            person=person,
            amount_pence=form.amount_pence(),
            paid_on=form.cleaned_data["paid_on"],
            method=form.cleaned_data["method"],
        )
        return "Payment recorded."

    return _act(request, person, form, "payment_form", call)


@web_view
@require_POST
def member_status(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = actor_of(request)
    person = member_for_action(actor=actor, member_id=member_id)
    form = StatusForm(request.POST)
    if form.is_valid() and not confirmed(request):
        data = form.cleaned_data

        def check() -> None:
            member_status_check(actor=actor, person=person, status=data["status"], reason=data["reason"])

        return _ask_first(
            request, person, form, "status_form", check, lambda: admit_confirmation(person, form)
        )

    def call() -> str:
        member_set_status(
            actor=actor, person=person, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
        )
        return "Status changed; the member was told by email."

    return _act(request, person, form, "status_form", call)


@web_view
def member_resignation(request: HttpRequest, member_id: int) -> HttpResponse:
    """Record a resignation the member sent, with their letter or email; says first what will happen."""
    actor = actor_of(request)
    person = member_for_action(actor=actor, member_id=member_id)
    require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit, visible=False)
    form = ResignationRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            resignation_record(
                actor=actor,
                person=person,
                letter=form.cleaned_data["letter"],
                received_on=form.cleaned_data["received_on"],
                note=form.cleaned_data["note"],
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Resignation recorded. {person.given_name} was told and can dispute it."
            )
            return redirect("web:member", member_id=person.pk)
    context = {
        "person": person,
        "form": form,
        "window": notices.in_words(get_rulebook().rule(DISPUTE_WINDOW).duration),
    }
    return render(request, "web/members/record_resignation.html", context, status=422 if form.errors else 200)


@web_view
@require_POST
def member_move(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = actor_of(request)
    person = member_for_action(actor=actor, member_id=member_id)
    require(actor, Perm.MEMBERS_TRANSFER, scope=person.home_unit, visible=False)
    form = TransferForm(request.POST, targets=transfer_targets(actor=actor, person=person))
    if form.is_valid() and not confirmed(request):
        return _ask_first(
            request, person, form, "transfer_form", lambda: None, lambda: transfer_confirmation(person, form)
        )

    def call() -> str:
        member_transfer(actor=actor, person=person, to_unit=form.target(), reason=form.cleaned_data["reason"])
        return f"{person.full_name} was transferred to {form.target().name}."

    return _act(request, person, form, "transfer_form", call, then=reverse("web:members"))


@web_view
def member_access_log(request: HttpRequest, member_id: int) -> HttpResponse:
    """Another member's access log, for holders of Perm.AUDIT_VIEW over them (the reading is recorded)."""
    actor = actor_of(request)
    person = member_for_action(actor=actor, member_id=member_id)
    entries = access_log_for_person(actor=actor, person_id=person.pk, limit=200)
    return render(request, "web/members/access_log.html", {"person": person, "entries": entries})
