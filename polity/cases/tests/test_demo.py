"""The demo organisation gets cases in every state and the objection story, refused as it should be."""

from datetime import date

import pytest

from polity.cases.models import Case, CaseState, Evidence, Kind, Message
from polity.common.actor import Actor
from polity.deadlines.models import Deadline, State


@pytest.mark.django_db
def test_demo_has_cases_in_every_state_and_the_objection_story(settings, tmp_path):
    from polity.demo.services import demo_generate

    settings.MEDIA_ROOT = str(tmp_path)
    result = demo_generate(
        actor=Actor.system(), members=600, seed=3, today=date(2026, 11, 24), write_file=False
    )
    assert "polity.cases.demo" in result.hooks
    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(CaseState.values)
    objection = Case.objects.get(kind=Kind.OBJECTION)
    refusals = list(objection.refusals.values_list("detail", flat=True))
    assert len(refusals) == 3 and objection.refusals.filter(rule__contains="invariant 3").count() == 3
    assert sum("respondent in linked case" in r for r in refusals) == 2
    assert any("complainant in this case" in r for r in refusals)
    assert objection.participants.filter(role="decision_panel").count() == 1
    assert objection.state == CaseState.NOTICE_SENT
    assert Deadline.objects.filter(subject_type="case", state=State.ESCALATED).exists()
    # The member in her own cases: her evidence, a message answered, and one awaiting acknowledgement.
    messages = Message.objects.filter(direction="to_team")
    assert messages.filter(acknowledged_at__isnull=False, replies__isnull=False).exists()
    waiting = messages.get(acknowledged_at__isnull=True)
    assert (
        waiting.deadline.rule_key == "cases.message_acknowledgement" and waiting.deadline.state == State.OPEN
    )
    assert Evidence.objects.filter(supplied_by=waiting.party, is_statement=True).exists()
