"""Operators: issue a one-time enrolment code with which a person sets up (or replaces) their second factor.

Under the two-factor middleware, so only an operator whose own session passed its second factor gets here;
anyone else is answered "not found". The code is shown once; Polity keeps only its hash.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from polity.access.policy import may_issue_enrolment_code
from polity.accounts.enrolment import enrolment_code_issue
from polity.accounts.services import has_confirmed_device
from polity.accounts.tokens import user_for_username
from polity.common.errors import DomainError, Forbidden, NotVisible
from polity.web.views.common import actor_of, web_view


class EnrolmentIssueForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="The account that will set up an authenticator app with the code.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )


@never_cache
@web_view
def enrolment_code(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not may_issue_enrolment_code(actor):
        raise NotVisible("not found")
    form = EnrolmentIssueForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            user = user_for_username(form.cleaned_data["username"].strip())
            row, code = enrolment_code_issue(actor=actor, user=user)
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error("username", str(error).removeprefix("username: "))
        else:
            issued = {"user": user, "code": code, "row": row, "replaces": has_confirmed_device(user)}
            form = EnrolmentIssueForm()
    context = {"form": form, "issued": issued}
    return render(request, "web/enrolment_code.html", context, status=422 if form.errors else 200)
