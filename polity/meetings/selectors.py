"""Reads of meetings, scoped through `polity.meetings.gate` (which asks `polity.access`).

Names of people (a body's members, attendance, named votes) are personal data: showing them to an
officer is recorded in the access log (`meetings.view_people`) with the people shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import units_q
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.meetings import rules
from polity.meetings.entitlement import entitled_people, is_entitled, is_open_body, seat_terms
from polity.meetings.gate import body_visible, may_manage, require_body, require_manage
from polity.meetings.models import (
    Attendance,
    Meeting,
    Minutes,
    MinutesState,
    Motion,
    Presence,
    Referral,
    Requisition,
    State,
)
from polity.meetings.services.common import present_count
from polity.members.models import Person
from polity.org.models import Body, Unit


def body_get(*, actor: Actor, body_id: int) -> Body:
    body = Body.objects.select_related("unit").filter(pk=body_id).first()
    if body is None or not body_visible(actor, body):
        raise NotVisible("not found")
    return body


def bodies_visible(*, actor: Actor) -> list[Body]:
    """Bodies of units in the actor's scope, of the units above their branch, and those they sit on."""
    q = units_q(actor, Perm.UNITS_VIEW, field="unit__path") | units_q(
        actor, Perm.MEETINGS_MANAGE, field="unit__path"
    )
    if actor.person_id is not None:
        home = (
            Person.objects.filter(pk=actor.person_id).values_list("home_unit__path", flat=True).first() or ""
        )
        ancestors = [home[: i + 7] for i in range(0, len(home), 7)]
        q |= Q(unit__path__in=ancestors) | Q(
            pk__in=OfficeTerm.objects.filter(person_id=actor.person_id).values("body_id")
        )
    return list(Body.objects.filter(q).select_related("unit").order_by("unit__path", "name"))


def meeting_get(*, actor: Actor, meeting_id: int) -> Meeting:
    # Unordered (not `.first()`): every poll of a vote page asks this, and the ordering is composed each time.
    meeting = next(
        iter(Meeting.objects.select_related("body__unit").filter(pk=meeting_id).order_by()[:1]), None
    )
    if meeting is None or not body_visible(actor, meeting.body):
        raise NotVisible("not found")
    return meeting


def meeting_by_id(meeting_id: int) -> Meeting | None:
    """(internal, for tasks) a meeting with its body and unit."""
    return Meeting.objects.select_related("body__unit").filter(pk=meeting_id).first()


def motion_get(*, actor: Actor, motion_id: int) -> Motion:
    motion = Motion.objects.select_related("meeting__body__unit").filter(pk=motion_id).first()
    if motion is None or not body_visible(actor, motion.meeting.body):
        raise NotVisible("not found")
    return motion


def minutes_get(*, actor: Actor, minutes_id: int) -> Minutes:
    minutes = Minutes.objects.select_related("meeting__body__unit").filter(pk=minutes_id).first()
    if minutes is None or not body_visible(actor, minutes.meeting.body):
        raise NotVisible("not found")
    hidden = minutes.state != MinutesState.PUBLISHED and not may_manage(actor, minutes.meeting.body)
    if hidden and not _sits_on(actor, minutes.meeting.body):
        raise NotVisible("not found")
    return minutes


