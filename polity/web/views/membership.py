"""A member's own membership: contact details, renewing, resigning (with a cooling-off window) and disputing a
resignation an officer recorded. Every page acts on the signed-in person only; the services refuse the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, NotVisible
from polity.members import notices
from polity.members.models import Person
from polity.members.resignations import (
    COOLING_OFF,
    resignation_dispute,
    resignation_request,
    resignation_withdraw,
)
from polity.members.sections import my_sections, section_declare, section_withdraw
from polity.members.selectors import resignation_letter
from polity.members.self_service import member_renew, member_update_contact, renewal_quote
from polity.rulebook.loader import get_rulebook
from polity.web.forms import ContactForm, DisputeForm, MembershipResignForm
from polity.web.selectors import MemberRecord, member_record
from polity.web.views.common import actor_of, web_view


def _mine(actor: Actor) -> MemberRecord:
    if actor.person_id is None:
        raise Http404("this account is not linked to a person on the register")
    return member_record(actor=actor, member_id=actor.person_id)


def _run(request: HttpRequest, form: forms.Form, call: Any, done: str) -> HttpResponse | None:
    """Call the service when the form is valid: its refusal goes on the form, success goes back to /me/."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        call()
    except (NotVisible, Forbidden):
        raise
    except DomainError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, done)
    return redirect("web:me")


def _page(request: HttpRequest, template: str, form: forms.Form, **context: Any) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=422 if form.errors else 200)


@web_view
def me_contact(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    person = _mine(actor).person
    initial = {key: getattr(person, key) for key in ContactForm.base_fields}
    form = ContactForm(request.POST or None, initial=initial)

    def call() -> None:
        member_update_contact(actor=actor, person=person, **form.cleaned_data)

    done = _run(request, form, call, "Your contact details were saved.")
    return done or _page(request, "web/me/contact.html", form, person=person)


class SectionForm(forms.Form):
    section = forms.CharField(max_length=30)
    action = forms.ChoiceField(
        choices=[("declare", "I belong to it"), ("withdraw", "I no longer belong to it")]
    )


@web_view
def me_sections(request: HttpRequest) -> HttpResponse:
    """The sections of the rulebook: the member says which they belong to, or withdraws; age sections follow
    the date of birth. Only the member changes these; who reads them is in the access log."""
    actor = actor_of(request)
    person = _mine(actor).person
    form = SectionForm(request.POST or None)

    def call() -> None:
        service = section_declare if form.cleaned_data["action"] == "declare" else section_withdraw
        service(actor=actor, person=person, section=form.cleaned_data["section"])

    done = _run(request, form, call, "Your sections were saved.")
    rows = my_sections(actor=actor, person=person)
    return done or _page(request, "web/me/sections.html", form, person=person, rows=rows)


@web_view
def me_renew(request: HttpRequest) -> HttpResponse:
    """What renewing does (amount, paid until, a new period after a lapse), then the member confirms."""
    actor = actor_of(request)
    person = _mine(actor).person
    quote = renewal_quote(actor=actor, person=person)
    form = forms.Form(request.POST if request.method == "POST" else None)

    def call() -> None:
        member_renew(actor=actor, person=person)

    done = _run(request, form, call, "Thank you: your membership is renewed.")
    return done or _page(request, "web/me/renew.html", form, person=person, quote=quote)


@web_view
def me_resign(request: HttpRequest) -> HttpResponse:
    """Says what resigning does and how long it can be taken back, then asks the member to confirm."""
    actor = actor_of(request)
    person: Person = _mine(actor).person
    form = MembershipResignForm(request.POST or None)
    window = get_rulebook().rule(COOLING_OFF)

    def call() -> None:
        resignation_request(actor=actor, person=person, reason=form.cleaned_data["reason"])

    done = _run(
        request, form, call, "Your resignation is recorded. We emailed you; you can take it back until then."
    )
    return done or _page(
        request, "web/me/resign.html", form, person=person, window=notices.in_words(window.duration)
    )


@web_view
@require_POST
def me_resignation_withdraw(request: HttpRequest, resignation_id: int) -> HttpResponse:
    actor = actor_of(request)
    record = _mine(actor)
    mine = next((r for r in record.resignations if r.pk == resignation_id), None)
    if mine is None:
        raise Http404("not found")
    resignation_withdraw(actor=actor, resignation=mine)
    messages.success(request, "Your resignation is taken back: your membership continues.")
    return redirect("web:me")


@web_view
def me_resignation_dispute(request: HttpRequest, resignation_id: int) -> HttpResponse:
    actor = actor_of(request)
    record = _mine(actor)
    mine = next((r for r in record.resignations if r.pk == resignation_id), None)
    if mine is None:
        raise Http404("not found")
    form = DisputeForm(request.POST or None)

    def call() -> None:
        resignation_dispute(actor=actor, resignation=mine, reason=form.cleaned_data["reason"])

    done = _run(request, form, call, "You disputed the resignation: it will not take effect.")
    return done or _page(
        request, "web/me/dispute.html", form, resignation=mine, closes=notices.when(mine.window_ends_at)
    )


@web_view
def resignation_letter_view(request: HttpRequest, resignation_id: int) -> HttpResponse:
    """The letter behind a recorded resignation, for the member and officers who record resignations."""
    found = resignation_letter(actor=actor_of(request), resignation_id=resignation_id)
    response = FileResponse(
        found.letter.open("rb"), as_attachment=True, filename=found.letter_name or "letter"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # a streamed file is a response too
