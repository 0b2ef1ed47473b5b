"""Statutory notices of the register: every status change, and every step of a resignation, told to the member.

They go through the outbox like a case's notices (polity.cases.notices): purpose "statutory", channel email,
one dispatch per notice (or one per batch for the nightly arrears run), so nobody can opt out of them,
delivery is tracked per recipient, and a bounced address shows as such. Nothing here sends mail itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from polity.common.actor import Actor
from polity.members.models import Status
from polity.outbox.rendering import literal
from polity.outbox.services import dispatch_create
from polity.rulebook.durations import Duration
from polity.rulebook.loader import get_rulebook

PURPOSE = "statutory"
CHANNEL = "email"
STATUS_SOURCE = "members.status_change"
RESIGNATION_SOURCE = "members.resignation"

# What a member can do next, for each status they are told about.
NEXT_STEPS: dict[str, str] = {
    Status.APPLICANT: "Your application is being considered; you will be told the outcome.",
    Status.ACTIVE: "You are a member in good standing. Your membership page shows your record at any time.",
    Status.IN_ARREARS: (
        "Renew from your membership page to keep your membership and your right to vote. "
        "If the subscription stays unpaid, the membership lapses under the rulebook."
    ),
    Status.LAPSED: (
        "You can rejoin at any time by renewing from your membership page; your history is kept and a new "
        "membership period starts."
    ),
    Status.SUSPENDED: (
        "The decision notice of the case says why, when the suspension will be reviewed, and how to appeal. "
        "You can follow the case under Complaints."
    ),
    Status.EXPELLED: (
        "The decision notice of the case gives the reasons, the appeal route and its deadline. "
        "You can follow the case under Complaints."
    ),
    Status.RESIGNED: (
        "You can rejoin at any time by renewing from your membership page. If you did not resign, "
        "reply to this message or contact your membership officer at once."
    ),
    Status.REFUSED: (
        "The decision notice of the case gives the reasons, the appeal route and its deadline; "
        "you may apply again later."
    ),
}


def in_words(duration: Duration) -> str:
    """A rulebook duration as words: "14d" -> "14 days", "1m" -> "1 month"."""
    unit = {"d": "day", "w": "week", "m": "month", "y": "year"}[duration.unit]
    return f"{duration.amount} {unit}{'' if duration.amount == 1 else 's'}"


def when(at: datetime) -> str:
    return f"{timezone.localtime(at):%-d %B %Y at %H:%M}"


def send(
    *,
    actor: Actor,
    person_ids: Iterable[int],
    subject: str,
    body: str,
    source_type: str,
    source_id: int | str,
) -> int:
    """Queue one statutory email to the people named. Returns the dispatch id. Call inside the service's
    transaction: delivery starts when it commits, and a rollback takes the notice with it."""
    dispatch = dispatch_create(
        actor=actor,
        purpose=PURPOSE,
        channel=CHANNEL,
        subject=subject[:200],
        body=body,
        person_ids=list(person_ids),
        source_type=source_type,
        source_id=source_id,
    )
    return int(dispatch.pk)


def status_text(status: str, reason: str) -> tuple[str, str]:
    """Subject and body of a status-change notice: the new status, the reason, and what the member can do."""
    org = get_rulebook().name
    label = Status(status).label.lower()
    subject = f"Your {org} membership: {label}"
    body = (
        "Dear {{ first_name }},\n\n"
        f"Your membership status is now: {label}.\n"
        f"Reason recorded: {literal(reason)}\n\n"
        f"What you can do: {NEXT_STEPS[status]}\n\n"
        "This is a statutory notice about your membership: it is sent to every member whose status changes."
    )
    return subject, body
