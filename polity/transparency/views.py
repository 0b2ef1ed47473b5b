"""The public statistics pages (no sign-in): figures per unit and quarter with a chart and a table per
series, CSV downloads, frozen quarterly reports; publishing a report (signed in, statistics.publish)."""

from __future__ import annotations

import csv
import functools
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.transparency import quarters
from polity.transparency.figures import public_unit, rows, statistics_public
from polity.transparency.selectors import (
    report_get,
    report_list,
    report_versions,
    unit_ancestors,
    unit_children,
)
from polity.transparency.services import report_publish
from polity.web.views.common import View, actor_of, web_view


def public_view(view: View) -> View:
    """No sign-in. Unknown units and reports answer 404; a malformed quarter says how to write one."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotVisible as error:
            raise Http404("not found") from error
        except DomainError as error:
            status = 400 if isinstance(error, InvalidInput) else 409
            return render(request, "web/refused.html", {"message": str(error)}, status=status)

    return wrapped


def _csv(name: str, lines: list[list[str]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerows(lines)
    return response


@public_view
def page(request: HttpRequest, unit_id: int | None = None) -> HttpResponse:
    unit = public_unit(unit_id)
    quarter = request.GET.get("quarter", "").strip() or quarters.current()
    stats = statistics_public(unit=unit, quarter=quarter)
    user = getattr(request, "user", None)
    may_publish = bool(
        user is not None
        and user.is_authenticated
        and has_perm(actor_of(request), Perm.STATISTICS_PUBLISH, unit)
    )
    context = {
        "stats": stats,
        "ancestors": unit_ancestors(unit),
        "children": unit_children(unit),
        "quarters": quarters.recent(),
        "ended": quarters.has_ended(stats.quarter),
        "reports": report_list(unit=unit, quarter=stats.quarter),
        "may_publish": may_publish,
    }
    return render(request, "transparency/page.html", context)


@public_view
def page_csv(request: HttpRequest, unit_id: int, quarter: str) -> HttpResponse:
    stats = statistics_public(unit=public_unit(unit_id), quarter=quarter)
    return _csv(f"statistics-{stats.unit.code}-{stats.quarter}.csv", rows(stats))


@public_view
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "transparency/reports.html", {"reports": report_list()[:200]})


@public_view
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    found = report_get(report_id=report_id)
    context = {"report": found, "versions": report_versions(found)}
    return render(request, "transparency/report.html", context)


@public_view
def report_csv(request: HttpRequest, report_id: int) -> HttpResponse:
    found = report_get(report_id=report_id)
    lines = [["unit", "quarter", "version", "series", "title", "category", "kind", "value", "suppressed"]]
    for s in found.figures["series"]:
        for f in s["figures"]:
            value = "" if f["value"] is None else str(f["value"])
            hidden = f"fewer than {found.suppress_below}" if f["suppressed"] else ""
            lines.append(
                [
                    found.unit.name,
                    found.quarter,
                    str(found.version),
                    s["key"],
                    s["title"],
                    f["category"],
                    f["kind"],
                    value,
                    hidden,
                ]
            )
    return _csv(f"report-{found.unit.code}-{found.quarter}-v{found.version}.csv", lines)


@web_view
def publish(request: HttpRequest, unit_id: int, quarter: str) -> HttpResponse:
    """GET: what publishing freezes (or, for a correction, that a note is needed). POST: publish."""
    unit = public_unit(unit_id)
    actor = actor_of(request)
    existing = list(report_list(unit=unit, quarter=quarter))
    if request.method == "POST":
        try:
            made = report_publish(actor=actor, unit=unit, quarter=quarter, note=request.POST.get("note", ""))
        except InvalidInput as error:
            context = {
                "unit": unit,
                "quarter": quarter,
                "existing": existing,
                "error": str(error),
                "note": request.POST.get("note", ""),
            }
            return render(request, "transparency/publish.html", context, status=400)
        messages.success(request, f"Published {made.quarter} for {unit.name}, version {made.version}.")
        return redirect("transparency:report", report_id=made.pk)
    if not has_perm(actor, Perm.STATISTICS_PUBLISH, unit):
        raise Http404("not found")
    return render(
        request, "transparency/publish.html", {"unit": unit, "quarter": quarter, "existing": existing}
    )
