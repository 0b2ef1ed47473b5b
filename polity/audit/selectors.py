"""Reads of the access log: who touched a person's data, and the state of the chain.

A person may always read their own log (not itself recorded); holders of Perm.AUDIT_VIEW over a member's
home unit may read theirs, and that reading is recorded too. The web page and the API share these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from polity.audit.models import ChainHead, Event, EventSubject
from polity.audit.services import audit_record
from polity.common.actor import Actor

# What each verb means, in words a member understands. Unknown verbs are shown as they are.
VERB_WORDS: dict[str, str] = {
    "member.view": "Opened the member's record",
    "members.list": "Saw the member in a members list",
    "members.export": "Included the member in an export",
    "member.join": "Put the member on the register",
    "member.rejoin": "Started a new membership period",
    "member.set_status": "Changed the membership status",
    "member.record_payment": "Recorded a payment",
    "member.transfer": "Transferred the member to another branch",
    "member.import": "Imported the member from a file",
    "office.appoint": "Appointed the member to an office",
    "office.end": "Ended an office term",
    "grant.give": "Gave the member an access grant",
    "grant.revoke": "Revoked an access grant",
    "audit.read_log": "Read the member's access log",
    "audit.verify": "Verified the whole access log",
    "account.totp_confirm": "Set up an authenticator app",
    "account.backup_codes": "Made new backup codes",
    "account.enrolment_issue": "Issued an enrolment code for two-step sign-in",
    "account.enrolment_use": "Used an enrolment code for two-step sign-in",
    "account.enrolment_void": "Voided an enrolment code after too many wrong tries",
    "unit.create": "Created a unit",
    "body.create": "Created a body",
}


def _details(data: object) -> dict[str, Any]:
    """An event's details, whether stored as canonical JSON text or as a JSON field."""
    if isinstance(data, str):
        data = json.loads(data or "{}")
    return data if isinstance(data, dict) else {}


def verb_in_words(verb: str) -> str:
    return VERB_WORDS.get(verb, verb.replace("_", " ").replace(".", ": ").capitalize())


@dataclass(frozen=True)
class AccessLogEntry:
    seq: int
    at: datetime
    who: str
    verb: str
    what: str
    purpose: str
    channel: str


def access_log_for_person(*, actor: Actor, person_id: int, limit: int = 50) -> list[AccessLogEntry]:
    """The events whose subjects include `person_id`, newest first.

    Refuses with NotVisible (404) unless the actor is that person, or holds Perm.AUDIT_VIEW over the
    person's home unit. Another person's log being read is itself recorded.
    """
    if actor.person_id is None or actor.person_id != person_id:
        from polity.access.perms import Perm
        from polity.access.policy import require_member
        from polity.common.errors import NotVisible
        from polity.members.models import Person

        person = Person.objects.select_related("home_unit").filter(pk=person_id).first()
        if person is None:
            raise NotVisible("not found")
        require_member(actor, person, Perm.AUDIT_VIEW)
        audit_record(
            actor=actor,
            verb="audit.read_log",
            subjects=[person_id],
            purpose="access log",
            object_type="person",
            object_id=person_id,
        )
    limit = max(1, min(limit, 500))
    rows = (
        EventSubject.objects.filter(person_id=person_id)
        .order_by("-event_id")
        .values_list(
            "event__seq",
            "event__occurred_at",
            "event__actor_label",
            "event__verb",
            "event__purpose",
            "event__data",
        )[:limit]
    )
    return [
        AccessLogEntry(
            seq=seq,
            at=at,
            who=who,
            verb=verb,
            what=verb_in_words(verb),
            purpose=purpose,
            channel=str(_details(data).get("channel", "")),
        )
        for seq, at, who, verb, purpose, data in rows
    ]


@dataclass(frozen=True)
class AuditStatus:
    chain_length: int
    head_hash: str
    last_check: dict[str, Any] | None
    last_check_at: datetime | None
    last_check_by: str
    verb_counts: list[tuple[str, str, int]]  # (verb, in words, count)
    since: datetime


def audit_status(*, actor: Actor, days: int = 30) -> AuditStatus:
    """The chain's length and head, the last recorded verification, and events by verb lately.

    Only for holders of Perm.AUDIT_VIEW; no personal data is returned.
    """
    from polity.access.perms import Perm
    from polity.access.policy import require

    if not actor.is_system:
        require(actor, Perm.AUDIT_VIEW)
    head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, "0" * 64)
    last = (
        Event.objects.filter(verb="audit.verify")
        .order_by("-seq")
        .values_list("data", "occurred_at", "actor_label")
        .first()
    )
    since = timezone.now() - timedelta(days=days)
    counts = (
        Event.objects.filter(occurred_at__gte=since)
        .values_list("verb")
        .annotate(n=Count("id"))
        .order_by("-n", "verb")
    )
    return AuditStatus(
        chain_length=head[0],
        head_hash=head[1],
        last_check=_details(last[0]) if last else None,
        last_check_at=last[1] if last else None,
        last_check_by=last[2] if last else "",
        verb_counts=[(verb, verb_in_words(verb), n) for verb, n in counts],
        since=since,
    )


def audit_chain_length(*, actor: Actor) -> int:
    """How many events the chain head records (what a full verification will read). Perm.AUDIT_VIEW only."""
    from polity.access.perms import Perm
    from polity.access.policy import require

    if not actor.is_system:
        require(actor, Perm.AUDIT_VIEW)
    return ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
