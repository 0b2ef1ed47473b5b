"""The demo hook gives comms something to show: consents, audiences, a meeting, a sent notice."""

import pytest

from polity.common.actor import Actor
from polity.comms.models import Audience, Message, MessageState
from polity.consent.models import ConsentEvent
from polity.demo.services import demo_generate
from polity.meetings.models import Meeting
from polity.members.models import Person


@pytest.mark.django_db
def test_demo_populates_comms():
    result = demo_generate(actor=Actor.system(), members=400, seed=3, write_file=False)
    assert "polity.comms.demo" in result.hooks
    people = Person.objects.count()
    given = ConsentEvent.objects.filter(purpose="campaigning", channel="email").count()
    assert 0.2 * people < given < 0.4 * people
    assert Audience.objects.count() >= 3 and Meeting.objects.filter(title__contains="of").exists()
    # The meetings demo gives notice of its meetings too (governance messages): this is comms' own "papers".
    notice = Message.objects.get(purpose="governance", subject__startswith="Papers")
    assert notice.state == MessageState.SENT and notice.recipients > 0
    assert Message.objects.filter(purpose="campaigning", state=MessageState.DRAFT).exists()
