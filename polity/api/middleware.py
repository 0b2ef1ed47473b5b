"""Every error under /api/ answers JSON, whoever produced it.

The API's own errors are JSON already (polity.api.errors). What is not: Django's 404 for a path no route
matches (a non-numeric id in `/messages/{int:message_id}` is such a path), the 405 of a method an operation
does not take, the 400 of a request Django refuses (a disallowed host, a malformed body), the 500 of an
exception. This middleware replaces each with `{"detail": "..."}` and the same status, keeping every
header but the body's own (Allow, WWW-Authenticate, Retry-After, Cache-Control...). A 404 has exactly the
body of a record one may not see (polity.api.errors.NOT_FOUND), so a malformed id tells nothing a
well-formed one would not.

A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused by Django from its declared length before it is
read (RequestDataTooBig, which polity.api.errors answers 413); evidence uploads have their own earlier limit
(polity.cases.limits).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse

API_PREFIX = "/api/"
_BODY_HEADERS = {"content-type", "content-length", "content-encoding", "content-language"}


def _detail(status: int, response: HttpResponseBase | None = None) -> str:
    from polity.api.errors import NOT_FOUND

    if status == 404:
        return str(NOT_FOUND["detail"])
    if status == 405 and response is not None and response.has_header("Allow"):
        return f"Method not allowed here: use {response['Allow']}."
    if status == 413:
        return f"Request body too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    if status >= 500:
        return "Internal error: the server could not answer this request. It has been logged."
    if status == 400:
        return "Bad request: the server could not read this request."
    try:
        return HTTPStatus(status).phrase + "."
    except ValueError:
        return "Error."


def json_error(status: int, response: HttpResponseBase | None = None) -> JsonResponse:
    out = JsonResponse({"detail": _detail(status, response)}, status=status)
    if response is not None:
        for header, value in response.items():
            if header.lower() not in _BODY_HEADERS:
                out[header] = value
    return out


def _is_json(response: HttpResponseBase) -> bool:
    return str(response.get("Content-Type", "")).split(";")[0].strip() == "application/json"


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            return json_error(response.status_code, response)
        return response
