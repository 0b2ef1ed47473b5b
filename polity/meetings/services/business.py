"""Agenda, motions and amendments, chair's rulings, and votes.

Motions are submitted by someone entitled, seconded by another, by the rulebook's deadline before the
meeting (`meetings.motion_deadline`; amendments `meetings.amendment_deadline`). After it only an emergency
motion, admitted by the chair's recorded ruling. A vote is recorded only as business (in session, validly
noticed, quorate): counts from the chair, or named or secret votes cast by those present from their phone.

A secret vote writes a receipt (who voted, not how, not when) and adds one to the choice's counter in the
same transaction: no row links a voter to a choice, and the receipt's unique key makes a second vote fail.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.meetings.entitlement import is_entitled
from polity.meetings.gate import require_body, require_manage
from polity.meetings.models import (
    AgendaItem,
    Attendance,
    Choice,
    Meeting,
    Motion,
    MotionState,
    NamedVote,
    Presence,
    SecretTally,
    SecretVoteReceipt,
    State,
    VoteMethod,
)
from polity.meetings.rules import AMENDMENT_DEADLINE, MOTION_DEADLINE, MeetingRefused
from polity.meetings.services.common import actor_person_id, require_business
from polity.members.models import Person
from polity.rulebook.loader import get_rulebook

SOURCE = "meetings.motion"


def _audit(actor: Actor, verb: str, motion: Motion, **data: object) -> None:
    audit_record(
        actor=actor, verb=verb, purpose="governance", object_type=SOURCE, object_id=motion.pk, data=dict(data)
    )


def agenda_item_add(*, actor: Actor, meeting: Meeting, title: str, notes: str = "") -> AgendaItem:
    require_manage(actor, meeting.body)
    if meeting.state in (State.CLOSED, State.CANCELLED):
        raise MeetingRefused("state", f"{meeting.title} is {meeting.get_state_display().lower()}")
    if not title.strip():
        raise InvalidInput("title: an agenda item needs a title")
    with transaction.atomic():
        position = (meeting.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        item = AgendaItem.objects.create(
            meeting=meeting, position=position, title=title.strip()[:200], notes=notes
        )
        audit_record(
            actor=actor,
            verb="meetings.agenda_item_add",
            purpose="governance",
            object_type="meetings.meeting",
            object_id=meeting.pk,
            data={"position": position},
        )
    return item


def motion_deadline_at(meeting: Meeting, *, amendment: bool) -> datetime:
    rule = get_rulebook().rule(AMENDMENT_DEADLINE if amendment else MOTION_DEADLINE)
    local = rule.subtract_from(timezone.localtime(meeting.starts_at))
    return timezone.make_aware(local.replace(tzinfo=None))


def motion_submit(
    *,
    actor: Actor,
    meeting: Meeting,
    title: str,
    text: str,
    seconder: Person | None,
    amends: Motion | None = None,
    is_emergency: bool = False,
    now: datetime | None = None,
) -> Motion:
    """An entitled member moves a motion (or an amendment), seconded by another entitled member."""
    require_body(actor, meeting.body)
    now = now or timezone.now()
    mover_id = actor_person_id(actor)
    if meeting.state in (State.CLOSED, State.CANCELLED):
        raise MeetingRefused("state", f"{meeting.title} is {meeting.get_state_display().lower()}")
    if not is_entitled(meeting.body, mover_id, meeting.starts_at):
        raise MeetingRefused(
            "not_entitled", f"only those entitled to take part in {meeting.title} move motions"
        )
    if seconder is None:
        raise InvalidInput("seconder: a motion needs a seconder")
    if seconder.pk == mover_id:
        raise InvalidInput("seconder: someone other than the mover seconds a motion")
    if not is_entitled(meeting.body, seconder.pk, meeting.starts_at):
        raise MeetingRefused("not_entitled", "the seconder is not entitled to take part in this meeting")
    if amends is not None and amends.meeting_id != meeting.pk:
        raise InvalidInput("amends: an amendment amends a motion of the same meeting")
    if not title.strip() or not text.strip():
        raise InvalidInput("title and text: a motion needs both")
    deadline = motion_deadline_at(meeting, amendment=amends is not None)
    if now > deadline and not is_emergency:
        what = "amendments" if amends is not None else "motions"
        raise MeetingRefused(
            "motion_deadline",
            f"the deadline for {what} to {meeting.title} was {timezone.localtime(deadline):%d %B %Y %H:%M} "
            "(the rulebook's deadline before the meeting); after it only an emergency motion, if the chair admits it",
        )
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        number = (
            Motion.objects.filter(meeting=meeting)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        motion = Motion.objects.create(
            meeting=meeting,
            number=number,
            amends=amends,
            title=title.strip()[:200],
            text=text.strip(),
            mover_id=mover_id,
            seconder=seconder,
            submitted_at=now,
            is_emergency=is_emergency and now > deadline,
        )
        _audit(actor, "meetings.motion_submit", motion, meeting=meeting.pk, emergency=motion.is_emergency)
    return motion


def motion_rule(*, actor: Actor, motion: Motion, admit: bool, ruling: str) -> Motion:
    """The chair's ruling on a motion (an emergency motion after the deadline, or one out of order)."""
    require_manage(actor, motion.meeting.body)
    if motion.state != MotionState.SUBMITTED:
        raise MeetingRefused("vote", f"motion {motion.number} is {motion.get_state_display().lower()}")
    if not ruling.strip():
        raise InvalidInput("ruling: record the chair's ruling in words")
    with transaction.atomic():
        motion.ruling, motion.ruled_by_label = ruling.strip()[:500], actor.label
        if not admit:
            motion.state = MotionState.RULED_OUT
        motion.save(update_fields=["ruling", "ruled_by_label", "state"])
        _audit(actor, "meetings.motion_rule", motion, admit=admit)
    return motion


