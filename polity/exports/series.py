"""The exports app's public statistics series (polity.transparency): exports made in the quarter, by purpose.
Counts only: never who made them or who was in them."""

from __future__ import annotations

from django.db.models import Count

from polity.exports.models import Export
from polity.rulebook.loader import get_rulebook
from polity.transparency.registry import Figure, Window, count, series


@series("exports.by_purpose", title="Exports of members' data, by purpose", measure="exports", order=70)
def by_purpose(window: Window) -> list[Figure]:
    """Lists of members made in the quarter (files actually produced, decoys not counted), by the purpose
    the rulebook gave them, for the unit whose officers made them."""
    qs = Export.objects.filter(ready_at__gte=window.since, ready_at__lt=window.until)
    if window.unit_ids is not None:
        qs = qs.filter(unit_id__in=window.unit_ids)
    made = dict(qs.values_list("purpose").annotate(n=Count("id")).order_by())
    purposes = [p for p in get_rulebook().purposes.values() if p.export_columns]
    return [count(p.label, made.get(p.key, 0)) for p in purposes]
