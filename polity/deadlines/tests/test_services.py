"""Deadlines: opening from the rulebook, meeting, escalation up the tree, who sees them, public counts."""

from datetime import UTC, datetime, timedelta

import pytest

from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.deadlines.models import Deadline, State
from polity.deadlines.selectors import deadline_stats, deadlines_for_person, deadlines_for_unit
from polity.deadlines.services import deadline_meet, deadline_open, deadlines_escalate, deadlines_meet_for
from polity.rulebook.loader import get_rulebook

START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def open_one(org, unit="north_a_1", rule="deadlines.complaint_acknowledgement", subject_id=1, **kw):
    return deadline_open(
        actor=Actor.system(),
        rule_key=rule,
        start=START,
        owner_unit=org.units[unit],
        subject_type="test",
        subject_id=subject_id,
        **kw,
    )


def test_open_computes_due_from_the_rulebook_and_remembers_the_rule(org):
    deadline = open_one(org)
    book = get_rulebook()
    assert deadline.due_at == book.rule("deadlines.complaint_acknowledgement").add_to(START)
    assert (deadline.rule_key, deadline.rule_version) == ("deadlines.complaint_acknowledgement", book.version)
    assert deadline.rule_text == "7d"
    assert deadline.state == State.OPEN
    event = Event.objects.order_by("-seq").first()
    assert (event.verb, event.object_id) == ("deadline.open", str(deadline.pk))


def test_open_refuses_without_owner_or_with_unknown_rule(org):
    with pytest.raises(InvalidInput, match="owner"):
        deadline_open(
            actor=Actor.system(),
            rule_key="deadlines.complaint_acknowledgement",
            start=START,
            owner_unit=None,
            subject_type="test",
            subject_id=1,
        )
    with pytest.raises(InvalidInput, match="no rule"):
        open_one(org, rule="deadlines.no_such_thing")
    with pytest.raises(InvalidInput, match="aware"):
        deadline_open(
            actor=Actor.system(),
            rule_key="deadlines.complaint_acknowledgement",
            start=datetime(2027, 1, 1),
            owner_unit=org.units["north_a"],
            subject_type="t",
            subject_id=1,
        )


def test_owner_constraint_holds_in_the_database(org):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(
            subject_type="t",
            subject_id="1",
            rule_key="k",
            rule_version="v",
            rule_text="1d",
            started_at=START,
            due_at=START,
        )


def test_meet_on_time_and_twice(org):
    deadline = open_one(org)
    deadline_meet(actor=Actor.system(), deadline=deadline, at=START + timedelta(days=1))
    deadline.refresh_from_db()
    assert deadline.state == State.MET and deadline.met_on_time
    with pytest.raises(DomainError):
        deadline_meet(actor=Actor.system(), deadline=deadline)


def test_escalation_climbs_two_units_then_stops(org):
    deadline = open_one(org)  # owned by branch north_a_1
    assert deadlines_escalate(actor=Actor.system(), now=deadline.due_at) == {"missed": 0, "escalated": 0}
    after = deadline.due_at + timedelta(minutes=1)
    assert deadlines_escalate(actor=Actor.system(), now=after) == {"missed": 1, "escalated": 1}
    deadline.refresh_from_db()
    assert (deadline.state, deadline.escalation_level, deadline.escalated_to) == (
        State.ESCALATED,
        1,
        org.units["north_a"],
    )
    step = get_rulebook().rule("deadlines.escalation_interval")
    assert deadlines_escalate(actor=Actor.system(), now=after + timedelta(hours=1))["escalated"] == 0
    later = step.add_to(after) + timedelta(minutes=1)
    assert deadlines_escalate(actor=Actor.system(), now=later)["escalated"] == 1
    deadline.refresh_from_db()
    assert (deadline.escalation_level, deadline.escalated_to) == (2, org.units["north"])
    assert deadlines_escalate(actor=Actor.system(), now=later + timedelta(days=400)) == {
        "missed": 0,
        "escalated": 0,
    }
    assert Event.objects.filter(verb="deadline.escalate", object_id=str(deadline.pk)).count() == 2


