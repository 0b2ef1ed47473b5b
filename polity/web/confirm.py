"""The "are you sure?" step of one-click actions with consequences: a page that says what will happen and to whom
before anything changes (admitting a member, a transfer, a grant; messages have their own, richer page).

A view whose form is valid asks `confirmed(request)`; when it is not, it answers `ask(...)`, a page listing
the consequences with the form's own values carried in hidden fields and a button posting them back with
`confirm=yes`. The service still decides everything on that second post.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM = "confirm"


@dataclass(frozen=True)
class Confirmation:
    title: str
    consequences: list[str]
    button: str
    cancel_url: str
    hidden: list[tuple[str, str]] = field(default_factory=list)


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM) == "yes"


def carried(form: forms.Form, **replace: str) -> list[tuple[str, str]]:
    """The form's posted values as (name, value) pairs for hidden inputs, several for a multiple choice;
    `replace` puts a resolved value in place of what was typed (a membership number for a name)."""
    pairs: list[tuple[str, str]] = []
    for name in form.fields:
        if name in replace:
            pairs.append((name, replace[name]))
            continue
        for value in form.data.getlist(form.add_prefix(name)) if hasattr(form.data, "getlist") else []:
            pairs.append((name, str(value)))
    return pairs


def ask(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    return render(request, "web/confirm.html", {"confirm": confirmation, "action": request.path})
