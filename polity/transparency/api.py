"""/api/v1/statistics: the public figures per unit and quarter, the registered series, and the frozen
quarterly reports (reading needs no token: nothing here is personal); publishing a report needs one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut
from polity.transparency import quarters
from polity.transparency.figures import public_unit, statistics_public
from polity.transparency.models import QuarterlyReport
from polity.transparency.registry import all_series
from polity.transparency.selectors import report_get, report_list
from polity.transparency.services import report_publish

router = Router(tags=["statistics"])
ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class SeriesOut(Schema):
    key: str
    title: str
    measure: str
    description: str
    organisation_only: bool


class ReportOut(Schema):
    id: int
    unit: int
    unit_name: str
    quarter: str
    version: int
    published_at: datetime
    published_by: str
    rulebook_version: str
    suppress_below: int
    sha256: str
    note: str
    difference: list[dict[str, Any]]
    figures: dict[str, Any]


class PublishIn(Schema):
    unit: int | None = None
    quarter: str
    note: str = ""


def _report(r: QuarterlyReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "unit": r.unit_id,
        "unit_name": r.unit.name,
        "quarter": r.quarter,
        "version": r.version,
        "published_at": r.published_at,
        "published_by": r.published_by,
        "rulebook_version": r.rulebook_version,
        "suppress_below": r.suppress_below,
        "sha256": r.sha256,
        "note": r.note,
        "difference": r.difference,
        "figures": r.figures,
    }


@router.get(
    "", auth=None, response={200: dict[str, Any], **ERRORS}, summary="Public figures of a unit's quarter"
)
def statistics(request: HttpRequest, unit: int | None = None, quarter: str = "") -> dict[str, Any]:
    """Every registered series for the unit's subtree (the top of the tree if no unit) in `quarter` (e.g.
    2026Q3; the current quarter if not given). Counts below `suppress_below` are null with `suppressed`."""
    stats = statistics_public(unit=public_unit(unit), quarter=quarter or quarters.current())
    return stats.as_dict()


@router.get("/series", auth=None, response={200: list[SeriesOut]}, summary="The registered series")
def series_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "key": s.key,
            "title": s.title,
            "measure": s.measure,
            "description": s.description,
            "organisation_only": s.organisation_only,
        }
        for s in all_series()
    ]


@router.get("/reports", auth=None, response={200: list[ReportOut], **ERRORS}, summary="Published reports")
def reports(request: HttpRequest, unit: int | None = None, quarter: str = "") -> list[dict[str, Any]]:
    """Every published version, newest quarter first; filter by unit and quarter."""
    scope = public_unit(unit) if unit else None
    return [_report(r) for r in report_list(unit=scope, quarter=quarter)[:500]]


@router.get("/reports/{int:report_id}", auth=None, response={200: ReportOut, **ERRORS}, summary="One report")
def report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _report(report_get(report_id=report_id))


@router.post("/reports", response={201: ReportOut, **ERRORS}, summary="Publish a quarter (or a correction)")
def publish(request: HttpRequest, data: PublishIn) -> Status[dict[str, Any]]:
    """Freeze the unit's figures for an ended quarter (version 1), or publish a correction: a new version
    with a `note` saying why, answered 409 when nothing changed. Needs statistics.publish over the unit."""
    made = report_publish(
        actor=actor_of(request), unit=public_unit(data.unit), quarter=data.quarter, note=data.note
    )
    return Status(201, _report(made))
