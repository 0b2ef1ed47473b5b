"""Home, a member's own page, units and offices, grants, and the audit status page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from polity.access.perms import Perm
from polity.access.policy import require
from polity.access.services import grant_check, grant_give, grant_revoke
from polity.audit.search import SearchInputError, access_log_search, audit_verbs
from polity.audit.selectors import access_log_for_person, audit_status
from polity.audit.services import audit_check
from polity.common.errors import DomainError, Forbidden, NotVisible
from polity.web.confirm import ask, confirmed
from polity.web.confirmations import grant_confirmation
from polity.web.forms import AccessLogSearchForm, GrantGiveForm, RevokeForm
from polity.web.selectors import (
    grant_get,
    grantable_units,
    grants_in_scope,
    home_for,
    member_record,
    unit_offices,
    unit_tree,
)
from polity.web.views.common import actor_of, web_view


@web_view
def home(request: HttpRequest) -> HttpResponse:
    """An officer's units, offices and grants with quick links; a plain member goes to their own page."""
    actor = actor_of(request)
    summary = home_for(actor=actor)
    if not summary.perms and actor.person_id is not None:
        return redirect("web:me")
    return render(request, "web/home.html", {"home": summary})


@web_view
def me(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own record, notices, and who viewed their data."""
    actor = actor_of(request)
    if actor.person_id is None:
        raise Http404("this account is not linked to a person on the register")
    record = member_record(actor=actor, member_id=actor.person_id)
    context = {
        "record": record,
        "person": record.person,
        "home": home_for(actor=actor),
        "entries": access_log_for_person(actor=actor, person_id=actor.person_id, limit=100),
    }
    return render(request, "web/me.html", context)


@web_view
def units(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require(actor, Perm.UNITS_VIEW)
    return render(request, "web/units/tree.html", {"units": unit_tree(actor=actor)})


@web_view
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    offices = unit_offices(actor=actor_of(request), unit_id=unit_id)
    return render(request, "web/units/unit.html", {"offices": offices, "unit": offices.unit})


@web_view
def grants(request: HttpRequest) -> HttpResponse:
    """Grants in scope, and a form to give one (the service checks every permission granted)."""
    actor = actor_of(request)
    require(actor, Perm.GRANTS_MANAGE)
    form = GrantGiveForm(request.POST or None, actor=actor, units=grantable_units(actor=actor))
    if request.method == "POST" and form.is_valid() and not confirmed(request):
        try:
            grant_check(
                actor=actor,
                permissions=form.cleaned_data["permissions"],
                unit=form.selected_unit(),
                purpose=form.cleaned_data["purpose"],
                expires_at=form.expires_at(),
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return ask(request, grant_confirmation(form))
    if request.method == "POST" and form.is_valid() and confirmed(request):
        try:
            grant_give(
                actor=actor,
                person=form.selected_holder(),
                permissions=form.cleaned_data["permissions"],
                unit=form.selected_unit(),
                purpose=form.cleaned_data["purpose"],
                expires_at=form.expires_at(),
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Grant given.")
            return redirect("web:grants")
    status = 422 if form.errors else 200
    context = {
        "grants": grants_in_scope(actor=actor, include_ended=True),
        "form": form,
        "now": timezone.now(),
    }
    return render(request, "web/grants/list.html", context, status=status)


@web_view
def grant_revoke_view(request: HttpRequest, grant_id: int) -> HttpResponse:
    actor = actor_of(request)
    grant = grant_get(actor=actor, grant_id=grant_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant_revoke(actor=actor, grant=grant, reason=form.cleaned_data["reason"])
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Grant revoked; the holder has been told why.")
            return redirect("web:grants")
    status = 422 if form.errors else 200
    return render(request, "web/grants/revoke.html", {"grant": grant, "form": form}, status=status)


@web_view
def audit(request: HttpRequest) -> HttpResponse:
    """The data protection officer's view of the log: its state, and a search of it (itself recorded)."""
    actor = actor_of(request)
    status = audit_status(actor=actor)
    form = AccessLogSearchForm(request.GET or None, verbs=audit_verbs(actor=actor))
    result = None
    if form.is_valid():
        f = form.cleaned_data
        try:
            result = access_log_search(
                actor=actor, who=f["actor"], person=f["person"], verb=f["verb"], purpose=f["purpose"],
                since=f["since"], until=f["until"], page=f["page"] or 1,
            )  # fmt: skip
        except SearchInputError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    context = {"status": status, "form": form, "result": result}
    return render(request, "web/audit.html", context, status=422 if form.errors else 200)


@web_view
@require_POST
def audit_verify_now(request: HttpRequest) -> HttpResponse:
    verdict = audit_check(actor=actor_of(request))
    if verdict.ok:
        messages.success(request, f"The log is {verdict}.")
    else:
        messages.error(request, f"The log is {verdict}.")
    return redirect("web:audit")
