"""What every web view shares: the request's actor, sign-in, and turning domain errors into pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from polity.common.actor import Actor, request_actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible

View = Callable[..., HttpResponse]


def actor_of(request: HttpRequest) -> Actor:
    """One Actor per request (see polity.common.actor.request_actor)."""
    return request_actor(request)


def web_view(view: View) -> View:
    """Signed-in users only. NotVisible answers 404 (like a missing page), Forbidden 403, other refusals 409."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotVisible as error:
            raise Http404("not found") from error
        except Forbidden as error:
            raise PermissionDenied(str(error)) from error
        except DomainError as error:
            status = 400 if isinstance(error, InvalidInput) else 409
            return render(request, "web/refused.html", {"message": str(error)}, status=status)

    return login_required(wrapped)


def is_htmx(request: HttpRequest) -> bool:
    """An htmx swap wants a fragment; restoring history (a cache miss after Back) wants the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
