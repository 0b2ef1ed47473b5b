"""Automations from the rulebook: welcome new members, remind those in arrears, give notice of meetings.

Each is a system service, run by a task. Each writes one Message (so its delivery counts show like any
other) and one AutomationSend row per person; the unique (kind, key, person) constraint means a rerun, or
two runs at once, never sends the same automation to a person twice.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from polity.common.actor import Actor
from polity.common.errors import Forbidden
from polity.comms.models import Audience, AutomationSend, BodyPart, Message
from polity.comms.services import _dispatch, message_create
from polity.meetings.models import Meeting
from polity.members.models import Person, Status
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

WELCOME_SUBJECT = "Welcome to {org}, {{{{ given_name }}}}"
WELCOME_BODY = (
    "Dear {{{{ given_name }}}},\n\nWelcome to {org}. Your branch is {{{{ unit }}}}; its officers will be in "
    "touch about meetings and how to take part.\n\nYou can see and change what we may contact you about on "
    "your membership page."
)
ARREARS_SUBJECT = "Your {org} membership: subscription overdue"
ARREARS_BODY = (
    "Dear {{{{ given_name }}}},\n\nOur records show your subscription is overdue (reminder {n} of {count}). "
    "Please renew to keep your membership and your right to vote. If you have already paid, thank you, and "
    "please ignore this message."
)
MEETING_SUBJECT = "Notice of meeting: {{ meeting_title }}"
MEETING_BODY = (
    "Dear {{ given_name }},\n\nThe {{ body_name }} of {{ sender_unit }} will meet on {{ meeting_date }} at "
    "{{ meeting_time }}, {{ meeting_place }}.\n\nAgenda:\n{{ meeting_agenda }}"
)


def _system_only(actor: Actor) -> None:
    if not actor.is_system:
        raise Forbidden("only the system runs automations")


def _root() -> Unit:
    return Unit.objects.get(parent__isnull=True)


def _send(
    actor: Actor,
    *,
    kind: str,
    keys: dict[int, str],
    audience: Audience,
    purpose: str,
    subject: str,
    body: str,
    meeting: Meeting | None = None,
    channel: str = "email",
) -> Message | None:
    """One message to the people in `keys`, each marked sent with their key in the same transaction."""
    if not keys:
        return None
    with transaction.atomic():
        message = message_create(
            actor=actor,
            audience=audience,
            purpose=purpose,
            channel=channel,
            subject=subject,
            body=body,
            meeting=meeting,
        )
        now = timezone.now()
        AutomationSend.objects.bulk_create(
            AutomationSend(kind=kind, key=key, person_id=pk, message=message, sent_at=now)
            for pk, key in keys.items()
        )
        return _dispatch(actor, message, Person.objects.filter(pk__in=list(keys)))


def _automation_audience(actor: Actor, name: str, unit: Unit, **filters: object) -> Audience:
    return Audience.objects.create(
        name=name, unit=unit, created_by_label=actor.label, created_at=timezone.now(), **filters
    )


def automation_welcome(
    *, actor: Actor, today: date | None = None, person_ids: list[int] | None = None
) -> int:
    """Welcome members who joined within the rulebook's window and were not welcomed yet."""
    _system_only(actor)
    today = today or timezone.localdate()
    since = get_rulebook().rule("comms.welcome_window").subtract_from(today)
    people = Person.objects.filter(
        status__in=[Status.ACTIVE, Status.APPLICANT], joined_on__gte=since
    ).exclude(pk__in=AutomationSend.objects.filter(kind="welcome").values("person_id"))
    if person_ids is not None:
        people = people.filter(pk__in=person_ids)
    keys = {pk: "welcome" for pk in people.values_list("pk", flat=True)}
    if not keys:
        return 0
    org = get_rulebook().name
    audience = _automation_audience(actor, "New members (welcome)", _root(), joined_since=since)
    _send(
        actor,
        kind="welcome",
        keys=keys,
        audience=audience,
        purpose="service",
        subject=WELCOME_SUBJECT.format(org=org),
        body=WELCOME_BODY.format(org=org),
    )
    return len(keys)


