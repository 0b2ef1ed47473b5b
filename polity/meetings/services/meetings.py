"""Calling a meeting, giving notice, opening and closing it, waiving late notice, cancelling.

State machine (TRANSITIONS): called → noticed → open → closed; called or noticed → cancelled.
Notice validity (DESIGN invariant 7): notice must be queued to everyone entitled no later than
`notice_due_by` (the start less the rulebook's notice period). A send after that, or someone entitled at
the opening who was never sent notice, marks the notice late: the meeting is invalid before it happens and
its business is refused unless late notice is waived under the rulebook's rule, recorded with who waived it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.deadlines.services import deadline_open
from polity.meetings.entitlement import entitled_people
from polity.meetings.gate import holds_office, may_manage, require_body, require_manage
from polity.meetings.models import AgendaItem, CalledBy, Meeting, NoticeGiven, Requisition, State
from polity.meetings.rules import (
    MINUTES_CIRCULATION,
    MeetingRefused,
    kind_of,
    notice_for,
    quorum_for,
    waiver_needs,
)
from polity.meetings.services.common import present_count
from polity.org.models import Body

SOURCE = "meetings.meeting"
TRANSITIONS: dict[str, frozenset[str]] = {
    State.CALLED: frozenset({State.NOTICED, State.CANCELLED}),
    State.NOTICED: frozenset({State.OPEN, State.CANCELLED}),
    State.OPEN: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
    State.CANCELLED: frozenset(),
}


def _move(meeting: Meeting, to: str) -> None:
    if to not in TRANSITIONS[meeting.state]:
        raise MeetingRefused(
            "state", f"{meeting.title} is {meeting.get_state_display().lower()}: it cannot be {to} now"
        )
    meeting.state = to


def _audit(actor: Actor, verb: str, meeting: Meeting, **data: object) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        purpose="governance",
        object_type=SOURCE,
        object_id=meeting.pk,
        data=dict(data),
    )


def meeting_call(
    *,
    actor: Actor,
    body: Body,
    kind: str = "ordinary",
    title: str,
    starts_at: datetime,
    place: str,
    online_link: str = "",
    agenda: list[str] | str = "",
    called_how: str = CalledBy.OFFICE,
    requisition: Requisition | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Call a meeting of a body. The callers are the offices the rulebook names for the kind in the body's
    unit, and whoever runs meetings from the unit above (the region for a constituency's bodies); the notice
    deadline is computed now from the rulebook and kept with the rule's source."""
    now = now or timezone.now()
    meeting_kind = kind_of(kind)
    callers = tuple(c for c in meeting_kind.callers if c != "requisition")
    if requisition is not None and "requisition" not in meeting_kind.callers:
        raise MeetingRefused("requisition", f"a {meeting_kind.label.lower()} is not called on a requisition")
    above = body.unit.parent
    from_above = (
        above is not None and may_manage(actor, body) and has_perm(actor, Perm.MEETINGS_MANAGE, above)
    )
    if not (actor.is_system or holds_office(actor, body, callers, now) or from_above):
        require_body(actor, body)
        raise MeetingRefused(
            "caller",
            f"a {meeting_kind.label.lower()} of {body.name} is called by the "
            f"{' or '.join(get_labels(callers))} of {body.unit.name}",
        )
    if starts_at <= now:
        raise InvalidInput("starts_at: a meeting is called for a time still to come")
    if not title.strip() or not place.strip():
        raise InvalidInput("title and place: the notice needs both")
    items = [
        line.strip() for line in (agenda.splitlines() if isinstance(agenda, str) else agenda) if line.strip()
    ]
    notice = notice_for(body, kind)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            body=body,
            kind=kind,
            title=title.strip()[:200],
            starts_at=starts_at,
            place=place.strip()[:300],
            online_link=online_link.strip(),
            agenda="\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1)),
            called_how=CalledBy.REQUISITION if requisition is not None else called_how,
            created_by_label=actor.label,
            created_at=now,
            notice_due_by=notice.due_by(starts_at),
            notice_rule=notice.words(),
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, position=n, title=item[:200]) for n, item in enumerate(items, start=1)
        )
        if meeting.notice_due_by is not None and meeting.notice_due_by < now:
            # Called too late to give the notice the rule asks: invalid from the start (unless waived).
            meeting.notice_late_at = now
            meeting.save(update_fields=["notice_late_at"])
        if requisition is not None:
            from polity.meetings.services.requisitions import requisition_fulfil

            requisition_fulfil(actor=actor, requisition=requisition, meeting=meeting)
        _audit(
            actor, "meetings.meeting_call", meeting, body=body.pk, kind=kind, starts_at=starts_at.isoformat()
        )
    return meeting


def get_labels(offices: tuple[str, ...]) -> list[str]:
    from polity.rulebook.loader import get_rulebook

    rulebook = get_rulebook()
    return [rulebook.offices[o].label.lower() if o in rulebook.offices else o for o in offices]


