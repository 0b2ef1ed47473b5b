"""The parties in their own case: evidence and statements of their own, and correspondence with the case team.

A complainant or respondent adds evidence and written statements while the case is open, and writes to the
case team; every message to the team is acknowledged within `cases.message_acknowledgement` (a deadline
that escalates like the others) and the party is told. The team writes to one party, replying to a message
or not. Whether the other side may read this correspondence is the rulebook's `cases.share_party_contact`
("no coaching in the dark"), decided when each message is written and kept with it.
"""

from __future__ import annotations

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from polity.cases.gate import case_roles, require_action
from polity.cases.models import Case, Direction, Evidence, Message, NoticeKind, Role
from polity.cases.notices import notice_send
from polity.cases.services.common import open_deadline, party_ids, record, save
from polity.cases.services.evidence import store_evidence
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.deadlines.models import PENDING_STATES
from polity.deadlines.services import deadline_meet
from polity.members.models import Person
from polity.rulebook.loader import get_rulebook

ACK_RULE = "cases.message_acknowledgement"
SHARE_RULE = "cases.share_party_contact"
SIDES = (Role.COMPLAINANT, Role.RESPONDENT)
TEXT_MAX = 20_000


def _side(actor: Actor, case: Case) -> tuple[Person, str]:
    """The acting party and the side they are on (complainant first if they are somehow both)."""
    roles = case_roles(actor, case)
    for role in SIDES:
        if role in roles and actor.person_id is not None:
            return Person.objects.get(pk=actor.person_id), role
    raise Forbidden("only a complainant or respondent adds to their case this way")


def _text(text: str, field: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(f"{field}: {what} is empty")
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"{field}: at most {TEXT_MAX} characters")
    return text


def _sharing() -> tuple[bool, str]:
    book = get_rulebook()
    shared = book.flag(SHARE_RULE)
    return shared, f"{SHARE_RULE}@{book.version} = {'true' if shared else 'false'}"


def case_supply_evidence(*, actor: Actor, case: Case, upload: File[bytes], description: str) -> Evidence:
    """A party adds a file of their own to the case (the team discloses it to the other side by notice)."""
    require_action(actor, case, "supply_evidence")
    person, role = _side(actor, case)
    with transaction.atomic():
        evidence = store_evidence(
            actor=actor, case=case, upload=upload, description=description, supplied_by=person
        )
        record(
            actor,
            case,
            "case.supply_evidence",
            {"evidence": evidence.pk, "role": role, "sha256": evidence.sha256, "size": evidence.size},
        )
    return evidence


def case_add_statement(*, actor: Actor, case: Case, text: str) -> Evidence:
    """A party's written statement: kept as a text file among the evidence, so it is disclosed like the rest."""
    require_action(actor, case, "add_statement")
    person, role = _side(actor, case)
    text = _text(text, "text", "the statement")
    upload = ContentFile(text.encode("utf-8"), name="statement.txt")
    with transaction.atomic():
        evidence = store_evidence(
            actor=actor,
            case=case,
            upload=upload,
            description=f"Statement by the {Role(role).label.lower()}, {timezone.localdate():%d %B %Y}",
            supplied_by=person,
            is_statement=True,
        )
        record(actor, case, "case.add_statement", {"evidence": evidence.pk, "role": role})
    return evidence


def case_message_team(*, actor: Actor, case: Case, text: str) -> Message:
    """A party writes to the case team: on the record, acknowledged within the rulebook's deadline."""
    require_action(actor, case, "message_team")
    person, role = _side(actor, case)
    text = _text(text, "text", "the message")
    shared, rule = _sharing()
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        message = Message.objects.create(
            case=case,
            party=person,
            party_role=role,
            direction=Direction.TO_TEAM,
            text=text,
            written_at=now,
            author_label=actor.label,
            shared=shared,
            share_rule=rule,
        )
        message.deadline = open_deadline(actor, case, ACK_RULE, now, "acknowledge a party's message")
        message.save(update_fields=["deadline"])
        save(case)
        record(
            actor,
            case,
            "case.message_team",
            {"message": message.pk, "role": role, "shown_to_other_side": shared},
        )
    return message


def _acknowledge(actor: Actor, case: Case, message: Message) -> None:
    """Inside a transaction: mark acknowledged, meet its deadline and tell the party."""
    now = timezone.now()
    message.acknowledged_at, message.acknowledged_by = now, actor.label
    message.save(update_fields=["acknowledged_at", "acknowledged_by"])
    if message.deadline is not None and message.deadline.state in PENDING_STATES:
        deadline_meet(actor=actor, deadline=message.deadline, at=now)
    notice_send(
        actor=actor,
        case=case,
        kind=NoticeKind.MESSAGE_ACK,
        person=message.party,
        subject=f"{case.reference}: your message was received",
        body=(
            f"The case team received your message of {timezone.localtime(message.written_at):%d %B %Y %H:%M} "
            f"in case {case.reference}. It is part of the case's record; you can read it, and any answer, on "
            f"your case page."
        ),
    )


def _message_to_team(case: Case, message: Message) -> Message:
    if message.case_id != case.pk or message.direction != Direction.TO_TEAM:
        raise InvalidInput("message: no message to the case team with this id in this case")
    return message


def case_acknowledge_message(*, actor: Actor, case: Case, message: Message) -> Message:
    """The team acknowledges a party's message (the party is told; the deadline is met)."""
    require_action(actor, case, "acknowledge_message")
    _message_to_team(case, message)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("deadline", "party")
            .get(pk=message.pk)
        )
        if message.acknowledged_at is not None:
            raise InvalidInput("message: this message was already acknowledged")
        _acknowledge(actor, case, message)
        save(case)
        record(actor, case, "case.acknowledge_message", {"message": message.pk})
    return message


def case_message_party(
    *, actor: Actor, case: Case, person: Person, text: str, in_reply_to: Message | None = None
) -> Message:
    """The team writes to one party (answering a message acknowledges it). On the record, and shown to the
    other side where the rulebook says so."""
    require_action(actor, case, "message_party")
    roles = {
        role for role in SIDES if person.pk in party_ids(case, role)
    }  # the side the person is on in this case
    if not roles:
        raise InvalidInput("person: not a complainant or respondent in this case")
    if in_reply_to is not None:
        _message_to_team(case, in_reply_to)
        if in_reply_to.party_id != person.pk:
            raise InvalidInput("in_reply_to: that message came from another party")
    text = _text(text, "text", "the message")
    shared, rule = _sharing()
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if in_reply_to is not None:
            in_reply_to = (
                Message.objects.select_for_update(of=("self",))
                .select_related("deadline", "party")
                .get(pk=in_reply_to.pk)
            )
            if in_reply_to.acknowledged_at is None:
                _acknowledge(actor, case, in_reply_to)
        message = Message.objects.create(
            case=case,
            party=person,
            party_role=sorted(roles)[0],
            direction=Direction.FROM_TEAM,
            text=text,
            written_at=now,
            author_label=actor.label,
            in_reply_to=in_reply_to,
            shared=shared,
            share_rule=rule,
        )
        notice_send(
            actor=actor,
            case=case,
            kind=NoticeKind.MESSAGE,
            person=person,
            subject=f"{case.reference}: a message from the case team",
            body=f"{text}\n\nYou can answer on your case page.",
        )
        save(case)
        record(
            actor,
            case,
            "case.message_party",
            {
                "message": message.pk,
                "person": person.pk,
                "shown_to_other_side": shared,
                "reply_to": getattr(in_reply_to, "pk", None),
            },
        )
    return message