def automation_arrears(*, actor: Actor, today: date | None = None) -> int:
    """Remind members in arrears on the rulebook's schedule: reminder k falls due at paid-until + grace
    + (k-1) intervals. A member gets the latest reminder due, once; a renewal starts a new series."""
    _system_only(actor)
    today = today or timezone.localdate()
    rulebook = get_rulebook()
    grace = rulebook.rule("membership.arrears_grace")
    interval = rulebook.rule("comms.arrears_reminder_interval")
    count = rulebook.number("comms.arrears_reminder_count")
    due_people = Person.objects.filter(status=Status.IN_ARREARS, paid_until__isnull=False)
    wanted: dict[int, tuple[str, int]] = {}
    for pk, paid_until in due_people.values_list("pk", "paid_until").iterator():
        assert paid_until is not None
        due = grace.add_to(paid_until)
        k = 0
        while k < count and due <= today:
            k += 1
            due = interval.add_to(due)
        if k:
            wanted[pk] = (f"{paid_until.isoformat()}:{k}", k)
    done = set(
        AutomationSend.objects.filter(kind="arrears", person_id__in=list(wanted)).values_list(
            "person_id", "key"
        )
    )
    by_n: dict[int, dict[int, str]] = {}
    for pk, (key, k) in wanted.items():
        if (pk, key) not in done:
            by_n.setdefault(k, {})[pk] = key
    org = rulebook.name
    sent = 0
    for n, keys in sorted(by_n.items()):
        audience = _automation_audience(
            actor, f"In arrears (reminder {n})", _root(), statuses=[Status.IN_ARREARS]
        )
        _send(
            actor,
            kind="arrears",
            keys=keys,
            audience=audience,
            purpose="service",
            subject=ARREARS_SUBJECT.format(org=org),
            body=ARREARS_BODY.format(org=org, n=n, count=count),
        )
        sent += len(keys)
    return sent


def meeting_notice_due_at(meeting: Meeting) -> datetime:
    """When the automation gives notice (if the secretary has not): the rulebook's margin before the
    latest time the meeting's notice period allows."""
    from polity.meetings.rules import notice_for

    due_by = meeting.notice_due_by or notice_for(meeting.body, meeting.kind).due_by(meeting.starts_at)
    margin = get_rulebook().rule("comms.meeting_notice_margin")
    return margin.subtract_from(timezone.localtime(due_by))


def meeting_notice_messages(*, actor: Actor, meeting: Meeting, person_ids: list[int]) -> dict[int, int]:
    """(internal, for polity.meetings' notice service, which checked the actor) The notice of a meeting to
    these people, each once (the automation ledger): by email to those who have an email address we may use,
    by post to the others who have a postal address (governance notices go by both; docs/comms.md). Anyone
    with neither is sent the email, which the outbox records as skipped for "no address". Returns each
    person's outbox dispatch."""
    from polity.consent.checks import contact_permitted_many

    by_email = contact_permitted_many(person_ids=person_ids, purpose="governance", channel="email")
    rest = [pk for pk in person_ids if not by_email.get(pk, (False, ""))[0]]
    by_post = contact_permitted_many(person_ids=rest, purpose="governance", channel="post") if rest else {}
    letters = [pk for pk in rest if by_post.get(pk, (False, ""))[0]]
    emails = [pk for pk in person_ids if pk not in set(letters)]
    body = meeting.body
    system = actor if actor.is_system else Actor.system(label=actor.label)
    sent: dict[int, int] = {}
    for channel, ids in (("email", emails), ("post", letters)):
        if not ids:
            continue
        audience = _automation_audience(
            actor, f"{body.name} (meeting notice)", body.unit, body=body, body_part=BodyPart.MEMBERS
        )
        message = _send(
            system,
            kind="meeting",
            keys={pk: str(meeting.pk) for pk in ids},
            audience=audience,
            purpose="governance",
            subject=MEETING_SUBJECT,
            body=MEETING_BODY,
            meeting=meeting,
            channel=channel,
        )
        if message is not None and message.dispatch_id is not None:
            sent.update(dict.fromkeys(ids, message.dispatch_id))
    return sent


def automation_meeting_notice(*, actor: Actor, meeting: Meeting, now: datetime | None = None) -> int:
    """Give notice of one meeting when it falls due, to everyone entitled not yet given it (once each)."""
    from polity.meetings.models import State
    from polity.meetings.services.meetings import meeting_notice_send

    _system_only(actor)
    now = now or timezone.now()
    if meeting.starts_at <= now or meeting_notice_due_at(meeting) > now:
        return 0
    if meeting.state not in (State.CALLED, State.NOTICED):
        return 0
    return meeting_notice_send(actor=actor, meeting=meeting, now=now)


def automation_meeting_notices(*, actor: Actor, now: datetime | None = None) -> int:
    _system_only(actor)
    now = now or timezone.now()
    total = 0
    for meeting in Meeting.objects.filter(starts_at__gt=now, state__in=["called", "noticed"]).select_related(
        "body__unit"
    ):
        total += automation_meeting_notice(actor=actor, meeting=meeting, now=now)
    return total
