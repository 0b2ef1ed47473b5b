"""Automations: welcome, arrears reminders on the rulebook's schedule, meeting notices; never twice."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import make_person
from polity.common.actor import Actor
from polity.common.errors import Forbidden
from polity.comms.automations import (
    automation_arrears,
    automation_meeting_notices,
    automation_welcome,
    meeting_notice_due_at,
)
from polity.comms.continuity import meeting_create
from polity.comms.models import AutomationSend, Message
from polity.comms.tasks import comms_automations, meeting_notice, welcome_member
from polity.members.models import Person
from polity.outbox import delivery
from polity.rulebook.loader import get_rulebook

SYSTEM = Actor.system()


def test_only_the_system_runs_automations(org):
    for fn in (automation_welcome, automation_arrears, automation_meeting_notices):
        with pytest.raises(Forbidden):
            fn(actor=org.actor("national"))


def test_welcome_once_to_recent_joiners(org, sent):
    Person.objects.update(joined_on=date(2020, 1, 1))
    newbie = make_person(org.units["north_a_1"], "New", "Joiner")
    Person.objects.filter(pk=newbie.pk).update(joined_on=timezone.localdate(), status="active")
    assert automation_welcome(actor=SYSTEM) == 1
    assert automation_welcome(actor=SYSTEM) == 0
    assert welcome_member.enqueue(newbie.pk).return_value == 0
    delivery.deliver_due()
    [email] = sent.emails
    assert email.to == newbie.email and "Welcome" in email.subject and "North A 1" in email.body
    assert AutomationSend.objects.filter(kind="welcome", person=newbie).count() == 1


def test_arrears_reminders_follow_the_rulebook(org, sent):
    rb = get_rulebook()
    member = org.people["member"]
    paid_until = date(2026, 1, 1)
    Person.objects.filter(pk=member.pk).update(status="in_arrears", paid_until=paid_until)
    first = rb.rule("membership.arrears_grace").add_to(paid_until)
    second = rb.rule("comms.arrears_reminder_interval").add_to(first)
    assert automation_arrears(actor=SYSTEM, today=first - timedelta(days=1)) == 0
    assert automation_arrears(actor=SYSTEM, today=first) == 1
    assert automation_arrears(actor=SYSTEM, today=first + timedelta(days=1)) == 0
    assert automation_arrears(actor=SYSTEM, today=second) == 1
    assert automation_arrears(actor=SYSTEM, today=second) == 0
    keys = sorted(AutomationSend.objects.filter(kind="arrears").values_list("key", flat=True))
    assert keys == ["2026-01-01:1", "2026-01-01:2"]
    far = date(2030, 1, 1)
    assert automation_arrears(actor=SYSTEM, today=far) == 1  # only the last of the series, once
    assert automation_arrears(actor=SYSTEM, today=far) == 0
    n = rb.number("comms.arrears_reminder_count")
    assert AutomationSend.objects.filter(kind="arrears", key=f"2026-01-01:{n}").exists()


def test_meeting_notice_goes_to_body_members_on_time_once(org, delegates, sent):
    starts = timezone.now() + timedelta(days=30)
    meeting = meeting_create(
        actor=org.actor("secretary"),
        body=org.units["north_a_gc"],
        title="GC",
        starts_at=starts,
        place="Hall",
        agenda="1. Minutes",
    )
    due = meeting_notice_due_at(meeting)
    rb = get_rulebook()
    assert due == rb.rule("comms.meeting_notice_margin").subtract_from(
        rb.bodies["general_committee"].notice.subtract_from(timezone.localtime(starts))
    )
    assert automation_meeting_notices(actor=SYSTEM, now=due - timedelta(minutes=1)) == 0
    assert automation_meeting_notices(actor=SYSTEM, now=due) == 2
    assert automation_meeting_notices(actor=SYSTEM, now=due + timedelta(hours=1)) == 0
    delivery.deliver_due()
    assert sorted(e.to for e in sent.emails) == sorted(p.email for p in delegates)
    assert all("Hall" in e.body and "1. Minutes" in e.body for e in sent.emails)
    message = Message.objects.get(meeting=meeting)
    assert message.purpose == "governance" and message.recipients == 2


def test_tasks_run_and_are_idempotent(org, delegates):
    meeting = meeting_create(
        actor=org.actor("secretary"),
        body=org.units["north_a_gc"],
        title="GC",
        starts_at=timezone.now() + timedelta(days=3),
        place="Hall",
    )
    first = comms_automations.enqueue().return_value
    assert first["meeting_notices"] == 2
    assert comms_automations.enqueue().return_value["meeting_notices"] == 0
    assert meeting_notice.enqueue(meeting.pk).return_value == 0


def test_command_runs_the_automations(org, delegates, capsys):
    from django.core.management import call_command

    meeting_create(
        actor=org.actor("secretary"),
        body=org.units["north_a_gc"],
        title="GC",
        starts_at=timezone.now() + timedelta(days=2),
        place="Hall",
    )
    call_command("comms_automations")
    assert "meeting_notices 2" in capsys.readouterr().out
    call_command("comms_automations")
    assert "meeting_notices 0" in capsys.readouterr().out
