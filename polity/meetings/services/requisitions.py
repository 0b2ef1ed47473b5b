"""A requisition: members of a body oblige its secretary to call a (special) meeting.

Signed by at least `meetings.requisition_signatures` people entitled to attend, it opens a deadline owned by
the body's unit: the secretary calls the meeting within `meetings.requisition_call_within`. A missed deadline
escalates to the unit above, whose officers may then call it (see `meeting_call`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.deadlines.services import deadline_open, deadlines_meet_for
from polity.meetings.entitlement import entitled_people
from polity.meetings.gate import require_body
from polity.meetings.models import Meeting, Requisition
from polity.meetings.rules import REQUISITION_CALL, REQUISITION_SIGNATURES, MeetingRefused
from polity.meetings.services.common import actor_person_id
from polity.members.models import Person
from polity.org.models import Body
from polity.rulebook.loader import get_rulebook

SOURCE = "meetings.requisition"


def requisition_submit(*, actor: Actor, body: Body, purpose: str, signatories: list[Person]) -> Requisition:
    require_body(actor, body)
    mover = actor_person_id(actor)
    now = timezone.now()
    if not purpose.strip():
        raise InvalidInput("purpose: say what the meeting is to decide")
    ids = {mover, *(p.pk for p in signatories)}
    entitled = set(entitled_people(body, now).filter(pk__in=ids).values_list("pk", flat=True))
    if mover not in entitled:
        raise MeetingRefused("not_entitled", f"only members of {body.name} requisition its meetings")
    needed = get_rulebook().number(REQUISITION_SIGNATURES)
    if len(entitled) < needed:
        raise MeetingRefused(
            "requisition",
            f"a requisition of {body.name} needs {needed} signatures of its members; "
            f"{len(entitled)} of those given are members",
        )
    with transaction.atomic():
        deadline = deadline_open(
            actor=actor,
            rule_key=REQUISITION_CALL,
            start=now,
            owner_unit=body.unit,
            subject_type=SOURCE,
            subject_id=f"{body.pk}:{now.timestamp():.0f}",
            title=f"Call the meeting {body.name}'s members requisitioned",
        )
        requisition = Requisition.objects.create(
            body=body,
            purpose=purpose.strip(),
            submitted_at=now,
            call_by=deadline.due_at,
            deadline_id=deadline.pk,
            created_by_label=actor.label,
        )
        requisition.signatories.set(sorted(entitled))
        deadline.subject_id = str(requisition.pk)
        deadline.save(update_fields=["subject_id"])
        audit_record(
            actor=actor,
            verb="meetings.requisition_submit",
            purpose="governance",
            object_type=SOURCE,
            object_id=requisition.pk,
            data={"body": body.pk, "signatures": len(entitled)},
        )
    return requisition


def requisition_fulfil(*, actor: Actor, requisition: Requisition, meeting: Meeting) -> Requisition:
    """(called by meeting_call) The requisitioned meeting is called: its deadline is met."""
    if meeting.body_id != requisition.body_id:
        raise InvalidInput("requisition: it is for another body")
    if requisition.meeting_id is not None:
        raise MeetingRefused("requisition", "this requisition's meeting was already called")
    requisition.meeting = meeting
    requisition.save(update_fields=["meeting"])
    deadlines_meet_for(actor=actor, subject_type=SOURCE, subject_id=requisition.pk, rule_key=REQUISITION_CALL)
    return requisition
