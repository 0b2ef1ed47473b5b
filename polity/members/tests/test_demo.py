"""The demo shows a resignation recorded from a letter and disputed, and one inside its cooling-off window."""

from datetime import date

import pytest

from polity.common.actor import Actor
from polity.members.models import Resignation, ResignationRoute, ResignationState, Status


@pytest.mark.django_db
def test_demo_has_a_disputed_resignation_and_a_pending_one(settings, tmp_path):
    from polity.demo.services import demo_generate

    settings.MEDIA_ROOT = str(tmp_path)
    result = demo_generate(
        actor=Actor.system(), members=400, seed=3, today=date(2026, 11, 24), write_file=False
    )
    assert "polity.members.demo" in result.hooks
    disputed = Resignation.objects.get(state=ResignationState.DISPUTED)
    assert disputed.route == ResignationRoute.LETTER and disputed.letter_sha256 and disputed.dispute
    assert disputed.person.user.username == "member" and disputed.person.status == Status.ACTIVE
    pending = Resignation.objects.get(state=ResignationState.PENDING)
    assert (
        pending.route == ResignationRoute.SELF and pending.person.home_unit_id == disputed.person.home_unit_id
    )
    assert pending.person.status == Status.ACTIVE
