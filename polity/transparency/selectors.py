"""Reads of published reports. Public: they hold no personal data."""

from __future__ import annotations

from django.db.models import QuerySet

from polity.common.errors import NotVisible
from polity.org.models import Unit
from polity.transparency.models import QuarterlyReport


def report_list(*, unit: Unit | None = None, quarter: str = "") -> QuerySet[QuarterlyReport]:
    qs = QuarterlyReport.objects.select_related("unit").order_by("-quarter", "unit__path", "-version")
    if unit is not None:
        qs = qs.filter(unit=unit)
    if quarter:
        qs = qs.filter(quarter=quarter.upper())
    return qs


def report_get(*, report_id: int) -> QuarterlyReport:
    report = QuarterlyReport.objects.select_related("unit").filter(pk=report_id).first()
    if report is None:
        raise NotVisible("not found")
    return report


def report_versions(report: QuarterlyReport) -> QuerySet[QuarterlyReport]:
    return QuarterlyReport.objects.filter(unit_id=report.unit_id, quarter=report.quarter).order_by("version")


def unit_children(unit: Unit) -> QuerySet[Unit]:
    """The units directly below `unit` (public: the tree of units is no secret)."""
    return Unit.objects.filter(parent=unit).order_by("name")


def unit_ancestors(unit: Unit) -> list[Unit]:
    """The units above `unit`, top first."""
    ids = [int(part) for part in unit.path.split(".") if part][:-1]
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]