def referral_get(*, actor: Actor, referral_id: int) -> Referral:
    referral = (
        Referral.objects.select_related("motion__meeting", "from_body__unit", "to_body__unit")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or not (
        body_visible(actor, referral.from_body) or may_manage(actor, referral.to_body)
    ):
        raise NotVisible("not found")
    return referral


def _sits_on(actor: Actor, body: Body) -> bool:
    if actor.person_id is None:
        return False
    if is_open_body(body):
        return True
    return seat_terms(body, timezone.now()).filter(person_id=actor.person_id).exists()


def meetings_of_body(*, actor: Actor, body: Body) -> list[Meeting]:
    require_body(actor, body)
    return list(Meeting.objects.filter(body=body).order_by("-starts_at")[:50])


def minutes_for_body(*, actor: Actor, body: Body) -> list[Minutes]:
    """Published minutes to anyone who sees the body; every version to those who run or sit on it."""
    require_body(actor, body)
    qs = Minutes.objects.filter(meeting__body=body).select_related("meeting")
    if not (may_manage(actor, body) or _sits_on(actor, body)):
        qs = qs.filter(state=MinutesState.PUBLISHED)
    return list(qs.order_by("-meeting__starts_at", "-version")[:50])


def referrals_for_body(*, actor: Actor, body: Body) -> tuple[list[Referral], list[Referral]]:
    """(sent, received): what the body sent up and their deadlines are visible to anyone who sees it."""
    require_body(actor, body)
    base = Referral.objects.select_related("motion__meeting", "from_body__unit", "to_body__unit")
    return list(base.filter(from_body=body)), list(base.filter(to_body=body))


@dataclass(frozen=True)
class RequisitionRow:
    requisition: Requisition
    signatures: int
    needed: int
    signed_by_me: bool
    deadline_state: str  # "" until submitted; then the deadline's state (open, met, missed, escalated)
    escalated_to: str


def requisitions_for_body(*, actor: Actor, body: Body) -> list[RequisitionRow]:
    """The body's requisitions (newest first) with their signatures and the secretary's deadline: visible to
    anyone who sees the body, as the deadlines of motions sent up are. Counts only, no names."""
    from django.db.models import Count

    from polity.deadlines.models import Deadline
    from polity.meetings.rules import REQUISITION_SIGNATURES
    from polity.rulebook.loader import get_rulebook

    require_body(actor, body)
    rows = list(
        Requisition.objects.filter(body=body)
        .select_related("meeting")
        .annotate(n=Count("signatories"))
        .order_by("-started_at", "-id")[:20]
    )
    mine = set()
    if actor.person_id is not None:
        mine = set(
            Requisition.signatories.through.objects.filter(
                requisition_id__in=[r.pk for r in rows], person_id=actor.person_id
            ).values_list("requisition_id", flat=True)
        )
    deadlines = {
        d.pk: d
        for d in Deadline.objects.filter(
            pk__in=[r.deadline_id for r in rows if r.deadline_id]
        ).select_related("escalated_to")
    }
    needed = get_rulebook().number(REQUISITION_SIGNATURES)
    out = []
    for r in rows:
        deadline = deadlines.get(r.deadline_id or 0)
        out.append(
            RequisitionRow(
                r,
                r.n,
                needed,
                r.pk in mine,
                deadline.state if deadline else "",
                deadline.escalated_to.name if deadline and deadline.escalated_to else "",
            )
        )
    return out


def requisition_row(*, actor: Actor, requisition: Requisition) -> RequisitionRow:
    """One requisition counted as `requisitions_for_body` counts each (for the API's answer to a signature)."""
    from polity.deadlines.models import Deadline
    from polity.meetings.rules import REQUISITION_SIGNATURES
    from polity.rulebook.loader import get_rulebook

    require_body(actor, requisition.body)
    signed = set(requisition.signatories.values_list("pk", flat=True))
    deadline = (
        Deadline.objects.filter(pk=requisition.deadline_id).select_related("escalated_to").first()
        if requisition.deadline_id
        else None
    )
    return RequisitionRow(
        requisition,
        len(signed),
        get_rulebook().number(REQUISITION_SIGNATURES),
        actor.person_id is not None and actor.person_id in signed,
        deadline.state if deadline else "",
        deadline.escalated_to.name if deadline and deadline.escalated_to else "",
    )


def requisition_get(*, actor: Actor, requisition_id: int) -> Requisition:
    requisition = Requisition.objects.select_related("body__unit").filter(pk=requisition_id).first()
    if requisition is None or not body_visible(actor, requisition.body):
        raise NotVisible("not found")
    return requisition


def deadlines_of(referral: Referral) -> dict[str, object]:
    from polity.deadlines.models import Deadline

    found = {
        d.pk: d
        for d in Deadline.objects.filter(
            pk__in=[referral.acknowledgement_deadline_id, referral.response_deadline_id]
        ).select_related("escalated_to")
    }
    return {
        "acknowledgement": found.get(referral.acknowledgement_deadline_id or 0),
        "response": found.get(referral.response_deadline_id or 0),
    }


@dataclass(frozen=True)
class Seated:
    person_id: int
    name: str
    membership_number: str
    why: str
    since: datetime
    until: datetime | None


def body_members(*, actor: Actor, body: Body, at: datetime | None = None) -> list[Seated]:
    """Who sits on the body at `at` and why (seats, ex officio). Shown to those who see the body;
    recorded in the access log."""
    require_body(actor, body)
    at = at or timezone.now()
    from polity.rulebook.loader import get_rulebook

    rulebook = get_rulebook()
    terms = (
        seat_terms(body, at)
        .select_related("person", "seat__from_unit")
        .order_by("person__family_name", "person__given_name")
    )
    out: list[Seated] = []
    for term in terms[:500]:
        seat = getattr(term, "seat", None)
        office = rulebook.offices.get(term.office)
        if seat is not None and seat.basis == "delegate":
            why = f"Delegate of {seat.from_unit.name if seat.from_unit else seat.from_affiliate}"
        elif seat is not None:
            why = "Co-opted"
        elif term.body_id == body.pk or (office is not None and office.body == body.kind):
            why = office.label if office else term.office
        else:
            why = f"Ex officio ({office.label if office else term.office})"
        out.append(
            Seated(
                term.person_id,
                f"{term.person.given_name} {term.person.family_name}",
                term.person.membership_number,
                why,
                term.starts_at,
                term.ends_at,
            )
        )
    if out and not actor.is_system:
        audit_record(
            actor=actor,
            verb="meetings.view_people",
            purpose="governance",
            subjects=[s.person_id for s in out],
            object_type="org.body",
            object_id=body.pk,
            data={"what": "members", "count": len(out)},
        )
    return out


def entitled_on(*, actor: Actor, body: Body, at: datetime) -> QuerySet[Person]:
    """Who is entitled on a date (officers who run the body's meetings)."""
    require_manage(actor, body)
    return entitled_people(body, at)


@dataclass(frozen=True)
class AttendanceRow:
    person_id: int
    name: str
    membership_number: str
    presence: str
    is_entitled: bool
    self_signed: bool


def attendance_list(*, actor: Actor, meeting: Meeting) -> list[AttendanceRow]:
    require_manage(actor, meeting.body)
    rows = [
        AttendanceRow(
            a.person_id,
            f"{a.person.given_name} {a.person.family_name}",
            a.person.membership_number,
            a.presence,
            a.is_entitled,
            a.self_signed,
        )
        for a in Attendance.objects.filter(meeting=meeting)
        .select_related("person")
        .order_by("person__family_name")
    ]
    if rows and not actor.is_system:
        audit_record(
            actor=actor,
            verb="meetings.view_people",
            purpose="governance",
            subjects=[r.person_id for r in rows],
            object_type="meetings.meeting",
            object_id=meeting.pk,
            data={"what": "attendance", "count": len(rows)},
        )
    return rows


@dataclass(frozen=True)
class Quorum:
    present: int
    quorum: int | None
    entitled: int | None

    @property
    def is_quorate(self) -> bool:
        return self.quorum is not None and self.present >= self.quorum


def quorum_now(meeting: Meeting) -> Quorum:
    return Quorum(present_count(meeting), meeting.quorum, meeting.entitled_count)


def my_attendance(*, actor: Actor, meeting: Meeting) -> str:
    if actor.person_id is None:
        return ""
    return (
        Attendance.objects.filter(meeting=meeting, person_id=actor.person_id)
        .values_list("presence", flat=True)
        .first()
        or ""
    )


def my_meetings(*, actor: Actor, now: datetime | None = None) -> list[Meeting]:
    """Meetings the member may attend: upcoming (and the last month's) of bodies they sit on or, for
    general meetings, of the units above their branch; checked against entitlement on each date."""
    if actor.person_id is None:
        return []
    now = now or timezone.now()
    home = Person.objects.filter(pk=actor.person_id).values_list("home_unit__path", flat=True).first() or ""
    ancestors = [home[: i + 7] for i in range(0, len(home), 7)]
    bodies = Body.objects.filter(
        Q(unit__path__in=ancestors)
        | Q(pk__in=OfficeTerm.objects.filter(person_id=actor.person_id).values("body_id"))
        | Q(unit__in=OfficeTerm.objects.filter(person_id=actor.person_id).values("unit_id"))
    )
    candidates = (
        Meeting.objects.filter(body__in=bodies, starts_at__gte=now - timedelta(days=31))
        .exclude(state=State.CANCELLED)
        .select_related("body__unit")
        .order_by("starts_at")[:60]
    )
    person_id = actor.person_id
    return [m for m in candidates if is_entitled(m.body, person_id, m.starts_at)]


def units_above(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(path__in=[unit.path[: i + 7] for i in range(0, len(unit.path), 7)]).exclude(
            pk=unit.pk
        )
    )


def present_people_count(meeting: Meeting) -> int:
    return Attendance.objects.filter(meeting=meeting, presence=Presence.PRESENT).count()


def minutes_to_approve(*, actor: Actor, meeting: Meeting) -> list[Minutes]:
    """Minutes of earlier meetings of the body circulated and waiting for approval (at this meeting)."""
    if not may_manage(actor, meeting.body):
        return []
    return list(
        Minutes.objects.filter(
            meeting__body=meeting.body,
            meeting__starts_at__lt=meeting.starts_at,
            state=MinutesState.CIRCULATED,
        ).select_related("meeting")
    )


def referral_targets(*, actor: Actor, body: Body) -> list[Body]:
    """Bodies a motion of this body may be sent to: those of the units above it, then others one may see."""
    above = units_above(body.unit)
    found = list(Body.objects.filter(unit__in=above).select_related("unit").order_by("unit__path"))
    seen = {b.pk for b in found} | {body.pk}
    found += [b for b in bodies_visible(actor=actor) if b.pk not in seen]
    return found


@dataclass(frozen=True)
class VotePage:
    """What a phone's vote page shows: the votes open now with whether the actor has voted in each, how
    often the page asks again (from the rulebook), and a short digest of both so a poll that finds nothing
    new is answered without a page (polity.meetings.views.vote_page)."""

    motions: list[tuple[Motion, bool]]
    poll_seconds: int
    version: str


def vote_page_live(*, actor: Actor, meeting: Meeting) -> VotePage:
    """Votes open now, and whether the actor has voted in each: one query for the motions and, while a vote
    is open, one per kind of vote open (a secret vote's receipts, a named vote's names)."""
    from polity.meetings.models import MotionState, NamedVote, SecretVoteReceipt, VoteMethod

    require_body(actor, meeting.body)
    motions = list(
        meeting.motions.filter(state=MotionState.VOTING)
        .only("pk", "meeting_id", "number", "title", "method")
        .order_by("number")  # the model's ordering by meeting would join the meetings table
    )
    voted: set[int] = set()
    if actor.person_id is not None:
        for method, model in ((VoteMethod.SECRET, SecretVoteReceipt), (VoteMethod.NAMED, NamedVote)):
            ids = [m.pk for m in motions if m.method == method]
            if ids:
                mine = model.objects.filter(motion_id__in=ids, person_id=actor.person_id)
                voted |= set(mine.values_list("motion_id", flat=True))
    found = [(m, m.pk in voted) for m in motions]
    every = rules.poll_seconds(has_voted_in_all=bool(found) and all(v for _m, v in found))
    shown = repr([(m.pk, m.number, m.title, m.method, v) for m, v in found] + [every])
    return VotePage(found, every, hashlib.blake2s(shown.encode(), digest_size=8).hexdigest())


def results(*, actor: Actor, meeting: Meeting) -> list[tuple[Motion, dict[str, int], int]]:
    """Every motion with its counts (live while voting) and how many have voted: for the projector."""
    from polity.meetings.models import VoteMethod
    from polity.meetings.services.business import vote_counts

    require_body(actor, meeting.body)
    out = []
    for motion in meeting.motions.all():
        counts = vote_counts(motion)
        cast = sum(counts.values()) if motion.method in (VoteMethod.SECRET, VoteMethod.NAMED) else 0
        out.append((motion, counts, cast))
    return out


def named_votes(*, actor: Actor, motion: Motion) -> list[tuple[str, str]]:
    """A named vote's voters and choices (shown with the result)."""
    from polity.meetings.models import NamedVote

    require_body(actor, motion.meeting.body)
    rows = NamedVote.objects.filter(motion=motion).select_related("person").order_by("person__family_name")
    return [(f"{v.person.given_name} {v.person.family_name}", v.get_choice_display()) for v in rows]


@dataclass(frozen=True)
class NoticePreview:
    recipients: int
    already: int
    is_late: bool
    by_post: int = 0  # of the recipients, those without an email address we may use: a letter instead


def notice_preview(*, actor: Actor, meeting: Meeting) -> NoticePreview:
    """How many would be sent the notice now, and whether it would be late (for the confirmation step)."""
    from polity.consent.checks import contact_permitted_many
    from polity.meetings.models import NoticeGiven

    require_manage(actor, meeting.body)
    entitled = entitled_people(meeting.body, meeting.starts_at)
    already = NoticeGiven.objects.filter(meeting=meeting).count()
    pending = list(
        entitled.exclude(pk__in=NoticeGiven.objects.filter(meeting=meeting).values("person_id")).values_list(
            "pk", flat=True
        )
    )
    by_email = contact_permitted_many(person_ids=pending, purpose="governance", channel="email")
    by_post = sum(1 for pk in pending if not by_email.get(pk, (False, ""))[0])
    late = meeting.notice_is_late or (
        meeting.notice_due_by is not None and timezone.now() > meeting.notice_due_by
    )
    return NoticePreview(len(pending), already, late, by_post)