def _require_votable(motion: Motion) -> None:
    if motion.is_emergency and not motion.ruling:
        raise MeetingRefused(
            "motion_deadline", "an emergency motion is voted on only once the chair admits it"
        )
    if (
        motion.amends_id is None
        and motion.amendments.filter(state__in=[MotionState.SUBMITTED, MotionState.VOTING]).exists()
    ):
        raise MeetingRefused("vote", "vote on the amendments to this motion first")


def _decide(actor: Actor, motion: Motion, votes_for: int, against: int, abstain: int, method: str) -> Motion:
    motion.votes_for, motion.votes_against, motion.abstentions = votes_for, against, abstain
    motion.method = method
    motion.state = MotionState.CARRIED if votes_for > against else MotionState.LOST
    motion.decided_at, motion.decided_by_label = timezone.now(), actor.label
    motion.save(
        update_fields=[
            "votes_for",
            "votes_against",
            "abstentions",
            "method",
            "state",
            "decided_at",
            "decided_by_label",
        ]
    )
    _audit(
        actor,
        "meetings.motion_decide",
        motion,
        method=method,
        result=motion.state,
        votes=[votes_for, against, abstain],
    )
    return motion


def motion_vote_counts(
    *, actor: Actor, motion: Motion, votes_for: int, against: int, abstain: int = 0
) -> Motion:
    """The chair records the counts of a show of hands."""
    meeting = motion.meeting
    require_manage(actor, meeting.body)
    require_business(meeting)
    if motion.state != MotionState.SUBMITTED:
        raise MeetingRefused("vote", f"motion {motion.number} is {motion.get_state_display().lower()}")
    _require_votable(motion)
    if min(votes_for, against, abstain) < 0:
        raise InvalidInput("counts: no negative numbers")
    present = Attendance.objects.filter(meeting=meeting, presence=Presence.PRESENT, is_entitled=True).count()
    if votes_for + against + abstain > present:
        raise MeetingRefused("vote", f"{votes_for + against + abstain} votes from {present} entitled present")
    with transaction.atomic():
        return _decide(actor, motion, votes_for, against, abstain, VoteMethod.COUNTS)


