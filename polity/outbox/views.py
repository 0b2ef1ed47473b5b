"""Unsubscribe (no login, RFC 8058 one-click), the bounce webhook, and the caught-mail pages."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from polity.common.actor import Actor
from polity.common.errors import DomainError, NotVisible
from polity.outbox.selectors import caught_mail_get, caught_mail_list, dispatch_counts, dispatch_deliveries
from polity.outbox.services import bounce_record, unsubscribe_confirm
from polity.web.views.common import actor_of, web_view


@csrf_exempt  # mail providers POST "List-Unsubscribe=One-Click" without a session: the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners must not unsubscribe anyone); POST unsubscribes."""
    if request.method == "GET":
        return render(request, "outbox/unsubscribe.html", {"token": token, "done": None})
    try:
        result = unsubscribe_confirm(token=token)
    except NotVisible as error:
        raise Http404("not found") from error
    return render(request, "outbox/unsubscribe.html", {"token": token, "done": result})


@csrf_exempt  # a machine endpoint authenticated by a shared secret, not a browser form
@require_POST
def bounce(request: HttpRequest) -> HttpResponse:
    """POST {"message_id": "...", "permanent": true, "reason": "5.1.1"} with `Authorization: Bearer <POLITY_BOUNCE_TOKEN>`."""
    secret = str(getattr(settings, "POLITY_BOUNCE_TOKEN", ""))
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        raise Http404("not found")
    try:
        data = json.loads(request.body or b"{}")
        entry = bounce_record(
            actor=Actor.system("bounce endpoint"),
            message_id=str(data["message_id"]),
            permanent=bool(data.get("permanent", True)),
            reason=str(data.get("reason", "")),
        )
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "invalid"}, status=400)
    except NotVisible as error:
        raise Http404("not found") from error
    except DomainError as error:
        return JsonResponse({"error": str(error)}, status=409)
    return JsonResponse({"entry": entry.pk, "state": entry.state})


@web_view
def caught_list(request: HttpRequest) -> HttpResponse:
    """Caught mail: operators only (anyone else gets 404); each view is recorded in the access log."""
    return render(request, "outbox/caught_list.html", {"mails": caught_mail_list(actor=actor_of(request))})


@web_view
def caught_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mail = caught_mail_get(actor=actor_of(request), pk=pk)
    return render(request, "outbox/caught_detail.html", {"mail": mail})


@web_view
def deliveries(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    """Per-recipient delivery status of one dispatch, for the data protection officer. Never addresses."""
    state = request.GET.get("state", "")
    try:
        after = max(0, int(request.GET.get("after", "0")))
    except ValueError:
        after = 0
    rows = dispatch_deliveries(
        actor=actor_of(request), dispatch_id=dispatch_id, state=state or None, after_id=after
    )
    context = {
        "dispatch_id": dispatch_id,
        "rows": rows,
        "counts": dispatch_counts(dispatch_id),
        "state": state,
        "next_after": rows[-1].entry_id if len(rows) == 100 else None,
    }
    return render(request, "outbox/deliveries.html", context)
