"""Ending offices the lawful ways (the holder resigns; the appointing body's decision is recorded) and
temporary restrictions of access to personal data. Removal against a holder's will is a case (cases app)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from polity.access.restrictions import restriction_impose, restriction_review
from polity.access.services import appointing_bodies, office_end_by_decision, office_resign
from polity.common.errors import DomainError, Forbidden, NotVisible
from polity.web.forms import OfficeDecisionForm, ResignForm, RestrictionForm, RestrictionReviewForm
from polity.web.selectors import (
    office_term_get,
    own_term_get,
    restrictable_holders,
    restrictable_units,
    restriction_get,
    restrictions_in_scope,
)
from polity.web.views.common import actor_of, web_view


def _status(form: object) -> int:
    return 422 if getattr(form, "errors", None) else 200


@web_view
def office_decision_view(request: HttpRequest, term_id: int) -> HttpResponse:
    """Record the appointing body's decision ending a term (the service checks offices.manage)."""
    actor = actor_of(request)
    term = office_term_get(actor=actor, term_id=term_id)
    form = OfficeDecisionForm(
        request.POST if request.method == "POST" else None, bodies=appointing_bodies(term)
    )
    if request.method == "POST" and form.is_valid():
        try:
            office_end_by_decision(
                actor=actor,
                term=term,
                body=form.selected_body(),
                decided_on=form.cleaned_data["decided_on"],
                reasons=form.cleaned_data["reasons"],
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "The decision is recorded; the holder has been emailed it and how to contest it."
            )
            return redirect("web:unit", unit_id=term.unit_id)
    return render(request, "web/units/body_decision.html", {"term": term, "form": form}, status=_status(form))


@web_view
def office_resign_view(request: HttpRequest, term_id: int) -> HttpResponse:
    """The holder resigns one of their own offices, after confirming."""
    actor = actor_of(request)
    term = own_term_get(actor=actor, term_id=term_id)
    form = ResignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            office_resign(
                actor=actor,
                term=term,
                confirm=form.cleaned_data["confirm"],
                reason=form.cleaned_data["reason"],
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error("confirm" if "confirm" in str(error) else None, str(error))
        else:
            messages.success(request, "You have resigned; a confirmation has been emailed to you.")
            return redirect("web:me")
    return render(request, "web/units/resign.html", {"term": term, "form": form}, status=_status(form))


@web_view
def restrictions(request: HttpRequest) -> HttpResponse:
    """Restrictions in scope, and the form to impose one (the service checks access.restrict)."""
    actor = actor_of(request)
    listed = restrictions_in_scope(actor=actor)
    form = RestrictionForm(
        request.POST if request.method == "POST" else None,
        units=restrictable_units(actor=actor),
        holders=restrictable_holders(actor=actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            restriction = restriction_impose(
                actor=actor,
                unit=form.selected_unit(),
                person=form.selected_person(),
                reasons=form.cleaned_data["reasons"],
                review_at=form.review_at(),
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The restriction is in force; every holder affected has been emailed.")
            return redirect("web:restriction", restriction_id=restriction.pk)
    context = {"restrictions": listed, "form": form, "now": timezone.now()}
    return render(request, "web/restrictions/list.html", context, status=_status(form))


@web_view
def restriction(request: HttpRequest, restriction_id: int) -> HttpResponse:
    """One restriction and its review: lift it, or renew it with a new date, with reasons."""
    actor = actor_of(request)
    item = restriction_get(actor=actor, restriction_id=restriction_id)
    form = RestrictionReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            restriction_review(
                actor=actor,
                restriction=item,
                reasons=form.cleaned_data["reasons"],
                lift=form.lift(),
                next_review_at=form.next_review_at(),
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Reviewed; every holder affected has been emailed the outcome.")
            return redirect("web:restriction", restriction_id=item.pk)
    context = {"restriction": item, "form": form}
    return render(request, "web/restrictions/detail.html", context, status=_status(form))
