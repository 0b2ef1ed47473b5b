"""How errors answer over the API: always `{"detail": "<words>"}`, the shape the OpenAPI schema documents.

NotVisible is 404 with exactly the body of a record that does not exist, so a response never tells
whether something is there but out of scope. A request that does not validate (a parameter of the wrong
type, a missing field) is 422 whose detail names each field (`page: Input should be ...`), like the
InvalidInput of a service. A body that is not JSON is 400, one larger than Django reads 413. Errors that
arise outside an operation (no route, a method not taken, a crash) are made JSON by
polity.api.middleware. `document_errors` adds 400, 401, 404, 413 and 422 to the schema of every operation
where they can occur.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

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


def _field(loc: Any) -> str:
    """`["query", "page"]` → `page`; `["body", "payload", "name"]` → `name`: the name the caller sent."""
    parts = [str(p) for p in (loc or [])]
    if parts and parts[0] in {"query", "path", "body", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "request"


def validation_detail(errors: list[dict[str, Any]]) -> str:
    """One sentence per invalid field, `field: what is wrong`, joined by semicolons."""
    return "; ".join(f"{_field(e.get('loc'))}: {e.get('msg', 'invalid')}" for e in errors) or "invalid input"


def _invalid(request: HttpRequest, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    errors = exc.errors if isinstance(exc, ValidationError) else []
    return api.create_response(request, {"detail": validation_detail(errors)}, status=422)


def _too_big(request: HttpRequest, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request, {"detail": f"Request body too large: at most {limit} bytes."}, status=413
    )


def _bad_request(request: HttpRequest, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Bad request: the server could not read this request."}, status=400
    )


def _with_status(request: HttpRequest, exc: Exception, *, api: NinjaAPI, status: int) -> HttpResponse:
    """`{"detail": words}`, and `"rule"` (a stable code, e.g. "late_notice") when the refusal names one."""
    body: dict[str, str] = {"detail": str(exc)}
    rule = getattr(exc, "rule", None)
    if isinstance(rule, str) and rule:
        body["rule"] = rule
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(NotVisible, partial(_not_found, api=api))
    api.add_exception_handler(Http404, partial(_not_found, api=api))
    api.add_exception_handler(AuthenticationError, partial(_unauthorised, api=api))
    api.add_exception_handler(TokenNeedsSecondFactor, partial(_token_needs_second_factor, api=api))
    api.add_exception_handler(Forbidden, partial(_with_status, api=api, status=403))
    api.add_exception_handler(InvalidInput, partial(_with_status, api=api, status=422))
    api.add_exception_handler(DomainError, partial(_with_status, api=api, status=409))
    api.add_exception_handler(ValidationError, partial(_invalid, api=api))
    api.add_exception_handler(RequestDataTooBig, partial(_too_big, api=api))
    api.add_exception_handler(SuspiciousOperation, partial(_bad_request, api=api))


ERROR_SCHEMA = "Error"
_ERROR_BODY = {
    "type": "object",
    "title": ERROR_SCHEMA,
    "properties": {"detail": {"type": "string", "title": "Detail"}},
    "required": ["detail"],
}
_WHY = {
    "400": "The request could not be read (e.g. a body that is not JSON).",
    "401": "No valid token: missing, unknown, revoked, a deactivated account's, or made without a second "
    "factor for an account that now needs one (the detail says which).",
    "404": "Not found, or not visible to you: the two are never told apart.",
    "413": "The request body is larger than the server reads.",
    "422": "A parameter or field is invalid; the detail names it.",
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the errors every operation can answer to its responses (existing entries are kept): 401 to all;
    400 and 413 where there is a body; 404 where there is a path parameter; 422 where there is any input."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_SCHEMA, _ERROR_BODY)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            params = operation.get("parameters", [])
            codes = ["401"]
            if "requestBody" in operation:
                codes += ["400", "413"]
            if "{" in path:
                codes.append("404")
            if params or "requestBody" in operation:
                codes.append("422")
            responses = operation.setdefault("responses", {})
            known = {str(key) for key in responses}  # ninja keys its own by int: 422 and "422" are one
            for code in codes:
                if code in known:
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": _WHY[code],
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}
                        },
                    },
                )
    return schema