def test_top_unit_deadline_is_missed_without_escalation(org):
    deadline = open_one(org, unit="national")
    deadlines_escalate(actor=Actor.system(), now=deadline.due_at + timedelta(seconds=1))
    deadline.refresh_from_db()
    assert deadline.state == State.MISSED and deadline.escalated_to is None


def test_only_the_system_escalates(org):
    with pytest.raises(DomainError):
        deadlines_escalate(actor=org.actor("national"))


def test_met_late_stays_counted_as_missed(org):
    deadline = open_one(org)
    on_time = open_one(org, subject_id=2)
    deadlines_meet_for(
        actor=Actor.system(),
        subject_type="test",
        subject_id=2,
        rule_key="deadlines.complaint_acknowledgement",
    )
    deadlines_escalate(actor=Actor.system(), now=deadline.due_at + timedelta(days=1))
    deadline_meet(actor=Actor.system(), deadline=deadline)
    deadline.refresh_from_db()
    on_time.refresh_from_db()
    assert deadline.state == State.MET and deadline.was_missed and not deadline.met_on_time
    stats = deadline_stats(actor=Actor.system(), unit=org.units["north"])
    assert stats == {"total": 2, "met_on_time": 1, "missed": 1, "met_late": 1, "escalated": 1, "pending": 0}
    assert deadline_stats(actor=Actor.system(), unit=org.units["south"])["total"] == 0


@pytest.mark.parametrize(
    ("persona", "unit", "outcome"),
    [
        ("national", "national", 3),
        ("regional", "north", 2),
        ("secretary", "north_a", 2),
        ("branchsec", "north_a_1", 1),
        ("branchsec", "north_a_2", NotVisible),
        ("member", "north_a_2", NotVisible),
        ("outsider", "north", NotVisible),
        ("dpo", "national", NotVisible),
    ],
)
def test_deadlines_for_unit_permission_table(org, persona, unit, outcome):
    open_one(org, unit="north_a_1", subject_id=1)
    open_one(org, unit="north_a_2", subject_id=2)
    open_one(org, unit="south_a_1", subject_id=3)
    if isinstance(outcome, int):
        assert len(deadlines_for_unit(actor=org.actor(persona), unit=org.units[unit])) == outcome
    else:
        with pytest.raises(outcome):
            deadlines_for_unit(actor=org.actor(persona), unit=org.units[unit])


def test_missed_deadline_becomes_visible_to_the_unit_above(org):
    deadline = open_one(org, unit="north_a_1")
    escalated_only = deadlines_for_unit(actor=Actor.system(), unit=org.units["north_a"], pending_only=True)
    assert deadline in escalated_only
    deadlines_escalate(actor=Actor.system(), now=deadline.due_at + timedelta(days=1))
    assert Deadline.objects.filter(escalated_to=org.units["north_a"]).count() == 1


def test_person_owned_deadlines(org):
    deadline = deadline_open(
        actor=Actor.system(),
        rule_key="deadlines.complaint_acknowledgement",
        start=START,
        owner_unit=None,
        owner_person=org.people["member"],
        subject_type="t",
        subject_id=9,
    )
    assert list(deadlines_for_person(actor=org.actor("member"))) == [deadline]
    assert list(deadlines_for_person(actor=org.actor("member2"))) == []
    # Nobody above a person-only deadline: it is missed, not escalated.
    deadlines_escalate(actor=Actor.system(), now=deadline.due_at + timedelta(days=1))
    deadline.refresh_from_db()
    assert deadline.state == State.MISSED


def test_escalate_command_prints_counts_only(org, capsys):
    from django.core.management import call_command
    from django.utils import timezone

    deadline_open(
        actor=Actor.system(),
        rule_key="deadlines.complaint_acknowledgement",
        start=timezone.now() - timedelta(days=30),
        owner_unit=org.units["north_a_1"],
        subject_type="test",
        subject_id=1,
    )
    call_command("escalate_deadlines")
    assert capsys.readouterr().out.strip() == "missed 1, escalated 1"
