"""The demo hook: meetings in every state, and motions sent up the tree (one answered, one overdue and escalated)."""

import pytest

from polity.common.actor import Actor
from polity.demo.services import demo_generate
from polity.meetings.models import Meeting, MotionState, Referral


@pytest.mark.django_db
def test_demo_has_meetings_in_every_state():
    result = demo_generate(actor=Actor.system(), members=600, seed=5, write_file=False)
    assert "polity.meetings.demo" in result.hooks
    states = set(Meeting.objects.values_list("state", flat=True))
    assert {"called", "noticed", "open", "closed", "cancelled"} <= states
    late = Meeting.objects.filter(notice_late_at__isnull=False, waived_at__isnull=True)
    assert late.exists() and not late.first().notice_is_valid  # invalid for late notice
    assert Meeting.objects.filter(state="closed", was_quorate=False).exists()  # the inquorate one
    live = Meeting.objects.get(state="open")
    assert live.was_quorate and live.motions.filter(state=MotionState.VOTING, method="secret").exists()
    answered = Referral.objects.get(state="answered")
    overdue = Referral.objects.get(state="sent")
    assert answered.answer and overdue.from_body == answered.from_body
    from polity.deadlines.models import Deadline

    escalated = Deadline.objects.get(pk=overdue.acknowledgement_deadline_id)
    assert escalated.state == "escalated" and escalated.escalated_to is not None
