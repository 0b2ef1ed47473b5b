"""The demo shows restrictions of access under review: one overdue and escalated, one in time."""

from datetime import date

import pytest

from polity.access.models import Restriction
from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.common.actor import Actor
from polity.deadlines.models import Deadline, State
from polity.demo.services import demo_generate

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_restriction_under_review_overdue_and_escalated():
    result = demo_generate(
        actor=Actor.system(), members=400, seed=3, today=date(2026, 11, 24), write_file=False
    )
    assert "polity.access.demo" in result.hooks
    restrictions = list(Restriction.objects.filter(lifted_at__isnull=True).select_related("unit", "person"))
    assert len(restrictions) == 2
    overdue = next(r for r in restrictions if r.person_id is not None)
    deadline = Deadline.objects.get(subject_type="access.restriction", subject_id=str(overdue.pk))
    assert deadline.state == State.ESCALATED and deadline.escalated_to.level == "national"
    person_actor = Actor(user_id=None, person_id=overdue.person_id, label="restricted")
    assert not has_perm(person_actor, Perm.MEMBERS_VIEW, overdue.unit)
    assert has_perm(person_actor, Perm.OFFICES_VIEW, overdue.unit)
    # The named logins are untouched: the secretary still opens the register.
    from polity.accounts.models import User

    secretary = Actor.for_user(User.objects.get(username="secretary"))
    assert has_perm(secretary, Perm.MEMBERS_VIEW)
