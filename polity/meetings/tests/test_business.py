"""Motions, amendments, rulings, votes (counts, named, secret), minutes, and motions sent up the tree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.meetings.models import (
    Minutes,
    Motion,
    MotionState,
    NamedVote,
    Referral,
    SecretTally,
    SecretVoteReceipt,
)
from polity.meetings.rules import MeetingRefused
from polity.meetings.services.attendance import attendance_sign_in
from polity.meetings.services.business import (
    motion_rule,
    motion_submit,
    motion_vote_close,
    motion_vote_counts,
    motion_vote_open,
    vote_cast,
    vote_counts,
)
from polity.meetings.tests.conftest import person_actor


def _motion(meeting, gc, n=0, **extra):  # type: ignore[no-untyped-def]
    extra.setdefault("now", meeting.created_at)
    return motion_submit(
        actor=person_actor(gc.delegates[n]),
        meeting=meeting,
        title=f"Motion {n}",
        text="This committee calls for better buses.",
        seconder=gc.delegates[n + 1],
        **extra,
    )


def test_motions_by_the_deadline_from_those_entitled(org, gc, called):
    motion = _motion(called, gc)
    assert motion.number == 1 and motion.state == MotionState.SUBMITTED
    with pytest.raises(MeetingRefused) as info:
        motion_submit(
            actor=org.actor("secretary"),
            meeting=called,
            title="Mine",
            text="x",
            seconder=gc.delegates[0],
            now=called.created_at,
        )
    assert info.value.rule == "not_entitled"
    with pytest.raises(MeetingRefused, match="seconder is not entitled"):
        motion_submit(
            actor=person_actor(gc.delegates[0]),
            meeting=called,
            title="T",
            text="x",
            seconder=org.people["secretary"],
            now=called.created_at,
        )
    with pytest.raises(InvalidInput, match="other than the mover"):
        motion_submit(
            actor=person_actor(gc.delegates[0]),
            meeting=called,
            title="T",
            text="x",
            seconder=gc.delegates[0],
            now=called.created_at,
        )
    late = called.starts_at - timedelta(days=2)
    with pytest.raises(MeetingRefused) as info:
        _motion(called, gc, now=late)
    assert info.value.rule == "motion_deadline"


def test_an_emergency_motion_needs_the_chairs_recorded_ruling(org, gc, in_session):
    emergency = _motion(in_session, gc, now=in_session.starts_at - timedelta(days=1), is_emergency=True)
    assert emergency.is_emergency
    with pytest.raises(MeetingRefused, match="once the chair admits it"):
        motion_vote_counts(actor=org.actor("secretary"), motion=emergency, votes_for=8, against=1)
    with pytest.raises(Forbidden):
        motion_rule(actor=org.actor("member"), motion=emergency, admit=True, ruling="Urgent")
    motion_rule(
        actor=org.actor("secretary"), motion=emergency, admit=True, ruling="The closure is next week."
    )
    emergency.refresh_from_db()
    assert emergency.ruled_by_label == "secretary"
    assert (
        motion_vote_counts(actor=org.actor("secretary"), motion=emergency, votes_for=8, against=1).state
        == "carried"
    )


def test_amendments_are_voted_first(org, gc, in_session):
    motion = _motion(in_session, gc)
    amendment = _motion(in_session, gc, n=2, amends=motion)
    with pytest.raises(MeetingRefused, match="amendments to this motion first"):
        motion_vote_counts(actor=org.actor("secretary"), motion=motion, votes_for=5, against=1)
    motion_vote_counts(actor=org.actor("secretary"), motion=amendment, votes_for=2, against=6)
    assert (
        motion_vote_counts(actor=org.actor("secretary"), motion=motion, votes_for=6, against=2).state
        == "carried"
    )


def test_counts_cannot_exceed_those_present(org, gc, in_session):
    motion = _motion(in_session, gc)
    with pytest.raises(MeetingRefused, match="11 votes from 10"):
        motion_vote_counts(actor=org.actor("secretary"), motion=motion, votes_for=6, against=5)
    with pytest.raises(Forbidden):
        motion_vote_counts(actor=org.actor("member"), motion=motion, votes_for=6, against=2)


def test_a_named_vote_is_cast_once_by_each_present(org, gc, in_session):
    motion = motion_vote_open(actor=org.actor("secretary"), motion=_motion(in_session, gc), method="named")
    for n, person in enumerate(gc.delegates[:10]):
        vote_cast(actor=person_actor(person), motion=motion, choice="for" if n < 7 else "against")
    with pytest.raises(MeetingRefused, match="already voted"):
        vote_cast(actor=person_actor(gc.delegates[0]), motion=motion, choice="against")
    with pytest.raises(MeetingRefused) as info:  # a delegate who is not present
        vote_cast(actor=person_actor(gc.delegates[11]), motion=motion, choice="for")
    assert info.value.rule == "not_entitled"
    assert NamedVote.objects.filter(motion=motion).count() == 10
    motion = motion_vote_close(actor=org.actor("secretary"), motion=motion)
    assert (motion.state, motion.votes_for, motion.votes_against) == ("carried", 7, 3)


def test_a_secret_vote_counts_once_and_links_no_voter_to_a_choice(org, gc, in_session):
    motion = motion_vote_open(actor=org.actor("secretary"), motion=_motion(in_session, gc), method="secret")
    choices = ["for"] * 4 + ["against"] * 5 + ["abstain"]
    for person, choice in zip(gc.delegates[:10], choices, strict=True):
        vote_cast(actor=person_actor(person), motion=motion, choice=choice)
    with pytest.raises(MeetingRefused, match="already voted"):
        vote_cast(actor=person_actor(gc.delegates[3]), motion=motion, choice="for")
    assert vote_counts(motion) == {"for": 4, "against": 5, "abstain": 1}
    # The schema itself holds no link: receipts have no choice (nor a time); tallies have no voter.
    receipt_fields = {f.name for f in SecretVoteReceipt._meta.get_fields()}
    tally_fields = {f.name for f in SecretTally._meta.get_fields()}
    assert receipt_fields == {"id", "motion", "person"}
    assert tally_fields == {"id", "motion", "choice", "count"}
    from polity.audit.models import Event

    for event in Event.objects.filter(verb="meetings.vote_cast"):
        assert "choice" not in event.data
    motion = motion_vote_close(actor=org.actor("secretary"), motion=motion)
    assert motion.state == "lost" and (motion.votes_for, motion.votes_against, motion.abstentions) == (
        4,
        5,
        1,
    )


def test_voting_refused_once_closed_and_to_outsiders(org, gc, in_session):
    motion = motion_vote_open(actor=org.actor("secretary"), motion=_motion(in_session, gc), method="secret")
    with pytest.raises(MeetingRefused):
        vote_cast(actor=org.actor("outsider"), motion=motion, choice="for")
    motion_vote_close(actor=org.actor("secretary"), motion=motion)
    with pytest.raises(MeetingRefused, match="not open"):
        vote_cast(actor=person_actor(gc.delegates[0]), motion=motion, choice="for")


def test_minutes_keep_every_version_and_are_approved_at_a_later_valid_meeting(org, gc, in_session):
    from polity.meetings.services.attendance import attendance_record
    from polity.meetings.services.meetings import (
        meeting_call,
        meeting_close,
        meeting_notice_send,
        meeting_open,
    )
    from polity.meetings.services.minutes import (
        minutes_approve,
        minutes_circulate,
        minutes_draft,
        minutes_publish,
    )

    secretary = org.actor("secretary")
    meeting_close(actor=secretary, meeting=in_session)
    first = minutes_draft(actor=secretary, meeting=in_session, text="Present: ten. Buses: carried.")
    second = minutes_draft(
        actor=secretary, meeting=in_session, text="Present: ten delegates. Buses: carried."
    )
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(MeetingRefused, match="latest draft"):
        minutes_circulate(actor=secretary, minutes=first)
    minutes_circulate(actor=secretary, minutes=second)
    later = meeting_call(
        actor=secretary,
        body=gc.body,
        title="GC, February",
        starts_at=in_session.starts_at + timedelta(days=28),
        place="Hall",
    )
    meeting_notice_send(actor=secretary, meeting=later)
    later = meeting_open(actor=secretary, meeting=later)
    with pytest.raises(MeetingRefused, match="inquorate"):
        minutes_approve(actor=secretary, minutes=second, at_meeting=later)
    for person in gc.delegates[:10]:
        attendance_record(actor=secretary, meeting=later, person=person, presence="present")
    with pytest.raises(InvalidInput, match="later meeting"):
        minutes_approve(actor=secretary, minutes=second, at_meeting=in_session)
    approved = minutes_approve(
        actor=secretary,
        minutes=second,
        at_meeting=later,
        corrected_text="Present: ten delegates. Buses: carried 6-3.",
    )
    assert approved.version == 3 and approved.state == "approved"
    assert list(Minutes.objects.filter(meeting=in_session).values_list("version", flat=True)) == [3, 2, 1]
    with pytest.raises(MeetingRefused, match="approved"):
        minutes_draft(actor=secretary, meeting=in_session, text="Rewrite history")
    assert minutes_publish(actor=secretary, minutes=approved).state == "published"


def test_a_carried_motion_goes_up_the_tree_with_deadlines_that_escalate(org, gc, in_session):
    from polity.deadlines.models import Deadline
    from polity.deadlines.services import deadlines_escalate
    from polity.meetings.services.referrals import motion_refer, referral_acknowledge, referral_answer
    from polity.org.services import body_create

    region_exec = body_create(actor=Actor.system(), unit=org.units["north"], kind="executive_committee")
    motion = _motion(in_session, gc)
    with pytest.raises(MeetingRefused, match="only a motion the body carried"):
        motion_refer(actor=org.actor("secretary"), motion=motion, to_body=region_exec)
    motion = motion_vote_counts(actor=org.actor("secretary"), motion=motion, votes_for=7, against=2)
    with pytest.raises(Forbidden):
        motion_refer(actor=org.actor("member"), motion=motion, to_body=region_exec)
    referral = motion_refer(actor=org.actor("secretary"), motion=motion, to_body=region_exec)
    ack = Deadline.objects.get(pk=referral.acknowledgement_deadline_id)
    response = Deadline.objects.get(pk=referral.response_deadline_id)
    assert ack.rule_key == "deadlines.motion_acknowledgement" and ack.owner_unit == org.units["north"]
    assert response.rule_key == "deadlines.motion_response"
    with pytest.raises(Forbidden):  # the sending secretary cannot answer for the region
        referral_acknowledge(actor=org.actor("secretary"), referral=referral)
    # Nobody acknowledges: the deadline is missed and escalates to the national unit.
    deadlines_escalate(actor=Actor.system(), now=ack.due_at + timedelta(minutes=1))
    ack.refresh_from_db()
    assert ack.state == "escalated" and ack.escalated_to == org.units["national"]
    referral = referral_acknowledge(actor=org.actor("regional"), referral=referral)
    referral = referral_answer(
        actor=org.actor("regional"), referral=referral, answer="We will write to the council."
    )
    assert referral.state == "answered" and not referral.answered_late
    with pytest.raises(MeetingRefused, match="already answered"):
        referral_answer(actor=org.actor("regional"), referral=referral, answer="Again")


def test_an_emergency_referral_has_the_shorter_deadline(org, gc, in_session):
    from polity.deadlines.models import Deadline
    from polity.meetings.services.referrals import motion_refer
    from polity.org.services import body_create

    national_exec = body_create(actor=Actor.system(), unit=org.units["national"], kind="executive_committee")
    motion = motion_vote_counts(
        actor=org.actor("secretary"), motion=_motion(in_session, gc), votes_for=7, against=2
    )
    referral = motion_refer(
        actor=org.actor("secretary"), motion=motion, to_body=national_exec, is_emergency=True
    )
    response = Deadline.objects.get(pk=referral.response_deadline_id)
    assert response.rule_key == "meetings.emergency_motion_response"
    assert response.due_at - response.started_at <= timedelta(days=7)
    assert Referral.objects.filter(from_body=gc.body).count() == 1


def test_a_motion_of_an_invalid_meeting_is_not_sent(org, gc):
    from polity.meetings.models import Meeting

    meeting = Meeting.objects.create(
        body=gc.body,
        title="Never noticed",
        starts_at=timezone.now(),
        place="Hall",
        created_by_label="x",
        state="open",
        quorum=1,
    )
    motion = Motion.objects.create(
        meeting=meeting,
        number=1,
        title="T",
        text="x",
        mover=gc.delegates[0],
        submitted_at=timezone.now(),
        state="carried",
        votes_for=1,
        votes_against=0,
        decided_at=timezone.now(),
    )
    from polity.meetings.services.referrals import motion_refer
    from polity.org.services import body_create

    region_exec = body_create(actor=Actor.system(), unit=org.units["north"], kind="executive_committee")
    with pytest.raises(MeetingRefused) as info:
        motion_refer(actor=org.actor("secretary"), motion=motion, to_body=region_exec)
    assert info.value.rule == "late_notice"


def test_delegates_within_the_branchs_allowance(org, gc):
    from conftest import make_person
    from polity.meetings.services.seats import seat_appoint

    a = make_person(org.units["north_a_1"], "Ann", "Branch")
    b = make_person(org.units["north_a_1"], "Ben", "Branch")
    seat = seat_appoint(
        actor=org.actor("secretary"),
        body=gc.body,
        person=a,
        basis="delegate",
        from_unit=org.units["north_a_1"],
    )
    assert seat.term.ends_at is not None  # a delegate's term from the rulebook
    with pytest.raises(MeetingRefused) as info:  # a small branch sends one delegate
        seat_appoint(
            actor=org.actor("secretary"),
            body=gc.body,
            person=b,
            basis="delegate",
            from_unit=org.units["north_a_1"],
        )
    assert info.value.rule == "delegate_limit"
    with pytest.raises(Forbidden):
        seat_appoint(actor=org.actor("member"), body=gc.body, person=b, basis="co_opted")
    co = seat_appoint(actor=org.actor("secretary"), body=gc.body, person=b, basis="co_opted")
    assert co.basis == "co_opted"
    with pytest.raises(InvalidInput, match="within North A"):
        seat_appoint(
            actor=org.actor("secretary"),
            body=gc.body,
            person=b,
            basis="delegate",
            from_unit=org.units["south_a_1"],
        )


def test_sign_in_then_vote_from_a_phone(org, gc, called):
    from polity.meetings.services.meetings import meeting_open

    meeting = meeting_open(actor=org.actor("secretary"), meeting=called)
    for person in gc.delegates[:10]:
        attendance_sign_in(actor=person_actor(person), meeting=meeting)
    motion = motion_vote_open(actor=org.actor("secretary"), motion=_motion(meeting, gc), method="secret")
    vote_cast(actor=org.actor("member"), motion=motion, choice="for")
    assert vote_counts(motion)["for"] == 1


def test_a_requisition_obliges_the_secretary_within_the_deadline(org, gc):
    from polity.deadlines.models import Deadline
    from polity.meetings.services.meetings import meeting_call
    from polity.meetings.services.requisitions import requisition_submit

    with pytest.raises(MeetingRefused) as info:  # five members must sign
        requisition_submit(
            actor=person_actor(gc.delegates[0]),
            body=gc.body,
            purpose="Deselection",
            signatories=gc.delegates[1:3],
        )
    assert info.value.rule == "requisition"
    with pytest.raises(MeetingRefused, match="only members"):
        requisition_submit(
            actor=org.actor("secretary"), body=gc.body, purpose="x", signatories=gc.delegates[:6]
        )
    req = requisition_submit(
        actor=person_actor(gc.delegates[0]),
        body=gc.body,
        purpose="Deselection",
        signatories=gc.delegates[1:6],
    )
    deadline = Deadline.objects.get(pk=req.deadline_id)
    assert (
        deadline.rule_key == "meetings.requisition_call_within"
        and deadline.owner_unit == org.units["north_a"]
    )
    with pytest.raises(MeetingRefused, match="not called on a requisition"):
        meeting_call(
            actor=org.actor("secretary"),
            body=gc.body,
            kind="ordinary",
            title="T",
            starts_at=timezone.now() + timedelta(days=20),
            place="Hall",
            requisition=req,
        )
    meeting = meeting_call(
        actor=org.actor("secretary"),
        body=gc.body,
        kind="special",
        title="Special",
        starts_at=timezone.now() + timedelta(days=20),
        place="Hall",
        requisition=req,
    )
    deadline.refresh_from_db()
    assert meeting.called_how == "requisition" and deadline.state == "met"


def test_closing_a_meeting_starts_the_minutes_clock(org, gc, in_session):
    from polity.deadlines.models import Deadline
    from polity.meetings.services.meetings import meeting_close
    from polity.meetings.services.minutes import minutes_circulate, minutes_draft

    meeting_close(actor=org.actor("secretary"), meeting=in_session)
    clock = Deadline.objects.get(subject_type="meetings.meeting", subject_id=str(in_session.pk))
    assert clock.rule_key == "meetings.minutes_circulation" and clock.state == "open"
    minutes_circulate(
        actor=org.actor("secretary"),
        minutes=minutes_draft(actor=org.actor("secretary"), meeting=in_session, text="Minutes"),
    )
    clock.refresh_from_db()
    assert clock.state == "met"


def test_public_statistics_count_motions_answered_and_meetings_held(org, gc, in_session):
    from polity.meetings.series import held, motions_received
    from polity.meetings.services.referrals import motion_refer, referral_answer
    from polity.org.services import body_create
    from polity.transparency.registry import Window

    region_exec = body_create(actor=Actor.system(), unit=org.units["north"], kind="executive_committee")
    motion = motion_vote_counts(
        actor=org.actor("secretary"), motion=_motion(in_session, gc), votes_for=7, against=2
    )
    referral = motion_refer(actor=org.actor("secretary"), motion=motion, to_body=region_exec)
    referral_answer(actor=org.actor("regional"), referral=referral, answer="Yes.")
    now = timezone.now()
    window = Window(
        unit=org.units["national"],
        unit_ids=None,
        since=now - timedelta(days=1),
        until=now + timedelta(days=1),
        quarter="q",
    )
    figures = {f.category: f.value for f in motions_received(window)}
    assert figures == {"Received": 1, "Answered on time": 1, "Answered late": 0, "Unanswered": 0}
    figures = {f.category: f.value for f in held(window)}
    assert figures == {"Held": 1, "Validly noticed": 1, "Quorate": 1, "Valid and quorate": 1}
