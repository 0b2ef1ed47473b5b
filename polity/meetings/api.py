"""/api/v1/meetings: bodies, meetings, notice, attendance, motions, votes, minutes, motions sent to other
bodies, requisitions of a special meeting by the body's members. The same services as the web, so the same permissions. Refusals of a meeting rule answer 409 with
`{"detail": words, "rule": code}` (late_notice, inquorate, not_entitled, motion_deadline, ...).
People are named by membership number (or id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut
from polity.common.actor import Actor
from polity.meetings import selectors as sel
from polity.meetings.models import Meeting, Minutes, Motion, Referral, Requisition
from polity.meetings.services import attendance as att
from polity.meetings.services import business as biz
from polity.meetings.services import meetings as mtg
from polity.meetings.services import minutes as mins
from polity.meetings.services import referrals as refs
from polity.meetings.services import requisitions as reqs
from polity.members.models import Person
from polity.members.picker import person_resolve

router = Router(tags=["meetings"])


class RefusalOut(Schema):
    detail: str
    rule: str | None = None


ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: RefusalOut, 422: ErrorOut}


class BodyOut(Schema):
    id: int
    name: str
    kind: str
    unit: int
    unit_name: str


class MeetingIn(Schema):
    body: int
    title: str
    starts_at: datetime
    place: str
    kind: str = "ordinary"
    online_link: str = ""
    agenda: str = ""


class MeetingOut(Schema):
    id: int
    body: int
    kind: str
    title: str
    starts_at: datetime
    place: str
    online_link: str
    agenda: str
    state: str
    notice_due_by: datetime | None
    notice_rule: str
    notice_sent_at: datetime | None
    notice_late: bool
    notice_valid: bool
    waived_by: str
    entitled: int | None
    quorum: int | None
    present: int
    quorate: bool


class PersonIn(Schema):
    person: str  # a membership number, or a name only one person in scope has
    presence: str = "present"


class MotionIn(Schema):
    title: str
    text: str
    seconder: str
    amends: int | None = None
    emergency: bool = False


class MotionOut(Schema):
    id: int
    meeting: int
    number: int
    title: str
    text: str
    amends: int | None
    emergency: bool
    ruling: str
    state: str
    method: str
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None


class CountsIn(Schema):
    votes_for: int
    against: int
    abstain: int = 0


class MethodIn(Schema):
    method: str


class ChoiceIn(Schema):
    choice: str


class RulingIn(Schema):
    admit: bool
    ruling: str


class TextIn(Schema):
    text: str


class ApproveIn(Schema):
    at_meeting: int
    corrected_text: str = ""


class MinutesOut(Schema):
    id: int
    meeting: int
    version: int
    state: str
    text: str


class ReferIn(Schema):
    to_body: int
    emergency: bool = False


class ReferralOut(Schema):
    id: int
    motion: int
    from_body: int
    to_body: int
    emergency: bool
    state: str
    sent_at: datetime
    acknowledge_by: datetime | None
    answer_by: datetime | None
    answer: str
    answered_late: bool


class ReasonIn(Schema):
    reason: str


class RequisitionIn(Schema):
    purpose: str  # what the meeting is to decide


class PaperRequisitionIn(Schema):
    purpose: str
    signatories: list[str]  # membership numbers (or names only one person in scope has); the mover counts too


class RequisitionOut(Schema):
    id: int
    body: int
    purpose: str
    started_at: datetime
    signatures: int
    needed: int
    signed_by_me: bool
    submitted_at: datetime | None
    call_by: datetime | None
    deadline_state: str  # "" until submitted; then open, met, missed or escalated
    escalated_to: str
    meeting: int | None


def body_out(body: Any) -> dict[str, Any]:
    return {
        "id": body.pk,
        "name": body.name,
        "kind": body.kind,
        "unit": body.unit_id,
        "unit_name": body.unit.name,
    }


def meeting_out(m: Meeting) -> dict[str, Any]:
    q = sel.quorum_now(m)
    return {
        "id": m.pk,
        "body": m.body_id,
        "kind": m.kind,
        "title": m.title,
        "starts_at": m.starts_at,
        "place": m.place,
        "online_link": m.online_link,
        "agenda": m.agenda,
        "state": m.state,
        "notice_due_by": m.notice_due_by,
        "notice_rule": m.notice_rule,
        "notice_sent_at": m.notice_sent_at,
        "notice_late": m.notice_is_late,
        "notice_valid": m.notice_is_valid,
        "waived_by": m.waived_by_label,
        "entitled": m.entitled_count,
        "quorum": m.quorum,
        "present": q.present,
        "quorate": q.is_quorate,
    }


def motion_out(m: Motion) -> dict[str, Any]:
    return {
        "id": m.pk,
        "meeting": m.meeting_id,
        "number": m.number,
        "title": m.title,
        "text": m.text,
        "amends": m.amends_id,
        "emergency": m.is_emergency,
        "ruling": m.ruling,
        "state": m.state,
        "method": m.method,
        "votes_for": m.votes_for,
        "votes_against": m.votes_against,
        "abstentions": m.abstentions,
    }


def minutes_out(m: Minutes) -> dict[str, Any]:
    return {"id": m.pk, "meeting": m.meeting_id, "version": m.version, "state": m.state, "text": m.text}


def referral_out(r: Referral) -> dict[str, Any]:
    d = sel.deadlines_of(r)
    ack, resp = d["acknowledgement"], d["response"]
    return {
        "id": r.pk,
        "motion": r.motion_id,
        "from_body": r.from_body_id,
        "to_body": r.to_body_id,
        "emergency": r.is_emergency,
        "state": r.state,
        "sent_at": r.sent_at,
        "acknowledge_by": getattr(ack, "due_at", None),
        "answer_by": getattr(resp, "due_at", None),
        "answer": r.answer,
        "answered_late": r.answered_late,
    }


def requisition_out(row: sel.RequisitionRow) -> dict[str, Any]:
    r = row.requisition
    return {
        "id": r.pk,
        "body": r.body_id,
        "purpose": r.purpose,
        "started_at": r.started_at,
        "signatures": row.signatures,
        "needed": row.needed,
        "signed_by_me": row.signed_by_me,
        "submitted_at": r.submitted_at,
        "call_by": r.call_by,
        "deadline_state": row.deadline_state,
        "escalated_to": row.escalated_to,
        "meeting": r.meeting_id,
    }


def _requisition(actor: Actor, requisition: Requisition) -> dict[str, Any]:
    """One requisition as the body's page counts it (signatures, the secretary's deadline)."""
    return requisition_out(sel.requisition_row(actor=actor, requisition=requisition))


def _person(actor: Actor, text: str) -> Person:
    return person_resolve(actor=actor, text=text, scope="meetings", channel="api")


@router.get("/bodies", response={200: list[BodyOut]}, summary="Bodies I may see")
def bodies(request: HttpRequest) -> list[dict[str, Any]]:
    return [body_out(b) for b in sel.bodies_visible(actor=actor_of(request))]


@router.get(
    "/bodies/{int:body_id}/meetings", response={200: list[MeetingOut], **ERRORS}, summary="A body's meetings"
)
def body_meetings(request: HttpRequest, body_id: int) -> list[dict[str, Any]]:
    actor = actor_of(request)
    return [
        meeting_out(m)
        for m in sel.meetings_of_body(actor=actor, body=sel.body_get(actor=actor, body_id=body_id))
    ]


@router.get(
    "/bodies/{int:body_id}/referrals",
    response={200: dict[str, list[ReferralOut]], **ERRORS},
    summary="Motions a body sent and received, with their deadlines",
)
def body_referrals(request: HttpRequest, body_id: int) -> dict[str, list[dict[str, Any]]]:
    actor = actor_of(request)
    sent, received = sel.referrals_for_body(actor=actor, body=sel.body_get(actor=actor, body_id=body_id))
    return {"sent": [referral_out(r) for r in sent], "received": [referral_out(r) for r in received]}


@router.get(
    "/bodies/{int:body_id}/requisitions",
    response={200: list[RequisitionOut], **ERRORS},
    summary="A body's requisitions, with signatures counted and the secretary's deadline",
)
def body_requisitions(request: HttpRequest, body_id: int) -> list[dict[str, Any]]:
    actor = actor_of(request)
    rows = sel.requisitions_for_body(actor=actor, body=sel.body_get(actor=actor, body_id=body_id))
    return [requisition_out(row) for row in rows]


@router.post(
    "/bodies/{int:body_id}/requisitions",
    response={201: RequisitionOut, **ERRORS},
    summary="Start a requisition of a special meeting (a member of the body; it carries my signature)",
)
def requisition_start(request: HttpRequest, body_id: int, payload: RequisitionIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    body = sel.body_get(actor=actor, body_id=body_id)
    requisition = reqs.requisition_start(actor=actor, body=body, purpose=payload.purpose)
    return Status(201, _requisition(actor, requisition))


@router.post(
    "/bodies/{int:body_id}/requisitions/signed",
    response={201: RequisitionOut, **ERRORS},
    summary="Hand in a requisition signed on paper (a member of the body, with its signatories)",
)
def requisition_submit(
    request: HttpRequest, body_id: int, payload: PaperRequisitionIn
) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    body = sel.body_get(actor=actor, body_id=body_id)
    signatories = [_person(actor, text) for text in payload.signatories]
    requisition = reqs.requisition_submit(
        actor=actor, body=body, purpose=payload.purpose, signatories=signatories
    )
    return Status(201, _requisition(actor, requisition))


@router.post(
    "/requisitions/{int:requisition_id}/sign",
    response={200: RequisitionOut, **ERRORS},
    summary="Sign a requisition (a member of the body, once)",
)
def requisition_sign(request: HttpRequest, requisition_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    found = sel.requisition_get(actor=actor, requisition_id=requisition_id)
    return _requisition(actor, reqs.requisition_sign(actor=actor, requisition=found))


@router.post(
    "", response={201: MeetingOut, **ERRORS}, summary="Call a meeting (its notice deadline is computed)"
)
def meetings_create(request: HttpRequest, payload: MeetingIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    from polity.comms.selectors import body_by_id

    meeting = mtg.meeting_call(
        actor=actor,
        body=body_by_id(payload.body),
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        place=payload.place,
        online_link=payload.online_link,
        agenda=payload.agenda,
    )
    return Status(201, meeting_out(meeting))


@router.get("/mine", response={200: list[MeetingOut]}, summary="Meetings I may attend")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [meeting_out(m) for m in sel.my_meetings(actor=actor_of(request))]


@router.get(
    "/{int:meeting_id}", response={200: MeetingOut, **ERRORS}, summary="A meeting, its notice and quorum"
)
def meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return meeting_out(sel.meeting_get(actor=actor_of(request), meeting_id=meeting_id))


def _act(request: HttpRequest, meeting_id: int, fn: Any, **kw: Any) -> dict[str, Any]:
    actor = actor_of(request)
    meeting = sel.meeting_get(actor=actor, meeting_id=meeting_id)
    fn(actor=actor, meeting=meeting, **kw)
    return meeting_out(sel.meeting_get(actor=actor, meeting_id=meeting_id))


@router.post("/{int:meeting_id}/notice", response={200: MeetingOut, **ERRORS}, summary="Send the notice")
def notice(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _act(request, meeting_id, mtg.meeting_notice_send)


@router.post("/{int:meeting_id}/open", response={200: MeetingOut, **ERRORS}, summary="Open the meeting")
def open_(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _act(request, meeting_id, mtg.meeting_open)


@router.post("/{int:meeting_id}/waive", response={200: MeetingOut, **ERRORS}, summary="Waive late notice")
def waive(request: HttpRequest, meeting_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _act(request, meeting_id, mtg.meeting_waive_late_notice, reason=payload.reason)


@router.post("/{int:meeting_id}/close", response={200: MeetingOut, **ERRORS}, summary="Close the meeting")
def close(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _act(request, meeting_id, mtg.meeting_close)


@router.post("/{int:meeting_id}/cancel", response={200: MeetingOut, **ERRORS}, summary="Cancel the meeting")
def cancel(request: HttpRequest, meeting_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _act(request, meeting_id, mtg.meeting_cancel, reason=payload.reason)


@router.post(
    "/{int:meeting_id}/attendance", response={200: MeetingOut, **ERRORS}, summary="Record attendance"
)
def attendance(request: HttpRequest, meeting_id: int, payload: PersonIn) -> dict[str, Any]:
    actor = actor_of(request)
    meeting = sel.meeting_get(actor=actor, meeting_id=meeting_id)
    att.attendance_record(
        actor=actor, meeting=meeting, person=_person(actor, payload.person), presence=payload.presence
    )
    return meeting_out(meeting)


@router.post("/{int:meeting_id}/sign-in", response={200: MeetingOut, **ERRORS}, summary="Sign myself in")
def sign_in(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _act(request, meeting_id, att.attendance_sign_in)


@router.get(
    "/{int:meeting_id}/motions", response={200: list[MotionOut], **ERRORS}, summary="Motions of a meeting"
)
def motions(request: HttpRequest, meeting_id: int) -> list[dict[str, Any]]:
    meeting = sel.meeting_get(actor=actor_of(request), meeting_id=meeting_id)
    return [motion_out(m) for m in meeting.motions.all()]


@router.post("/{int:meeting_id}/motions", response={201: MotionOut, **ERRORS}, summary="Submit a motion")
def motion_submit(request: HttpRequest, meeting_id: int, payload: MotionIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    meeting = sel.meeting_get(actor=actor, meeting_id=meeting_id)
    amends = sel.motion_get(actor=actor, motion_id=payload.amends) if payload.amends else None
    motion = biz.motion_submit(
        actor=actor,
        meeting=meeting,
        title=payload.title,
        text=payload.text,
        seconder=_person(actor, payload.seconder),
        amends=amends,
        is_emergency=payload.emergency,
    )
    return Status(201, motion_out(motion))


@router.post(
    "/motions/{int:motion_id}/ruling", response={200: MotionOut, **ERRORS}, summary="The chair's ruling"
)
def ruling(request: HttpRequest, motion_id: int, payload: RulingIn) -> dict[str, Any]:
    actor = actor_of(request)
    motion = sel.motion_get(actor=actor, motion_id=motion_id)
    return motion_out(biz.motion_rule(actor=actor, motion=motion, admit=payload.admit, ruling=payload.ruling))


@router.post("/motions/{int:motion_id}/counts", response={200: MotionOut, **ERRORS}, summary="Record counts")
def counts(request: HttpRequest, motion_id: int, payload: CountsIn) -> dict[str, Any]:
    actor = actor_of(request)
    motion = sel.motion_get(actor=actor, motion_id=motion_id)
    return motion_out(
        biz.motion_vote_counts(
            actor=actor,
            motion=motion,
            votes_for=payload.votes_for,
            against=payload.against,
            abstain=payload.abstain,
        )
    )


@router.post("/motions/{int:motion_id}/vote/open", response={200: MotionOut, **ERRORS}, summary="Open a vote")
def vote_open(request: HttpRequest, motion_id: int, payload: MethodIn) -> dict[str, Any]:
    actor = actor_of(request)
    motion = sel.motion_get(actor=actor, motion_id=motion_id)
    return motion_out(biz.motion_vote_open(actor=actor, motion=motion, method=payload.method))


@router.post("/motions/{int:motion_id}/vote", response={204: None, **ERRORS}, summary="Cast my vote")
def vote(request: HttpRequest, motion_id: int, payload: ChoiceIn) -> Status[None]:
    actor = actor_of(request)
    biz.vote_cast(actor=actor, motion=sel.motion_get(actor=actor, motion_id=motion_id), choice=payload.choice)
    return Status(204, None)


@router.post(
    "/motions/{int:motion_id}/vote/close", response={200: MotionOut, **ERRORS}, summary="Close a vote"
)
def vote_close(request: HttpRequest, motion_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    return motion_out(
        biz.motion_vote_close(actor=actor, motion=sel.motion_get(actor=actor, motion_id=motion_id))
    )


@router.post(
    "/motions/{int:motion_id}/refer",
    response={201: ReferralOut, **ERRORS},
    summary="Send a carried motion to another body",
)
def refer(request: HttpRequest, motion_id: int, payload: ReferIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    motion = sel.motion_get(actor=actor, motion_id=motion_id)
    to_body = sel.body_get(actor=actor, body_id=payload.to_body)
    referral = refs.motion_refer(actor=actor, motion=motion, to_body=to_body, is_emergency=payload.emergency)
    return Status(201, referral_out(referral))


@router.post(
    "/referrals/{int:referral_id}/acknowledge",
    response={200: ReferralOut, **ERRORS},
    summary="Acknowledge a motion sent to my body",
)
def acknowledge(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    referral = sel.referral_get(actor=actor, referral_id=referral_id)
    return referral_out(refs.referral_acknowledge(actor=actor, referral=referral))


@router.post(
    "/referrals/{int:referral_id}/answer",
    response={200: ReferralOut, **ERRORS},
    summary="Answer a motion sent to my body",
)
def answer(request: HttpRequest, referral_id: int, payload: TextIn) -> dict[str, Any]:
    actor = actor_of(request)
    referral = sel.referral_get(actor=actor, referral_id=referral_id)
    return referral_out(refs.referral_answer(actor=actor, referral=referral, answer=payload.text))


@router.post("/{int:meeting_id}/minutes", response={201: MinutesOut, **ERRORS}, summary="Write a draft")
def minutes_draft(request: HttpRequest, meeting_id: int, payload: TextIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    meeting = sel.meeting_get(actor=actor, meeting_id=meeting_id)
    return Status(201, minutes_out(mins.minutes_draft(actor=actor, meeting=meeting, text=payload.text)))


@router.post("/minutes/{int:minutes_id}/circulate", response={200: MinutesOut, **ERRORS}, summary="Circulate")
def minutes_circulate(request: HttpRequest, minutes_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    return minutes_out(
        mins.minutes_circulate(actor=actor, minutes=sel.minutes_get(actor=actor, minutes_id=minutes_id))
    )


@router.post("/minutes/{int:minutes_id}/approve", response={200: MinutesOut, **ERRORS}, summary="Approve")
def minutes_approve(request: HttpRequest, minutes_id: int, payload: ApproveIn) -> dict[str, Any]:
    actor = actor_of(request)
    minutes = sel.minutes_get(actor=actor, minutes_id=minutes_id)
    at = sel.meeting_get(actor=actor, meeting_id=payload.at_meeting)
    return minutes_out(
        mins.minutes_approve(
            actor=actor, minutes=minutes, at_meeting=at, corrected_text=payload.corrected_text
        )
    )


@router.post("/minutes/{int:minutes_id}/publish", response={200: MinutesOut, **ERRORS}, summary="Publish")
def minutes_publish(request: HttpRequest, minutes_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    return minutes_out(
        mins.minutes_publish(actor=actor, minutes=sel.minutes_get(actor=actor, minutes_id=minutes_id))
    )