def meeting_notice_send(*, actor: Actor, meeting: Meeting, now: datetime | None = None) -> int:
    """Queue the notice (the agenda, place and link: by email with an .ics file, or by post to those without
    an email address) to everyone entitled on the meeting's date who was not yet sent it. Returns how many
    were queued now. Late if past due."""
    require_manage(actor, meeting.body)
    now = now or timezone.now()
    if meeting.state not in (State.CALLED, State.NOTICED):
        raise MeetingRefused(
            "state", f"{meeting.title} is {meeting.get_state_display().lower()}: no notice now"
        )
    if meeting.starts_at <= now:
        raise MeetingRefused("state", f"{meeting.title} has started: notice can no longer be given")
    from polity.comms.automations import meeting_notice_messages

    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body__unit").get(pk=meeting.pk)
        ids = list(
            entitled_people(meeting.body, meeting.starts_at)
            .exclude(pk__in=NoticeGiven.objects.filter(meeting=meeting).values("person_id"))
            .values_list("pk", flat=True)
        )
        dispatches = meeting_notice_messages(actor=actor, meeting=meeting, person_ids=ids) if ids else {}
        NoticeGiven.objects.bulk_create(
            NoticeGiven(meeting=meeting, person_id=pk, queued_at=now, dispatch_id=dispatches.get(pk))
            for pk in ids
        )
        fields = ["state"]
        if meeting.notice_sent_at is None:
            meeting.notice_sent_at = now
            fields.append("notice_sent_at")
        if (
            ids
            and meeting.notice_due_by is not None
            and now > meeting.notice_due_by
            and meeting.notice_late_at is None
        ):
            meeting.notice_late_at = now
            fields.append("notice_late_at")
        if meeting.state == State.CALLED:
            _move(meeting, State.NOTICED)
        meeting.save(update_fields=fields)
        _audit(
            actor, "meetings.meeting_notice_send", meeting, recipients=len(ids), late=meeting.notice_is_late
        )
    return len(ids)


def meeting_open(*, actor: Actor, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """Open the meeting: fix who is entitled and the quorum from them; anyone entitled who was never sent
    notice makes the notice late (invariant 7 holds for every member of the body)."""
    require_manage(actor, meeting.body)
    now = now or timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body__unit").get(pk=meeting.pk)
        _move(meeting, State.OPEN)
        entitled = entitled_people(meeting.body, meeting.starts_at)
        meeting.entitled_count = entitled.count()
        meeting.quorum = quorum_for(meeting.body, meeting.entitled_count)
        missed = entitled.exclude(
            pk__in=NoticeGiven.objects.filter(meeting=meeting).values("person_id")
        ).count()
        if missed and meeting.notice_late_at is None:
            meeting.notice_late_at = now
        meeting.opened_at = now
        meeting.save(update_fields=["state", "entitled_count", "quorum", "notice_late_at", "opened_at"])
        _audit(
            actor,
            "meetings.meeting_open",
            meeting,
            entitled=meeting.entitled_count,
            quorum=meeting.quorum,
            without_notice=missed,
        )
    return meeting


def meeting_waive_late_notice(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    """Waive late notice, where the rulebook lets this kind of meeting do so, with enough of those entitled
    present (`meetings.waiver_percent`). Recorded with who waived it and why."""
    require_manage(actor, meeting.body)
    kind = kind_of(meeting.kind)
    if meeting.state != State.OPEN:
        raise MeetingRefused("not_in_session", "late notice is waived at the meeting, once it is open")
    if not meeting.notice_is_late and meeting.notice_sent_at is not None:
        raise InvalidInput("the notice was on time: there is nothing to waive")
    if not kind.waivable:
        raise MeetingRefused(
            "waiver", f"the rulebook does not let late notice of an {kind.label.lower()} be waived"
        )
    if not reason.strip():
        raise InvalidInput("reason: record why late notice is waived")
    needs = waiver_needs(meeting.entitled_count or 0)
    present = present_count(meeting)
    if present < needs:
        raise MeetingRefused(
            "waiver",
            f"late notice can be waived only with {needs} of the {meeting.entitled_count} entitled present "
            f"(the rulebook's share); {present} are present",
        )
    now = timezone.now()
    with transaction.atomic():
        meeting.waived_at, meeting.waived_by_label, meeting.waiver_reason = (
            now,
            actor.label,
            reason.strip()[:500],
        )
        meeting.save(update_fields=["waived_at", "waived_by_label", "waiver_reason"])
        _audit(actor, "meetings.meeting_waive_late_notice", meeting, present=present, needed=needs)
    return meeting


def meeting_close(*, actor: Actor, meeting: Meeting, now: datetime | None = None) -> Meeting:
    require_manage(actor, meeting.body)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body__unit").get(pk=meeting.pk)
        _move(meeting, State.CLOSED)
        meeting.closed_at = now or timezone.now()
        meeting.save(update_fields=["state", "closed_at"])
        deadline_open(
            actor=actor,
            rule_key=MINUTES_CIRCULATION,
            start=meeting.closed_at,
            owner_unit=meeting.body.unit,
            subject_type=SOURCE,
            subject_id=meeting.pk,
            title=f"Circulate the draft minutes of {meeting.title}"[:200],
        )
        _audit(actor, "meetings.meeting_close", meeting, quorate=meeting.was_quorate)
    return meeting


def meeting_cancel(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    require_manage(actor, meeting.body)
    if not reason.strip():
        raise InvalidInput("reason: say why the meeting is cancelled")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _move(meeting, State.CANCELLED)
        meeting.cancel_reason = reason.strip()[:500]
        meeting.save(update_fields=["state", "cancel_reason"])
        _audit(actor, "meetings.meeting_cancel", meeting)
    return meeting
