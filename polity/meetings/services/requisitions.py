"""A requisition: members of a body oblige its secretary to call a (special) meeting.

A member of the body starts one (`requisition_start`) and others sign it themselves (`requisition_sign`); a
member may also hand in one already signed on paper (`requisition_submit`, with its signatories). Once it
carries `meetings.requisition_signatures` signatures of people entitled to attend, it is submitted: a deadline
owned by the body's unit opens, and the secretary calls the meeting within `meetings.requisition_call_within`.
A missed deadline escalates to the unit above, whose officers then call it (see `meeting_call`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.deadlines.services import deadline_open, deadlines_meet_for
from polity.meetings.entitlement import entitled_people, is_entitled
from polity.meetings.gate import require_body
from polity.meetings.models import Meeting, Requisition
from polity.meetings.rules import REQUISITION_CALL, REQUISITION_SIGNATURES, MeetingRefused
from polity.meetings.services.common import actor_person_id
from polity.members.models import Person
from polity.org.models import Body
from polity.rulebook.loader import get_rulebook

SOURCE = "meetings.requisition"


def _audit(actor: Actor, verb: str, requisition: Requisition, **data: object) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        purpose="governance",
        object_type=SOURCE,
        object_id=requisition.pk,
        data={"body": requisition.body_id, **data},
    )


def _require_member(actor: Actor, body: Body, now: datetime) -> int:
    require_body(actor, body)
    person_id = actor_person_id(actor)
    if not is_entitled(body, person_id, now):
        raise MeetingRefused(
            "not_entitled",
            f"only members of {body.name} (seated and in good standing) requisition its meetings",
        )
    return person_id


def _submit(actor: Actor, requisition: Requisition, now: datetime) -> None:
    """Enough signatures: the secretary's deadline to call the meeting opens, owned by the body's unit."""
    deadline = deadline_open(
        actor=actor,
        rule_key=REQUISITION_CALL,
        start=now,
        owner_unit=requisition.body.unit,
        subject_type=SOURCE,
        subject_id=requisition.pk,
        title=f"Call the meeting {requisition.body.name}'s members requisitioned"[:200],
    )
    requisition.submitted_at, requisition.call_by, requisition.deadline_id = now, deadline.due_at, deadline.pk
    requisition.save(update_fields=["submitted_at", "call_by", "deadline_id"])


def requisition_submit(*, actor: Actor, body: Body, purpose: str, signatories: list[Person]) -> Requisition:
    """A requisition handed in already signed (on paper): it counts the signatories entitled to attend."""
    now = timezone.now()
    mover = _require_member(actor, body, now)
    if not purpose.strip():
        raise InvalidInput("purpose: say what the meeting is to decide")
    ids = {mover, *(p.pk for p in signatories)}
    entitled = set(entitled_people(body, now).filter(pk__in=ids).values_list("pk", flat=True))
    needed = get_rulebook().number(REQUISITION_SIGNATURES)
    if len(entitled) < needed:
        raise MeetingRefused(
            "requisition",
            f"a requisition of {body.name} needs {needed} signatures of its members; "
            f"{len(entitled)} of those given are members",
        )
    with transaction.atomic():
        requisition = Requisition.objects.create(
            body=body, purpose=purpose.strip(), started_at=now, created_by_label=actor.label
        )
        requisition.signatories.set(sorted(entitled))
        _submit(actor, requisition, now)
        _audit(actor, "meetings.requisition_submit", requisition, signatures=len(entitled))
    return requisition


def requisition_start(*, actor: Actor, body: Body, purpose: str) -> Requisition:
    """A member of the body starts a requisition, signing it first; others sign it from the body's page."""
    now = timezone.now()
    person_id = _require_member(actor, body, now)
    if not purpose.strip():
        raise InvalidInput("purpose: say what the meeting is to decide")
    with transaction.atomic():
        requisition = Requisition.objects.create(
            body=body, purpose=purpose.strip(), started_at=now, created_by_label=actor.label
        )
        requisition.signatories.add(person_id)
        if get_rulebook().number(REQUISITION_SIGNATURES) <= 1:
            _submit(actor, requisition, now)
        _audit(actor, "meetings.requisition_start", requisition)
    return requisition


def requisition_sign(*, actor: Actor, requisition: Requisition) -> Requisition:
    """A member of the body adds their own signature, once; the one that reaches the rulebook's number submits
    it. Signing goes on after that (the list is the members' record), with no second deadline."""
    now = timezone.now()
    person_id = _require_member(actor, requisition.body, now)
    with transaction.atomic():
        requisition = (
            Requisition.objects.select_for_update().select_related("body__unit").get(pk=requisition.pk)
        )
        if requisition.meeting_id is not None:
            raise MeetingRefused("requisition", "the requisitioned meeting is already called")
        if requisition.signatories.filter(pk=person_id).exists():
            raise MeetingRefused("requisition", "you have already signed this requisition")
        requisition.signatories.add(person_id)
        count = requisition.signatories.count()
        if requisition.submitted_at is None and count >= get_rulebook().number(REQUISITION_SIGNATURES):
            _submit(actor, requisition, now)
        _audit(actor, "meetings.requisition_sign", requisition, signatures=count)
    return requisition


def requisition_fulfil(*, actor: Actor, requisition: Requisition, meeting: Meeting) -> Requisition:
    """(called by meeting_call) The requisitioned meeting is called: its deadline is met."""
    if meeting.body_id != requisition.body_id:
        raise InvalidInput("requisition: it is for another body")
    if requisition.submitted_at is None:
        raise MeetingRefused("requisition", "this requisition does not have enough signatures yet")
    if requisition.meeting_id is not None:
        raise MeetingRefused("requisition", "this requisition's meeting was already called")
    requisition.meeting = meeting
    requisition.save(update_fields=["meeting"])
    deadlines_meet_for(actor=actor, subject_type=SOURCE, subject_id=requisition.pk, rule_key=REQUISITION_CALL)
    return requisition
