"""Helpers shared by the case services: deadlines of a case, the state change, the audit record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Min

from polity.audit.services import audit_record
from polity.cases.models import PARTY_ROLES, Case, Participant
from polity.cases.workflow import Action
from polity.common.actor import Actor
from polity.deadlines.models import PENDING_STATES, Deadline
from polity.deadlines.services import deadline_open, deadlines_meet_for
from polity.members.models import Person
from polity.org.models import Unit

SUBJECT = "case"

# Which stage timestamp a state sets when the case enters it (statistics read these).
STAMPS = {
    "acknowledged": "acknowledged_at",
    "triaged": "triaged_at",
    "investigation": "investigation_at",
    "notice_sent": "notice_sent_at",
    "decided": "decided_at",
    "communicated": "communicated_at",
    "appeal": "appealed_at",
    "appeal_decided": "appeal_decided_at",
    "closed": "closed_at",
}


def handling_unit(unit: Unit) -> Unit:
    """The unit whose case team handles a case about someone in `unit`: the one at the second level."""
    if unit.depth <= 1:
        return unit
    region_pk = int(unit.path.split(".")[1])
    return Unit.objects.get(pk=region_pk)


def party_ids(case: Case, *roles: str) -> list[int]:
    wanted = list(roles) or list(PARTY_ROLES)
    return list(
        Participant.objects.filter(case=case, role__in=wanted).values_list("person_id", flat=True).distinct()
    )


def people(ids: list[int]) -> list[Person]:
    return list(Person.objects.filter(pk__in=ids).order_by("pk"))


def open_deadline(
    actor: Actor, case: Case, rule_key: str, start: datetime, title: str, owner_person: Person | None = None
) -> Deadline:
    return deadline_open(
        actor=actor,
        rule_key=rule_key,
        start=start,
        owner_unit=case.unit,
        owner_person=owner_person,
        subject_type=SUBJECT,
        subject_id=case.pk,
        title=f"{case.reference}: {title}",
    )


def meet(actor: Actor, case: Case, rule_key: str) -> None:
    deadlines_meet_for(actor=actor, subject_type=SUBJECT, subject_id=case.pk, rule_key=rule_key)


def refresh_next_due(case: Case) -> None:
    """The soonest pending deadline of the case, kept on the case for the team's queue."""
    row = Deadline.objects.filter(
        subject_type=SUBJECT, subject_id=str(case.pk), state__in=PENDING_STATES
    ).aggregate(due=Min("due_at"))
    case.next_due_at = row["due"]


def move(case: Case, action: Action, at: datetime) -> None:
    """Apply the transition table's target state and stamp the stage."""
    if action.target is not None and action.target != case.state:
        case.state = action.target
        stamp = STAMPS.get(action.target)
        if stamp and getattr(case, stamp) is None:
            setattr(case, stamp, at)


def record(
    actor: Actor, case: Case, verb: str, data: dict[str, Any] | None = None, purpose: str = "case"
) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        subjects=party_ids(case),
        purpose=purpose,
        object_type="case",
        object_id=case.pk,
        data={"ref": case.reference, "state": case.state, **(data or {})},
    )


def save(case: Case) -> None:
    refresh_next_due(case)
    case.save()
