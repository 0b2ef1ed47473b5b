"""The deadlines page: what is due in the units an officer looks after, and what was missed below them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from polity.deadlines.selectors import deadlines_in_scope
from polity.web.views.common import actor_of, web_view


@web_view
def deadlines(request: HttpRequest) -> HttpResponse:
    everything = request.GET.get("all") == "1"
    found = deadlines_in_scope(actor=actor_of(request), pending_only=not everything)
    return render(request, "deadlines/list.html", {"scopes": found, "everything": everything})
