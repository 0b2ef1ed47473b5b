"""Series the transparency app gives itself: reads of personal data by purpose, from the access log. The log
knows people, not units, so this series counts for the whole organisation only."""

from __future__ import annotations

from django.db.models import Count

from polity.audit.models import Event
from polity.transparency.registry import Figure, Window, count, series


@series(
    "audit.access_by_purpose",
    title="Access to personal data, by purpose",
    measure="recorded events",
    organisation_only=True,
    order=80,
)
def access_by_purpose(window: Window) -> list[Figure]:
    """Events in the access log in the quarter (views, searches, exports, changes of members' data), by the
    purpose they were recorded for."""
    rows = (
        Event.objects.filter(occurred_at__gte=window.since, occurred_at__lt=window.until)
        .exclude(subjects="")
        .values_list("purpose")
        .annotate(n=Count("id"))
        .order_by("purpose")
    )
    return [count(purpose or "No purpose recorded", n) for purpose, n in rows]
