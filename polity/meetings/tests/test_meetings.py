"""Meetings: who may call them, notice and its validity (invariant 7), attendance and live quorum."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from polity.audit.models import Event
from polity.common.errors import Forbidden, NotVisible
from polity.meetings.entitlement import entitled_people
from polity.meetings.models import Meeting, NoticeGiven, State
from polity.meetings.rules import MeetingRefused, quorum_for
from polity.meetings.services.attendance import attendance_record, attendance_sign_in
from polity.meetings.services.business import motion_submit, motion_vote_counts
from polity.meetings.services.meetings import (
    meeting_call,
    meeting_notice_send,
    meeting_open,
    meeting_waive_late_notice,
)
from polity.meetings.tests.conftest import person_actor
from polity.rulebook.loader import get_rulebook


def _call(org, gc, who="secretary", days=30, kind="ordinary"):  # type: ignore[no-untyped-def]
    return meeting_call(
        actor=org.actor(who),
        body=gc.body,
        kind=kind,
        title="GC",
        starts_at=timezone.now() + timedelta(days=days),
        place="Hall",
    )


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("secretary", "ok"),  # the constituency's secretary
        ("regional", "ok"),  # runs meetings in the region
        ("national", "ok"),
        ("branchsec", "refused"),  # a branch secretary sees the constituency's body but may not call it
        ("member", "refused"),  # a delegate
        ("outsider", "hidden"),  # another region: the body does not exist for them
        ("dpo", "refused"),  # sees units, runs no meetings
    ],
)
def test_who_may_call_a_meeting(org, gc, who, outcome):
    if outcome == "ok":
        assert _call(org, gc, who).state == State.CALLED
    elif outcome == "hidden":
        with pytest.raises(NotVisible):
            _call(org, gc, who)
    else:
        with pytest.raises(MeetingRefused) as info:
            _call(org, gc, who)
        assert info.value.rule == "caller"


def test_a_chair_calls_an_ordinary_meeting_but_not_an_agm(org, gc):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    office_appoint(
        actor=Actor.system(), person=org.people["member2"], office="chair", unit=org.units["north_a"]
    )
    org.actor("member2")  # fresh actor: no memo
    assert _call(org, gc, "member2").state == State.CALLED
    with pytest.raises(MeetingRefused, match="called by the secretary"):
        _call(org, gc, "member2", days=40, kind="annual")


def test_notice_on_time_goes_to_everyone_entitled_once(org, gc, sent):
    meeting = _call(org, gc)
    rule = get_rulebook().bodies["general_committee"].notice
    assert meeting.notice_due_by == rule.subtract_from(timezone.localtime(meeting.starts_at))
    assert "bodies.general_committee.notice" in meeting.notice_rule
    assert meeting_notice_send(actor=org.actor("secretary"), meeting=meeting) == 12
    assert meeting_notice_send(actor=org.actor("secretary"), meeting=meeting) == 0
    meeting.refresh_from_db()
    assert meeting.state == State.NOTICED and meeting.notice_is_valid and not meeting.notice_is_late
    assert NoticeGiven.objects.filter(meeting=meeting).count() == 12
    assert Event.objects.filter(verb="meetings.meeting_notice_send").exists()
    from polity.outbox import delivery

    delivery.deliver_due()
    assert sorted(e.to for e in sent.emails) == sorted(p.email for p in gc.delegates)
    assert all("Hall" in e.body for e in sent.emails)
    parsed = sent.emails[0].to_message()
    assert parsed.get_body(preferencelist=("plain",)).get_content().count("Hall") >= 1
    (ics,) = list(parsed.iter_attachments())
    assert ics.get_filename() == "meeting.ics" and ics.get_content_type() == "text/calendar"
    text = ics.get_content()
    assert "BEGIN:VEVENT" in text and "LOCATION:Hall" in text


def test_notice_refused_to_those_who_do_not_run_the_body(org, gc):
    meeting = _call(org, gc)
    with pytest.raises(Forbidden):
        meeting_notice_send(actor=org.actor("member"), meeting=meeting)
    with pytest.raises(NotVisible):
        meeting_notice_send(actor=org.actor("outsider"), meeting=meeting)


def test_a_meeting_called_too_late_is_invalid_before_it_happens_and_its_business_is_refused(org, gc):
    meeting = _call(org, gc, days=3)  # the GC needs seven days' notice
    assert meeting.notice_is_late and not meeting.notice_is_valid
    meeting_notice_send(actor=org.actor("secretary"), meeting=meeting)
    meeting = meeting_open(actor=org.actor("secretary"), meeting=meeting)
    for person in gc.delegates[:10]:
        attendance_record(actor=org.actor("secretary"), meeting=meeting, person=person, presence="present")
    motion = None
    with pytest.raises(MeetingRefused) as info:
        motion = motion_submit(
            actor=person_actor(gc.delegates[0]),
            meeting=meeting,
            title="Bus",
            text="We call for buses.",
            seconder=gc.delegates[1],
            is_emergency=True,
        )
        motion_vote_counts(actor=org.actor("secretary"), motion=motion, votes_for=9, against=1)
    assert info.value.rule in {"late_notice", "motion_deadline"}


def test_late_notice_refuses_business_until_waived_with_enough_present(org, gc):
    meeting = _call(org, gc, days=3)
    meeting_notice_send(actor=org.actor("secretary"), meeting=meeting)
    meeting = meeting_open(actor=org.actor("secretary"), meeting=meeting)
    for person in gc.delegates[:8]:
        attendance_record(actor=org.actor("secretary"), meeting=meeting, person=person, presence="present")
    with pytest.raises(MeetingRefused) as info:  # 75% of 12 is 9
        meeting_waive_late_notice(actor=org.actor("secretary"), meeting=meeting, reason="Urgent")
    assert info.value.rule == "waiver"
    for person in gc.delegates[8:10]:
        attendance_record(actor=org.actor("secretary"), meeting=meeting, person=person, presence="present")
    with pytest.raises(Forbidden):
        meeting_waive_late_notice(actor=org.actor("member"), meeting=meeting, reason="Urgent")
    meeting = meeting_waive_late_notice(actor=org.actor("secretary"), meeting=meeting, reason="Urgent")
    assert meeting.notice_is_valid and meeting.waived_by_label == "secretary"
    assert Event.objects.filter(verb="meetings.meeting_waive_late_notice").exists()


def test_late_notice_of_an_agm_cannot_be_waived(org, gc):
    meeting = _call(org, gc, days=20, kind="annual")  # 28 days' notice
    meeting_notice_send(actor=org.actor("secretary"), meeting=meeting)
    meeting = meeting_open(actor=org.actor("secretary"), meeting=meeting)
    for person in gc.delegates:
        attendance_record(actor=org.actor("secretary"), meeting=meeting, person=person, presence="present")
    with pytest.raises(MeetingRefused, match="does not let late notice"):
        meeting_waive_late_notice(actor=org.actor("secretary"), meeting=meeting, reason="Everyone came")


def test_someone_seated_after_the_notice_deadline_without_notice_makes_it_late(org, gc, called):
    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    late = make_person(org.units["north_a_1"], "Late", "Comer")
    office_appoint(
        actor=Actor.system(), person=late, office="delegate", unit=org.units["north_a"], body=gc.body
    )
    meeting = meeting_open(actor=org.actor("secretary"), meeting=called)
    assert meeting.notice_is_late and not meeting.notice_is_valid


def test_quorum_is_live_and_inquorate_business_is_refused(org, gc, called):
    meeting = meeting_open(actor=org.actor("secretary"), meeting=called)
    assert meeting.entitled_count == 12 and meeting.quorum == quorum_for(gc.body, 12) == 10
    for person in gc.delegates[:9]:
        attendance_record(actor=org.actor("secretary"), meeting=meeting, person=person, presence="present")
    motion = motion_submit(
        actor=person_actor(gc.delegates[0]),
        meeting=meeting,
        title="Buses",
        text="We call for buses.",
        seconder=gc.delegates[1],
        now=meeting.created_at,
    )
    with pytest.raises(MeetingRefused) as info:
        motion_vote_counts(actor=org.actor("secretary"), motion=motion, votes_for=5, against=2)
    assert info.value.rule == "inquorate" and "9 entitled present" in str(info.value)
    # An observer (not entitled) does not make it quorate.
    attendance_record(
        actor=org.actor("secretary"), meeting=meeting, person=org.people["outsider"], presence="present"
    )
    with pytest.raises(MeetingRefused, match="inquorate"):
        motion_vote_counts(actor=org.actor("secretary"), motion=motion, votes_for=5, against=2)
    attendance_record(
        actor=org.actor("secretary"), meeting=meeting, person=gc.delegates[9], presence="present"
    )
    motion = motion_vote_counts(
        actor=org.actor("secretary"), motion=motion, votes_for=6, against=3, abstain=1
    )
    assert motion.state == "carried"
    meeting.refresh_from_db()
    assert meeting.was_quorate
    # Someone leaves: inquorate again, the next vote is refused.
    attendance_record(actor=org.actor("secretary"), meeting=meeting, person=gc.delegates[0], presence="left")
    second = motion_submit(
        actor=person_actor(gc.delegates[2]),
        meeting=meeting,
        title="Trams",
        text="And trams.",
        seconder=gc.delegates[3],
        now=meeting.created_at,
    )
    with pytest.raises(MeetingRefused, match="inquorate"):
        motion_vote_counts(actor=org.actor("secretary"), motion=second, votes_for=5, against=2)


def test_sign_in_from_a_phone_only_for_those_entitled(org, gc, called):
    meeting = meeting_open(actor=org.actor("secretary"), meeting=called)
    row = attendance_sign_in(actor=org.actor("member"), meeting=meeting)
    assert row.self_signed and row.is_entitled
    with pytest.raises(MeetingRefused) as info:
        attendance_sign_in(actor=org.actor("secretary"), meeting=meeting)  # no seat on the GC
    assert info.value.rule == "not_entitled"
    with pytest.raises(NotVisible):
        attendance_sign_in(actor=org.actor("outsider"), meeting=meeting)


def test_standing_on_the_day_decides_entitlement(org, gc):
    from polity.members.models import Person

    at = timezone.now() + timedelta(days=30)
    assert entitled_people(gc.body, at).count() == 12
    grace = get_rulebook().rule("membership.arrears_grace")
    unpaid = gc.delegates[2]
    Person.objects.filter(pk=unpaid.pk).update(paid_until=grace.subtract_from(at.date()) - timedelta(days=1))
    assert not entitled_people(gc.body, at).filter(pk=unpaid.pk).exists()
    Person.objects.filter(pk=unpaid.pk).update(paid_until=grace.subtract_from(at.date()))
    assert entitled_people(gc.body, at).filter(pk=unpaid.pk).exists()
    Person.objects.filter(pk=gc.delegates[3].pk).update(status="suspended")
    assert entitled_people(gc.body, at).count() == 11


def test_the_body_on_any_date_is_history(org, gc):
    from polity.access.models import OfficeTerm

    term = OfficeTerm.objects.get(person=gc.delegates[4], body=gc.body)
    before = timezone.now() - timedelta(days=1)
    assert not entitled_people(gc.body, before).exists()  # nobody sat yesterday
    ended = timezone.now() + timedelta(days=10)
    OfficeTerm.objects.filter(pk=term.pk).update(ends_at=ended)
    assert entitled_people(gc.body, ended - timedelta(hours=1)).filter(pk=gc.delegates[4].pk).exists()
    assert not entitled_people(gc.body, ended + timedelta(hours=1)).filter(pk=gc.delegates[4].pk).exists()


def test_ex_officio_members_sit_while_in_office(org):
    from polity.common.actor import Actor
    from polity.org.services import body_create

    exec_ = body_create(actor=Actor.system(), unit=org.units["north_a"], kind="executive_committee")
    people = entitled_people(exec_, timezone.now())
    assert list(people) == [org.people["secretary"]]  # the secretary, ex officio


def test_an_open_body_is_every_member_in_good_standing(org):
    from polity.common.actor import Actor
    from polity.org.services import body_create

    agm = body_create(actor=Actor.system(), unit=org.units["north_a"], kind="agm")
    names = {p.given_name for p in entitled_people(agm, timezone.now())}
    assert names == {"Nora", "Rhys", "Sam", "Bea", "Mina", "Milo"}


def test_meetings_replace_the_comms_placeholder(org, gc):
    from polity.comms.continuity import meeting_create

    meeting = meeting_create(
        actor=org.actor("secretary"),
        body=gc.body,
        title="GC",
        starts_at=timezone.now() + timedelta(days=9),
        place="Hall",
    )
    assert isinstance(meeting, Meeting) and meeting.kind == "ordinary"
