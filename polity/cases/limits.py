"""One limit for evidence uploads, enforced before the request's body is read.

Evidence files are at most `POLITY_EVIDENCE_MAX_BYTES` (a setting: an operational limit, not an organisation
rule), on the web forms and the API's multipart upload alike. Django parses a posted form while the CSRF check
runs, before any view, and would stream a 200 MB body to a temporary file before the evidence service refused
it; so this middleware answers 413 from the `Content-Length` header alone, before anything reads the body.
Under WSGI the body can never be longer than its Content-Length (Django reads no further), so the header is
the whole story.

JSON bodies (the API's base64 `content_base64`, meant for small files) stay under Django's
`DATA_UPLOAD_MAX_MEMORY_SIZE`, which keeps whole requests out of memory; a larger JSON body to a case endpoint
gets the same early 413, naming the multipart upload to use instead.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

# Room for the form's other fields and the multipart framing around the file.
FORM_ALLOWANCE = 64 * 1024

# Routes whose posted body may carry an evidence file (web forms, the API's multipart upload).
UPLOAD_ROUTES = frozenset({"cases:new", "cases:act", "api:cases_evidence_upload"})
# API routes that take JSON, possibly with base64 evidence in it (POST /cases shares its route's name with
# the queue, GET /cases).
JSON_ROUTES = frozenset({"api:cases_queue", "api:cases_act"})


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def body_limit(view_name: str) -> tuple[int, str] | None:
    """(the largest body the route takes, what to say when a request is over it), or None: no limit here."""
    if view_name in UPLOAD_ROUTES:
        limit = int(settings.POLITY_EVIDENCE_MAX_BYTES)
        return limit + FORM_ALLOWANCE, f"file: evidence files are at most {_size(limit)}"
    if view_name in JSON_ROUTES and settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
        limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return limit, (
            f"body: a JSON request is at most {_size(limit)}; send larger evidence files (up to "
            f"{_size(int(settings.POLITY_EVIDENCE_MAX_BYTES))}) as multipart/form-data to "
            f"/api/v1/cases/{{id}}/evidence"
        )
    return None


class EvidenceUploadLimit:
    """413 for an upload over the limit, from its Content-Length, before any middleware or view reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            refused = self._refuse(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # Django treats a malformed length as an empty body
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        found = body_limit(match.view_name)
        if found is None or declared <= found[0]:
            return None
        limit, message = found
        request.META["CONTENT_LENGTH"] = "0"  # nothing after this may read the body either
        if match.view_name.startswith("api:"):
            return JsonResponse({"detail": message}, status=413)
        return render(request, "web/refused.html", {"message": message}, status=413)
