"""The public statistics of data subject requests (polity.transparency): requests answered in the quarter,
and how many on time. Requests are the data protection officer's, for the whole organisation."""

from __future__ import annotations

from django.db.models import Count, Q

from polity.dsr.models import Request, State
from polity.transparency.registry import Figure, Window, count, series, share


@series(
    "dsr.answered_on_time",
    title="Data protection requests answered on time",
    measure="requests",
    organisation_only=True,
    order=70,
)
def answered_on_time(window: Window) -> list[Figure]:
    """Subject access and other data protection requests answered in the quarter, and the share answered by
    their statutory date (one month from receipt, or the extended date with reasons sent in time)."""
    got = Request.objects.filter(
        state=State.ANSWERED, closed_at__gte=window.since, closed_at__lt=window.until
    ).aggregate(
        answered=Count("pk"),
        n_on_time=Count("pk", filter=Q(on_time=True)),
        access=Count("pk", filter=Q(kind="access")),
        access_on_time=Count("pk", filter=Q(kind="access", on_time=True)),
    )
    return [
        count("Answered", got["answered"]),
        share("Answered on time", got["n_on_time"], got["answered"]),
        count("Subject access requests answered", got["access"]),
        share("Subject access requests answered on time", got["access_on_time"], got["access"]),
    ]
