"""Reads of comms: who an audience reaches (always through polity.access), counts, messages.

Nothing here returns an address. Previews are counts; a message shows delivery counts from the outbox.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import notice_request_unit_ids, require, units_q, visible_members
from polity.audit.models import Event
from polity.audit.search import actors_in_words
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.comms.models import Audience, BodyPart, Message, MessageState
from polity.comms.rendering import Rendered
from polity.consent.checks import contact_permitted_many
from polity.meetings.models import Meeting
from polity.members.models import Person
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook

SEND_PERM = Perm.MESSAGES_SEND  # who may write to members in a unit (counts only: never an address)
APPROVE_PERM = (
    Perm.MESSAGES_APPROVE
)  # who may approve a message waiting for a unit (its approver unit or above)


def _current_terms(at: datetime) -> QuerySet[OfficeTerm]:
    return OfficeTerm.objects.in_force(at)


def body_member_ids(body: Body, part: str, *, at: datetime | None = None) -> QuerySet[OfficeTerm, Any]:
    """Person ids (as a subquery) who sit on a body now: holders of offices tied to it.

    "delegates": holders of the rulebook's offices whose `body` is this body's kind, in its unit.
    "members": those, plus any office term attached to this body. A body with no office-based
    membership at all (a general meeting) is made of every member of its unit: see `body_is_open`.
    """
    at = at or timezone.now()
    kinds = [k for k, o in get_rulebook().offices.items() if o.body == body.kind]
    tied = Q(office__in=kinds) & (Q(body=body) | Q(body__isnull=True, unit=body.unit))
    if part == BodyPart.MEMBERS:
        tied |= Q(body=body)
    return _current_terms(at).filter(tied).values("person_id")


def body_is_open(body: Body) -> bool:
    """A body no office ties to (an AGM) is a meeting of all the unit's members."""
    has_office = any(o.body == body.kind for o in get_rulebook().offices.values())
    return not has_office and not OfficeTerm.objects.filter(body=body).exists()


def audience_members(*, actor: Actor, audience: Audience, at: datetime | None = None) -> QuerySet[Person]:
    """The people an audience reaches for this actor now: in scope, in the audience's unit (export decoys are not people: polity.exports)."""
    at = at or timezone.now()
    qs = visible_members(Person.objects.all(), actor=actor, perm=SEND_PERM, at=at)
    qs = qs.filter(home_unit__path__startswith=audience.unit.path)
    if audience.unit_ids:
        paths = Unit.objects.filter(pk__in=audience.unit_ids).values_list("path", flat=True)
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(home_unit__path__startswith=path)
        qs = qs.filter(q)
    if audience.body_id is not None:
        body = audience.body
        assert body is not None
        if not (audience.body_part == BodyPart.MEMBERS and body_is_open(body)):
            qs = qs.filter(pk__in=body_member_ids(body, audience.body_part, at=at))
        else:
            qs = qs.filter(home_unit__path__startswith=body.unit.path)
    if audience.statuses:
        qs = qs.filter(status__in=audience.statuses)
    if audience.min_days_in_arrears is not None:
        cutoff = timezone.localdate(at) - timedelta(days=audience.min_days_in_arrears)
        qs = qs.filter(paid_until__isnull=False, paid_until__lte=cutoff)
    if audience.joined_since is not None:
        qs = qs.filter(joined_on__gte=audience.joined_since)
    if audience.offices:
        holders = _current_terms(at).filter(
            office__in=audience.offices, unit__path__startswith=audience.unit.path
        )
        qs = qs.filter(pk__in=holders.values("person_id"))
    return qs.order_by()


@dataclass(frozen=True)
class Preview:
    purpose: str
    channel: str
    total: int
    reachable: int
    no_consent: int
    suppressed: int
    no_address: int
    # Every reason someone is left out, with its count: the three above and any other the consent check
    # gives (e.g. a restriction of processing), keyed by the reason's code ("no_consent").
    excluded: dict[str, int] = field(default_factory=dict)


def reach_counts(people: QuerySet[Person], *, purpose: str, channel: str) -> tuple[list[int], Preview]:
    """(ids that may be contacted, counts) for a resolved audience; consent and suppression applied."""
    verdicts = contact_permitted_many(person_ids=people.values("pk"), purpose=purpose, channel=channel)
    reasons = Counter(reason for _ok, reason in verdicts.values())
    ok_ids = [pk for pk, (ok, _reason) in verdicts.items() if ok]
    preview = Preview(
        purpose=purpose,
        channel=channel,
        total=len(verdicts),
        reachable=len(ok_ids),
        no_consent=reasons["no consent"] + reasons["objected"],  # an objection withdraws consent to that use
        suppressed=reasons["suppressed"],
        no_address=reasons["no address"],
        excluded={reason.replace(" ", "_"): n for reason, n in sorted(reasons.items()) if reason != "ok"},
    )
    return ok_ids, preview


def audience_get(*, actor: Actor, audience_id: int) -> Audience:
    audience = Audience.objects.select_related("unit", "body").filter(pk=audience_id).first()
    if audience is None:
        raise NotVisible("not found")
    require(actor, SEND_PERM, scope=audience.unit)
    return audience


