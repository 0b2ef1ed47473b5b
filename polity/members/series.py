"""The register's public statistics series (polity.transparency): membership periods begun and ended in the
quarter, and members at its end. Counted by each person's home unit now."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from polity.members.models import MembershipPeriod, Status
from polity.transparency.registry import Figure, Window, count, series

ENDINGS = (
    (Status.LAPSED, "Lapsed"),
    (Status.RESIGNED, "Resigned"),
    (Status.REFUSED, "Refused (application or rejoining)"),
    (Status.EXPELLED, "Expelled"),
)


@series("members.movement", title="Members joined, rejoined, lapsed and refused", measure="members", order=10)
def movement(window: Window) -> list[Figure]:
    """Membership periods that began in the quarter (a person's first: joined; a later one: rejoined) and
    periods that ended in it, by how they ended."""
    since, until = window.since.date(), window.until.date()
    periods = MembershipPeriod.objects.all()
    if window.unit_ids is not None:
        periods = periods.filter(person__home_unit_id__in=window.unit_ids)
    earlier = MembershipPeriod.objects.filter(
        person_id=OuterRef("person_id"), started_on__lt=OuterRef("started_on")
    )
    began = (
        periods.filter(started_on__gte=since, started_on__lt=until)
        .annotate(has_earlier=Exists(earlier))
        .aggregate(
            joined=Count("id", filter=Q(has_earlier=False)), rejoined=Count("id", filter=Q(has_earlier=True))
        )
    )
    ended = dict(
        periods.filter(ended_on__gte=since, ended_on__lt=until)
        .values_list("end_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [count("Joined", began["joined"]), count("Rejoined", began["rejoined"])] + [
        count(label, ended.get(status, 0)) for status, label in ENDINGS
    ]


@series("members.total", title="Members at the quarter's end", measure="members", order=11)
def total(window: Window) -> list[Figure]:
    """People whose membership period was open on the quarter's last day (or today, for the current
    quarter)."""
    from django.utils import timezone

    day = min(window.until, timezone.now()).date()
    periods = MembershipPeriod.objects.filter(started_on__lt=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day)
    )
    if window.unit_ids is not None:
        periods = periods.filter(person__home_unit_id__in=window.unit_ids)
    return [count("Members", periods.count())]
