"""The meetings app's public statistics series (polity.transparency): motions other bodies sent to bodies in
the subtree (answered on time, late, unanswered), and meetings held (validly noticed, quorate). Counts only."""

from __future__ import annotations

from django.db.models import Count, Q

from polity.meetings.models import Meeting, Referral, ReferralState
from polity.transparency.registry import Figure, Window, count, series


@series(
    "meetings.motions_received",
    title="Motions received from other bodies, and their answers",
    measure="motions",
    order=70,
)
def motions_received(window: Window) -> list[Figure]:
    """Motions sent in the quarter to bodies in the subtree: received, answered within the rulebook's
    deadline, answered late, not yet answered."""
    qs = Referral.objects.filter(sent_at__gte=window.since, sent_at__lt=window.until)
    if window.unit_ids is not None:
        qs = qs.filter(to_body__unit_id__in=window.unit_ids)
    row = qs.aggregate(
        received=Count("pk"),
        on_time=Count("pk", filter=Q(state=ReferralState.ANSWERED, answered_late=False)),
        late=Count("pk", filter=Q(state=ReferralState.ANSWERED, answered_late=True)),
        unanswered=Count("pk", filter=~Q(state=ReferralState.ANSWERED)),
    )
    return [
        count("Received", row["received"]),
        count("Answered on time", row["on_time"]),
        count("Answered late", row["late"]),
        count("Unanswered", row["unanswered"]),
    ]


@series("meetings.held", title="Meetings held, validly noticed and quorate", measure="meetings", order=71)
def held(window: Window) -> list[Figure]:
    """Meetings of bodies in the subtree opened in the quarter: held, with valid notice (in time to everyone
    entitled, or late notice waived), quorate at some point, and both."""
    qs = Meeting.objects.filter(opened_at__gte=window.since, opened_at__lt=window.until)
    if window.unit_ids is not None:
        qs = qs.filter(body__unit_id__in=window.unit_ids)
    valid = Q(notice_sent_at__isnull=False, notice_late_at__isnull=True) | Q(waived_at__isnull=False)
    row = qs.aggregate(
        held=Count("pk"),
        valid=Count("pk", filter=valid),
        quorate=Count("pk", filter=Q(was_quorate=True)),
        both=Count("pk", filter=valid & Q(was_quorate=True)),
    )
    return [
        count("Held", row["held"]),
        count("Validly noticed", row["valid"]),
        count("Quorate", row["quorate"]),
        count("Valid and quorate", row["both"]),
    ]