def audience_list(*, actor: Actor) -> list[Audience]:
    return list(
        Audience.objects.filter(units_q(actor, SEND_PERM, field="unit__path")).select_related("unit", "body")[
            :200
        ]
    )


def default_purpose(audience: Audience) -> str:
    """The purpose an audience is counted for until the sender picks one: a body's members get governance
    notices; anyone else the membership service messages every member receives unless they said no.
    Never campaigning: what most members have not consented to would read as "unreachable"."""
    purposes = get_rulebook().purposes
    if audience.body_id is not None and "governance" in purposes:
        return "governance"
    for key, purpose in purposes.items():
        if not purpose.body_only and purpose.consent == "opt_out":
            return key
    return next(iter(purposes))


def audience_preview(*, actor: Actor, audience_id: int, purpose: str = "", channel: str = "email") -> Preview:
    """Counts only: total, reachable, and those excluded for no consent, suppression or no address.
    Without a purpose, the audience's own default (see `default_purpose`)."""
    audience = audience_get(actor=actor, audience_id=audience_id)
    purpose = purpose or default_purpose(audience)
    _ids, preview = reach_counts(
        audience_members(actor=actor, audience=audience), purpose=purpose, channel=channel
    )
    return preview


def message_get(*, actor: Actor, message_id: int) -> Message:
    """A message its unit's senders, or its approvers, may see; others get NotVisible."""
    message = (
        Message.objects.select_related("unit", "audience", "approver_unit", "meeting")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        raise NotVisible("not found")
    approver = message.approver_unit
    if not (
        _has(actor, SEND_PERM, message.unit) or (approver is not None and _has(actor, APPROVE_PERM, approver))
    ):
        raise NotVisible("not found")
    return message


def _has(actor: Actor, perm: Perm, unit: Unit) -> bool:
    from polity.access.policy import has_perm

    return has_perm(actor, perm, unit)


def message_list(*, actor: Actor, state: str | None = None) -> list[Message]:
    """Messages of units in scope, and those waiting for the actor's approval."""
    q = Q(units_q(actor, SEND_PERM, field="unit__path")) | Q(
        units_q(actor, APPROVE_PERM, field="approver_unit__path")
    )
    qs = Message.objects.filter(q).select_related("unit", "audience__body", "meeting")
    if state:
        qs = qs.filter(state=state)
    return list(qs[:200])


def message_delivery(message: Message) -> dict[str, int]:
    """Delivery counts from the outbox: queued, sending, sent, failed, bounced, skipped. No addresses."""
    from polity.outbox.selectors import dispatch_counts

    if message.dispatch_id is None:
        return {}
    return dispatch_counts(int(message.dispatch_id))


@dataclass(frozen=True)
class DeliveryReport:
    """Where a sent message's recipients are: delivered, bounced, failed, not sent, still pending."""

    delivered: int = 0
    bounced: int = 0
    failed: int = 0
    not_sent: int = 0  # left out at delivery: consent withdrawn or address gone since the send
    pending: int = 0  # queued or being sent
    last_delivered_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.pending == 0

    @property
    def total(self) -> int:
        return self.delivered + self.bounced + self.failed + self.not_sent + self.pending

    @classmethod
    def from_counts(cls, counts: dict[str, int], last: datetime | None = None) -> DeliveryReport:
        return cls(
            delivered=counts.get("sent", 0),
            bounced=counts.get("bounced", 0),
            failed=counts.get("failed", 0),
            not_sent=counts.get("skipped", 0),
            pending=counts.get("queued", 0) + counts.get("sending", 0),
            last_delivered_at=last,
        )


def message_status(message: Message, report: DeliveryReport | None) -> str:
    """The state in words; a sent message reads "Delivered" once the outbox has nothing left to do."""
    if message.state != MessageState.SENT or report is None:
        return message.get_state_display()
    if not report.finished:
        return f"Being delivered ({report.pending} to go)"
    if report.bounced or report.failed:
        return "Delivered, some did not arrive"
    return "Delivered"


def message_reports(messages: list[Message]) -> dict[int, DeliveryReport]:
    """Delivery reports of the sent messages among `messages`, in one query (for the list)."""
    from polity.outbox.selectors import dispatch_counts_many

    by_dispatch = {int(m.dispatch_id): m.pk for m in messages if m.dispatch_id is not None}
    found = dispatch_counts_many(list(by_dispatch))
    return {by_dispatch[d]: DeliveryReport.from_counts(c, last) for d, (c, last) in found.items()}


def message_report(message: Message) -> DeliveryReport | None:
    return message_reports([message]).get(message.pk)


def meeting_by_id(meeting_id: int) -> Meeting | None:
    """(internal, for tasks) a meeting with its body and unit."""
    return Meeting.objects.select_related("body__unit").filter(pk=meeting_id).first()


def body_get(*, actor: Actor, body_id: int) -> Body:
    """A body of a unit the actor may write to; others answer NotVisible."""
    body = Body.objects.select_related("unit").filter(pk=body_id).first()
    if body is None:
        raise NotVisible("not found")
    require(actor, SEND_PERM, scope=body.unit)
    return body


def send_unit_get(*, actor: Actor, unit_id: int) -> Unit:
    """A unit the actor may write to; others answer NotVisible."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotVisible("not found")
    require(actor, SEND_PERM, scope=unit)
    return unit


def meeting_get(*, actor: Actor, meeting_id: int) -> Meeting:
    meeting = meeting_by_id(meeting_id)
    if meeting is None:
        raise NotVisible("not found")
    require(actor, SEND_PERM, scope=meeting.body.unit)
    return meeting


def meetings_for_compose(*, actor: Actor) -> list[Meeting]:
    """Meetings a message may be about: not yet past (or within the last week), of bodies of units the actor
    may write to; by date (for the compose form's meeting picker)."""
    since = timezone.now() - timedelta(days=7)
    return list(
        Meeting.objects.filter(units_q(actor, SEND_PERM, field="body__unit__path"), starts_at__gte=since)
        .exclude(state="cancelled")
        .select_related("body__unit")
        .order_by("starts_at", "id")[:100]
    )


def bodies_in_scope(*, actor: Actor) -> list[Body]:
    """Bodies of units the actor may write to (for audience forms)."""
    return list(Body.objects.filter(units_q(actor, SEND_PERM, field="unit__path")).select_related("unit"))


def send_units(*, actor: Actor) -> list[Unit]:
    """Units the actor may write to, in tree order."""
    return list(Unit.objects.filter(units_q(actor, SEND_PERM)).order_by("path"))


def can_send_anywhere(actor: Actor) -> bool:
    from polity.access.policy import scopes

    return bool(scopes(actor, SEND_PERM))


def body_by_id(body_id: int) -> Body:
    """A body by id, for services that check the actor themselves (continuity requests answer NotVisible
    to anyone who is not an officer of its unit, exactly as for a missing body)."""
    body = Body.objects.select_related("unit").filter(pk=body_id).first()
    if body is None:
        raise NotVisible("not found")
    return body


def bodies_for_requests(*, actor: Actor) -> list[Body]:
    """Bodies of the units where the actor holds an officer's office now (for continuity requests)."""
    units = notice_request_unit_ids(actor)
    return list(Body.objects.filter(unit_id__in=units).select_related("unit")) if units else []


def message_preview_as(*, actor: Actor, message: Message, person: Person) -> Rendered:
    """The message as `person` would receive it: a read of their data, recorded in the access log.

    Only a sender of the message's unit, and only for someone the audience reaches for that sender now."""
    from polity.audit.services import audit_record
    from polity.common.errors import InvalidInput
    from polity.comms.rendering import render_for_person

    require(actor, SEND_PERM, scope=message.unit)
    if not audience_members(actor=actor, audience=message.audience).filter(pk=person.pk).exists():
        raise InvalidInput(f"person: {person.membership_number} is not among this message's recipients")
    audit_record(
        actor=actor,
        verb="comms.message_preview",
        subjects=[person.pk],
        purpose=message.purpose,
        object_type="comms.message",
        object_id=message.pk,
    )
    return render_for_person(message, person)


def comms_people(actor: Actor) -> QuerySet[Person]:
    """Whom the comms forms' person picker offers: the people the actor may write to."""
    return visible_members(Person.objects.all(), actor=actor, perm=SEND_PERM)


def unit_sender_get(*, actor: Actor, unit_id: int) -> tuple[Unit, str, str]:
    """(unit, its own reply-to address, the address its messages use now) for a unit the actor writes to."""
    from polity.comms.models import UnitSender
    from polity.comms.rendering import reply_to_for

    unit = send_unit_get(actor=actor, unit_id=unit_id)
    own = UnitSender.objects.filter(unit=unit).values_list("reply_to", flat=True).first() or ""
    return unit, str(own), reply_to_for(unit)


def audiences_with_authors(audiences: list[Audience]) -> list[tuple[Audience, str]]:
    """Each audience with who built it, by name and office at the time (never a login name)."""
    words = actors_in_words(
        [(a.created_at, a.created_by_person_id, None, a.created_by_label) for a in audiences]
    )
    return list(zip(audiences, words, strict=True))


def message_people(message: Message) -> tuple[str, str]:
    """Who wrote the message and who sent it, by name and office at the time; the sender as the access log
    recorded the send ("" while unsent)."""
    from polity.comms.services import SOURCE

    sent = (
        Event.objects.filter(verb="comms.message_send", object_type=SOURCE, object_id=str(message.pk))
        .values_list("occurred_at", "actor_person_id", "actor_user_id", "actor_label")
        .first()
        if message.sent_at is not None
        else None
    )
    actors: list[tuple[datetime, int | None, int | None, str]] = [
        (message.created_at, message.created_by_person_id, None, message.created_by_label)
    ]
    if sent is not None:
        actors.append(sent)
    words = actors_in_words(actors)
    return words[0], words[1] if sent is not None else ""