def motion_vote_open(*, actor: Actor, motion: Motion, method: str) -> Motion:
    """Open a named or secret vote that those present cast from their phones."""
    meeting = motion.meeting
    require_manage(actor, meeting.body)
    require_business(meeting)
    if method not in (VoteMethod.NAMED, VoteMethod.SECRET):
        raise InvalidInput("method: a named or a secret vote is cast from phones")
    if motion.state != MotionState.SUBMITTED:
        raise MeetingRefused("vote", f"motion {motion.number} is {motion.get_state_display().lower()}")
    _require_votable(motion)
    with transaction.atomic():
        motion.state, motion.method, motion.vote_opened_at = MotionState.VOTING, method, timezone.now()
        motion.save(update_fields=["state", "method", "vote_opened_at"])
        if method == VoteMethod.SECRET:
            SecretTally.objects.bulk_create(SecretTally(motion=motion, choice=c) for c in Choice.values)
        _audit(actor, "meetings.motion_vote_open", motion, method=method)
    return motion


def vote_cast(*, actor: Actor, motion: Motion, choice: str) -> None:
    """Someone present and entitled casts their vote, once. A secret vote keeps no link to the voter."""
    if choice not in Choice.values:
        raise InvalidInput(f"choice: one of {', '.join(Choice.values)}")
    person_id = actor_person_id(actor)
    if not Attendance.objects.filter(
        meeting_id=motion.meeting_id, person_id=person_id, presence=Presence.PRESENT, is_entitled=True
    ).exists():
        raise MeetingRefused(
            "not_entitled", "only those present and entitled vote: sign in to the meeting first"
        )
    try:
        with transaction.atomic():
            # The vote's row is locked while the vote is recorded, so closing it waits for votes in flight
            # and a vote after the close is refused.
            motion = Motion.objects.select_for_update().get(pk=motion.pk)
            if motion.state != MotionState.VOTING:
                raise MeetingRefused("vote", "this vote is not open")
            if motion.method == VoteMethod.SECRET:
                SecretVoteReceipt.objects.create(motion_id=motion.pk, person_id=person_id)
                SecretTally.objects.filter(motion_id=motion.pk, choice=choice).update(count=F("count") + 1)
                audit_record(
                    actor=actor,
                    verb="meetings.vote_cast",
                    purpose="governance",
                    object_type=SOURCE,
                    object_id=motion.pk,
                    data={"secret": True},
                )
            else:
                NamedVote.objects.create(
                    motion_id=motion.pk, person_id=person_id, choice=choice, cast_at=timezone.now()
                )
                audit_record(
                    actor=actor,
                    verb="meetings.vote_cast",
                    purpose="governance",
                    object_type=SOURCE,
                    object_id=motion.pk,
                    data={"choice": choice},
                )
    except IntegrityError:
        raise MeetingRefused("vote", "you have already voted on this motion") from None


def vote_counts(motion: Motion) -> dict[str, int]:
    if motion.method == VoteMethod.SECRET:
        counts = dict(SecretTally.objects.filter(motion=motion).values_list("choice", "count"))
    elif motion.method == VoteMethod.NAMED:
        counts = {c: 0 for c in Choice.values}
        for choice in NamedVote.objects.filter(motion=motion).values_list("choice", flat=True):
            counts[choice] += 1
    else:
        return {
            "for": motion.votes_for or 0,
            "against": motion.votes_against or 0,
            "abstain": motion.abstentions or 0,
        }
    return {c: counts.get(c, 0) for c in Choice.values}


def motion_vote_close(*, actor: Actor, motion: Motion) -> Motion:
    """Close the vote and record the result (business: the meeting must still be quorate)."""
    meeting = motion.meeting
    require_manage(actor, meeting.body)
    require_business(meeting)
    if motion.state != MotionState.VOTING:
        raise MeetingRefused("vote", "this vote is not open")
    with transaction.atomic():
        motion = Motion.objects.select_for_update().get(pk=motion.pk)
        counts = vote_counts(motion)
        return _decide(actor, motion, counts["for"], counts["against"], counts["abstain"], motion.method)


def motion_withdraw(*, actor: Actor, motion: Motion) -> Motion:
    """The mover withdraws a motion not yet voted on."""
    if actor.person_id != motion.mover_id:
        require_manage(actor, motion.meeting.body)
    if motion.state != MotionState.SUBMITTED:
        raise MeetingRefused("vote", f"motion {motion.number} is {motion.get_state_display().lower()}")
    with transaction.atomic():
        motion.state = MotionState.WITHDRAWN
        motion.save(update_fields=["state"])
        _audit(actor, "meetings.motion_withdraw", motion)
    return motion
