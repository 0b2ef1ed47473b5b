"""How domain errors answer over the API.

NotVisible is 404 with exactly the body of a record that does not exist, so a response never tells
whether something is there but out of scope.
"""

from __future__ import annotations

from functools import partial

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from polity.accounts.tokens import TokenNeedsSecondFactor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible

NOT_FOUND = {"detail": "Not found."}
UNAUTHORISED = {"detail": "Authentication required: send 'Authorization: Bearer <token>' with a valid token."}


def _not_found(request: HttpRequest, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, NOT_FOUND, status=404)


def _unauthorised(request: HttpRequest, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    response = api.create_response(request, UNAUTHORISED, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="polity"'
    return response


def _token_needs_second_factor(request: HttpRequest, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    """A live token made without a second factor, of an account that now needs one: say why, so its owner
    knows to create a new one rather than retry."""
    response = api.create_response(request, {"detail": str(exc)}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="polity", error="invalid_token"'
    return response


def _with_status(request: HttpRequest, exc: Exception, *, api: NinjaAPI, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(NotVisible, partial(_not_found, api=api))
    api.add_exception_handler(Http404, partial(_not_found, api=api))
    api.add_exception_handler(AuthenticationError, partial(_unauthorised, api=api))
    api.add_exception_handler(TokenNeedsSecondFactor, partial(_token_needs_second_factor, api=api))
    api.add_exception_handler(Forbidden, partial(_with_status, api=api, status=403))
    api.add_exception_handler(InvalidInput, partial(_with_status, api=api, status=422))
    api.add_exception_handler(DomainError, partial(_with_status, api=api, status=409))
