"""Demo meetings: the secretary's general committee in every state, and motions sent up the tree.

- A meeting held two months ago, valid and quorate: motions carried, one sent to the region's executive
  (overdue and escalated to the national unit), one to the national executive (acknowledged and answered),
  minutes circulated.
- A meeting held last month that was inquorate (nobody could record business).
- A meeting in session now, quorate, approving the earlier minutes, with a secret vote open (the `member`
  login sits on the committee, co-opted, and can sign in and vote from a phone).
- A meeting in 20 days, notice sent in time; one in 3 days, invalid for late notice; one cancelled.

Called by `polity demo` inside its transaction, with the system as actor. Deterministic from ctx.rng.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from polity.access.eligibility import Ineligible
from polity.access.models import OfficeTerm
from polity.common.actor import Actor
from polity.deadlines.models import Deadline
from polity.deadlines.services import deadlines_escalate
from polity.meetings.entitlement import entitled_people
from polity.meetings.models import Meeting
from polity.meetings.services import attendance as att
from polity.meetings.services import business as biz
from polity.meetings.services import meetings as mtg
from polity.meetings.services import minutes as mins
from polity.meetings.services import referrals as refs
from polity.meetings.services.seats import seat_appoint
from polity.members.models import Person
from polity.org.models import Body

if TYPE_CHECKING:
    from datetime import datetime

    from polity.demo.services import DemoContext


def _as(person: Person) -> Actor:
    return Actor(user_id=None, person_id=person.pk, label=f"demo:{person.membership_number}")


def _held(
    gc: Body, sys: Actor, *, title: str, at: datetime, quorate: bool, skip: Person | None = None
) -> Meeting:
    """A meeting called and noticed in time before `at`, opened at `at`, quorate or three short of it."""
    called = at - timedelta(days=30)
    meeting = mtg.meeting_call(
        actor=sys,
        body=gc,
        title=title,
        starts_at=at,
        place="Community hall, Station Road",
        agenda=["Apologies", "Minutes", "Motions", "Any other business"],
        now=called,
    )
    mtg.meeting_notice_send(actor=sys, meeting=meeting, now=called + timedelta(days=1))
    meeting = mtg.meeting_open(actor=sys, meeting=meeting, now=at)
    quorum = meeting.quorum or 1
    people = [p for p in entitled_people(gc, at).order_by("pk") if p != skip]
    present = min(len(people), quorum + 2) if quorate else max(0, quorum - 3)
    for person in people[:present]:
        att.attendance_record(actor=sys, meeting=meeting, person=person, presence="present")
    for person in people[present : present + 2]:
        att.attendance_record(actor=sys, meeting=meeting, person=person, presence="apology")
    meeting.refresh_from_db()
    return meeting


def _motion(meeting: Meeting, people: list[Person], n: int, title: str, text: str, **extra: object) -> object:
    return biz.motion_submit(
        actor=_as(people[n]),
        meeting=meeting,
        title=title,
        text=text,
        seconder=people[n + 1],
        now=meeting.created_at,
        **extra,  # type: ignore[arg-type]
    )


def populate(ctx: DemoContext) -> None:
    secretary = ctx.people.get("secretary")
    member = ctx.people.get("member")
    if secretary is None:
        return
    term = (
        OfficeTerm.objects.filter(person=secretary, office="secretary", ends_at__isnull=True)
        .select_related("unit")
        .first()
    )
    gc = (
        Body.objects.filter(unit=term.unit, kind="general_committee").select_related("unit").first()
        if term
        else None
    )
    if gc is None or gc.unit.parent is None:
        return
    sys = Actor.system(label="demo")
    now = timezone.now().replace(second=0, microsecond=0)
    region_exec = Body.objects.filter(unit=gc.unit.parent, kind="executive_committee").first()
    national_exec = Body.objects.filter(unit__parent__isnull=True, kind="executive_committee").first()
    if member is not None:
        # Co-opted long ago if she could hold office then, else today; not at all if she cannot yet.
        for start in (now - timedelta(days=120), now - timedelta(minutes=60)):
            try:
                seat_appoint(actor=sys, body=gc, person=member, basis="co_opted", starts_at=start)
                break
            except Ineligible:
                continue
    for body in (region_exec, national_exec):
        if body is None:
            continue
        long_ago = (now - timedelta(days=600)).date()  # members long enough to hold office
        pool = list(
            Person.objects.filter(
                home_unit__path__startswith=body.unit.path,
                status="active",
                joined_on__lte=long_ago,
            ).order_by("pk")[:200]
        )
        for person in ctx.rng.sample(pool, min(5, len(pool))):
            seat_appoint(
                actor=sys, body=body, person=person, basis="co_opted", starts_at=now - timedelta(days=200)
            )

    # Enough seats for a quorum at every demo meeting: co-opt members of the constituency if it is small.
    since = now - timedelta(days=120)
    seated = entitled_people(gc, since + timedelta(days=1)).count()
    long_ago = (now - timedelta(days=330)).date()  # could hold office 120 days ago
    spare = (
        Person.objects.filter(
            home_unit__path__startswith=gc.unit.path, status="active", joined_on__lte=long_ago
        )
        .exclude(pk__in=entitled_people(gc, now).values("pk"))
        .exclude(pk=secretary.pk)
        .order_by("pk")
    )
    for person in spare[: max(0, 16 - seated)]:
        seat_appoint(actor=sys, body=gc, person=person, basis="co_opted", starts_at=since)
    people = list(entitled_people(gc, now - timedelta(days=60)).order_by("pk"))

    # Two months ago: valid and quorate; motions carried and sent up the tree.
    first = _held(
        gc,
        sys,
        title=f"{gc.name}: {(now - timedelta(days=60)):%B}",
        at=now - timedelta(days=60),
        quorate=True,
    )
    needed = first.quorum or 1
    if not first.was_quorate:  # a register too small for a quorum: the demo keeps to what it can show
        return
    buses = _motion(
        first, people, 2, "Bus services", "This committee asks the region to press for evening buses."
    )
    biz.motion_vote_counts(actor=sys, motion=buses, votes_for=needed - 2, against=1, abstain=1)  # type: ignore[arg-type]
    selection = _motion(
        first,
        people,
        4,
        "The selection timetable",
        "This committee asks the national executive to publish the selection timetable.",
    )
    biz.motion_vote_counts(actor=sys, motion=selection, votes_for=needed - 1, against=1)  # type: ignore[arg-type]
    if region_exec is not None:
        overdue = refs.motion_refer(actor=sys, motion=buses, to_body=region_exec)  # type: ignore[arg-type]
        # Sent seven weeks ago; nobody at the region acknowledged it.
        back = timedelta(days=49)
        for deadline in Deadline.objects.filter(subject_type=refs.SOURCE, subject_id=str(overdue.pk)):
            Deadline.objects.filter(pk=deadline.pk).update(
                started_at=deadline.started_at - back, due_at=deadline.due_at - back
            )
        overdue.__class__.objects.filter(pk=overdue.pk).update(sent_at=overdue.sent_at - back)
        deadlines_escalate(actor=sys, now=now)
    if national_exec is not None:
        answered = refs.motion_refer(actor=sys, motion=selection, to_body=national_exec)  # type: ignore[arg-type]
        refs.referral_answer(
            actor=Actor.system(label="national executive"),
            referral=answered,
            answer="The timetable will be published with the call for nominations next month.",
        )
    mtg.meeting_close(actor=sys, meeting=first, now=first.starts_at + timedelta(hours=2))
    minutes = mins.minutes_draft(
        actor=sys,
        meeting=first,
        text=(
            f"Present: {needed} delegates. Apologies: 2.\n1. Bus services: carried, sent to the region.\n"
            "2. The selection timetable: carried, sent to the national executive."
        ),
    )
    mins.minutes_circulate(actor=sys, minutes=minutes)

    # Last month: inquorate, no business.
    second = _held(
        gc,
        sys,
        title=f"{gc.name}: {(now - timedelta(days=30)):%B}",
        at=now - timedelta(days=30),
        quorate=False,
    )
    mtg.meeting_close(actor=sys, meeting=second, now=second.starts_at + timedelta(hours=1))

    # Now: in session, quorate; approves the minutes; a secret vote is open for the member to cast.
    live = _held(
        gc,
        sys,
        title=f"{gc.name}: special meeting",
        at=now - timedelta(minutes=30),
        quorate=True,
        skip=member,
    )
    if not live.was_quorate:
        return
    mins.minutes_approve(actor=sys, minutes=minutes, at_meeting=live)
    housing = _motion(
        live, people, 3, "Housing campaign", "This committee backs the tenants' campaign on the estate."
    )
    biz.motion_vote_open(actor=sys, motion=housing, method="secret")  # type: ignore[arg-type]
    voters = [p for p in entitled_people(gc, now).order_by("pk") if p != member][: needed // 2]
    for person in voters:
        biz.vote_cast(actor=_as(person), motion=housing, choice=ctx.rng.choice(["for", "for", "against"]))  # type: ignore[arg-type]

    # Coming: one noticed in time; one called too late (invalid unless waived); one cancelled.
    upcoming = mtg.meeting_call(
        actor=_as(secretary),
        body=gc,
        title=f"{gc.name}: {(now + timedelta(days=20)):%B}",
        starts_at=now + timedelta(days=20),
        place="Community hall, Station Road",
        agenda=["Apologies", "Minutes", "Motions"],
    )
    mtg.meeting_notice_send(actor=_as(secretary), meeting=upcoming)
    mtg.meeting_call(
        actor=_as(secretary),
        body=gc,
        title=f"{gc.name}: emergency on the estate",
        starts_at=now + timedelta(days=3),
        place="Tenants' hall",
        agenda=["The estate"],
    )
    cancelled = mtg.meeting_call(
        actor=_as(secretary),
        body=gc,
        title=f"{gc.name}: social",
        starts_at=now + timedelta(days=40),
        place="The Crown",
    )
    mtg.meeting_cancel(actor=_as(secretary), meeting=cancelled, reason="The venue closed.")
