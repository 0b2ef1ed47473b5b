"""Demo access measures: two restrictions of access to personal data imposed by the regional officer and
still under review: one on a constituency secretary whose review is overdue and has escalated to the
national level, one on every office holder of a branch, due for review next week.

Called by `polity demo` inside its transaction (before the other apps' content), deterministic from the
register. The named logins are never restricted, so the demo's journeys keep working.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from polity.access.models import OfficeTerm, Restriction
from polity.access.restrictions import SUBJECT, restriction_impose
from polity.common.actor import Actor
from polity.deadlines.models import Deadline
from polity.deadlines.services import deadlines_escalate

if TYPE_CHECKING:
    from polity.demo.services import DemoContext


def populate(ctx: DemoContext) -> None:
    regional = ctx.people["regional"]
    officer = Actor(user_id=None, person_id=regional.pk, label=f"{regional.full_name} (regional officer)")
    region = OfficeTerm.objects.filter(person=regional, office="regional_officer").select_related("unit")
    region_unit = region.first()
    if region_unit is None:
        return
    path = region_unit.unit.path
    named = {p.pk for p in ctx.people.values()}
    now = timezone.now()
    terms = (
        OfficeTerm.objects.in_force(now)
        .filter(unit__path__startswith=path)
        .exclude(person_id__in=named)
        .select_related("unit", "person")
        .order_by("unit__path", "office", "pk")
    )
    secretary = next((t for t in terms if t.office == "secretary" and t.unit.level != "branch"), None)
    named_units = set(OfficeTerm.objects.filter(person_id__in=named).values_list("unit__path", flat=True))
    branch = next(
        (
            t.unit
            for t in terms
            if t.unit.level == "branch" and not any(p.startswith(t.unit.path) for p in named_units)
        ),
        None,
    )
    if secretary is not None:
        overdue = restriction_impose(
            actor=officer,
            unit=secretary.unit,
            person=secretary.person,
            reasons=(
                "The membership list of the constituency was posted in a public group chat. Access to members' "
                "personal data is restricted while the regional office establishes how it happened."
            ),
            review_at=now + timedelta(days=7),
        )
        # Backdate it: imposed seven weeks ago, its review fell due three days ago and nobody reviewed it.
        imposed, review = now - timedelta(weeks=7), now - timedelta(days=3)
        Restriction.objects.filter(pk=overdue.pk).update(starts_at=imposed, review_at=review)
        Deadline.objects.filter(subject_type=SUBJECT, subject_id=str(overdue.pk)).update(
            started_at=review, due_at=review
        )
        deadlines_escalate(actor=Actor.system("demo"), now=now)
    if branch is not None:
        restriction_impose(
            actor=officer,
            unit=branch,
            reasons=(
                "A complaint says the branch officers exported the register to a campaign tool without a grant. "
                "Access is restricted for every office holder of the branch until the review."
            ),
            review_at=now + timedelta(days=6),
        )
