"""What sending a message would do, before anything goes out: the consequences a sender confirms.

`send_plan` resolves the audience for the actor exactly as `message_send` will, applies consent and
suppression for the message's own purpose and channel, and says who approves when approval is needed.
Counts only, never an address. `message_send` decides with the same functions, so the page that asks
"are you sure?" and the send that follows cannot disagree about the rule (only about members who
changed in between, which the sent message's own counts then show).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from polity.common.actor import Actor
from polity.comms.models import Message, MessageState
from polity.comms.selectors import SEND_PERM, audience_members, reach_counts
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

APPROVAL_RULE = "comms.approval_deadline"
SENDABLE = (MessageState.DRAFT, MessageState.AWAITING_REGION)


def approver_unit_for(unit: Unit) -> Unit | None:
    """The unit that approves messages of `unit`: its ancestor at the rulebook's approval level.

    A unit at or above that level is approved by its parent; the top unit needs nobody's approval.
    """
    rulebook = get_rulebook()
    level = rulebook.levels[min(rulebook.number("comms.approval_level"), len(rulebook.levels) - 1)]
    if rulebook.level_index(unit.level) > rulebook.levels.index(level):
        ancestors = Unit.objects.filter(level=level)
        for candidate in ancestors:
            if candidate.contains(unit):
                return candidate
    return unit.parent


def approval_needed(message: Message, audience_size: int) -> Unit | None:
    """The unit that must approve before the message goes out, or None when it may go now.

    Purposes the rulebook marks `needs_approval` (campaigning, fundraising) need it above
    `comms.approval_threshold` people in the audience; governance and statutory notices never wait."""
    rule = get_rulebook().purpose(message.purpose)
    if not rule.needs_approval or audience_size <= get_rulebook().number("comms.approval_threshold"):
        return None
    return approver_unit_for(message.unit)


@dataclass(frozen=True)
class SendPlan:
    """The consequences of pressing send, in counts."""

    message: Message
    purpose_label: str
    channel: str
    total: int  # in the audience, for this sender, now
    reachable: int  # will be handed to delivery
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> count (no consent, no address...)
    approver: Unit | None = None
    approval_due: datetime | None = None
    threshold: int = 0
    scheduled_for: datetime | None = None

    @property
    def goes_now(self) -> bool:
        return self.approver is None and self.scheduled_for is None

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def send_plan(*, actor: Actor, message: Message) -> SendPlan:
    """What `message_send` would do now for this actor (who must be allowed to send the message)."""
    from polity.access.policy import require
    from polity.common.errors import DomainError

    require(actor, SEND_PERM, scope=message.unit)
    if message.state not in SENDABLE:
        raise DomainError(f"this message is {message.get_state_display().lower()}")
    people = audience_members(actor=actor, audience=message.audience)
    _ids, counts = reach_counts(people, purpose=message.purpose, channel=message.channel)
    approver = approval_needed(message, counts.total)
    now = timezone.now()
    scheduled = message.scheduled_for if message.scheduled_for and message.scheduled_for > now else None
    return SendPlan(
        message=message,
        purpose_label=get_rulebook().purpose(message.purpose).label,
        channel=message.channel,
        total=counts.total,
        reachable=counts.reachable,
        excluded=dict(counts.excluded),
        approver=approver,
        approval_due=get_rulebook().rule(APPROVAL_RULE).add_to(now) if approver else None,
        threshold=get_rulebook().number("comms.approval_threshold"),
        scheduled_for=scheduled,
    )


def may_send(actor: Actor, message: Message) -> bool:
    """Whether the page offers "Send…" (message_send decides again when it is pressed)."""
    from polity.access.policy import has_perm

    return message.state in SENDABLE and has_perm(actor, SEND_PERM, message.unit)


def edit_refusal(actor: Actor, message: Message) -> str:
    """Why this actor may not edit or delete this message, in words; "" when they may."""
    from polity.access.policy import has_perm

    if not has_perm(actor, SEND_PERM, message.unit):
        return "only a sender of the message's unit may change it"
    if message.created_by_person_id is None or message.created_by_person_id != actor.person_id:
        return "only the author of a draft may change it"
    if message.state != MessageState.DRAFT:
        return f"this message is {message.get_state_display().lower()}: only a draft can be changed"
    return ""


def may_edit(actor: Actor, message: Message) -> bool:
    return edit_refusal(actor, message) == ""


def approval_plan(*, actor: Actor, message: Message) -> SendPlan:
    """What approving would do: the audience resolved for the approver (as `message_approve` will)."""
    from polity.comms.services import require_approver

    require_approver(actor, message)
    people = audience_members(actor=actor, audience=message.audience)
    _ids, counts = reach_counts(people, purpose=message.purpose, channel=message.channel)
    now = timezone.now()
    return SendPlan(
        message=message,
        purpose_label=get_rulebook().purpose(message.purpose).label,
        channel=message.channel,
        total=counts.total,
        reachable=counts.reachable,
        excluded=dict(counts.excluded),
        scheduled_for=message.scheduled_for
        if message.scheduled_for and message.scheduled_for > now
        else None,
    )
