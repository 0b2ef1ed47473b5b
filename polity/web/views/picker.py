"""The person picker's matches (an htmx fragment under a person field; see polity.members.picker)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from polity.members.picker import person_pick
from polity.web.views.common import actor_of, web_view


@web_view
def person_matches(request: HttpRequest) -> HttpResponse:
    """People in the form's scope matching what is typed in `field` (for several people: its last entry)."""
    field = request.GET.get("field", "")[:40]
    typed = request.GET.get(field, "") if field else ""
    if request.GET.get("multi"):
        typed = typed.replace(";", ",").rsplit(",", 1)[-1]
    people = person_pick(actor=actor_of(request), q=typed[:200], scope=request.GET.get("scope", "members"))
    context = {"people": people, "typed": typed.strip(), "target": request.GET.get("target", "")[:80]}
    return render(request, "web/picker/matches.html", context)
