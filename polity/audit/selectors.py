"""Reads of the access log: who touched a person's data, and the state of the chain.

A person may always read their own log (not itself recorded); holders of Perm.AUDIT_VIEW over a member's
home unit may read theirs, and that reading is recorded too. The web page and the API share these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from polity.audit.models import ChainHead, Event, EventSubject
from polity.audit.services import audit_record
from polity.common.actor import Actor

# What each verb means, in words a member understands. Unknown verbs are shown as they are.
VERB_WORDS: dict[str, str] = {
    "member.view": "Opened the member's record",
    "members.list": "Saw the member in a members list",
    "members.pick": "Saw the member among the matches when choosing a person for a form",
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
    "audit.anonymise": "Anonymised access-log events past the log's retention period (sealed)",
    "account.totp_confirm": "Set up an authenticator app",
    "account.backup_codes": "Made new backup codes",
    "account.password_reset_request": "Asked for a link to choose a new password",
    "account.password_reset": "Chose a new password with an emailed link",
    "account.enrolment_issue": "Issued an enrolment code for two-step sign-in",
    "account.enrolment_use": "Used an enrolment code for two-step sign-in",
    "account.enrolment_void": "Voided an enrolment code after too many wrong tries",
    "unit.create": "Created a unit",
    "body.create": "Created a body",
    "audit.search": "Searched the access log",
    "members.import": "Imported members from a file",
    "token.create": "Created an API token",
    "token.revoke": "Revoked an API token",
    "consent.view": "Read the member's consent record",
    "consent.record": "Recorded a consent given or withdrawn",
    "consent.suppress": "Added an address to the suppression list",
    "consent.unsuppress": "Took an address off the suppression list",
    "comms.audience_create": "Built an audience for a message",
    "comms.message_create": "Wrote a message",
    "comms.message_submit": "Submitted a message for approval",
    "comms.message_approve": "Approved a message",
    "comms.message_refuse": "Refused a message",
    "comms.message_schedule": "Scheduled a message",
    "comms.message_send": "Sent a message",
    "comms.meeting_create": "Called a meeting",
    "meetings.meeting_call": "Called a meeting",
    "meetings.meeting_notice_send": "Sent the notice of a meeting",
    "meetings.attendance_record": "Recorded attendance at a meeting",
    "meetings.seat_appoint": "Gave a seat on a body",
    "meetings.view_people": "Saw who sits on a body or attended a meeting",
    "meetings.vote_cast": "Voted at a meeting",
    "comms.governance_notice_request": "Asked for a governance notice to be sent",
    "outbox.dispatch_create": "Queued messages for delivery",
    "outbox.deliveries_view": "Looked at a message's deliveries",
    "outbox.bounce_record": "Recorded a bounced message",
    "deadline.open": "Opened a deadline",
    "deadline.meet": "Met a deadline",
    "deadline.escalate": "Escalated a missed deadline",
    "evidence.sweep": "Removed evidence files no case refers to",
    "demo.generate": "Built the demo organisation",
    "case.view": "Opened a case file",
    "case.queue": "Saw the case in the case team's queue (with its summary)",
    "case.open": "Opened a case",
    "case.complaint_request": "Sent a complaint",
    "case.acknowledge": "Acknowledged a case",
    "case.triage": "Triaged a case",
    "case.dismiss": "Dismissed a case",
    "case.add_party": "Added a party to a case",
    "case.add_evidence": "Added evidence to a case",
    "case.evidence_open": "Opened a case's evidence",
    "case.link": "Linked two cases",
    "case.refused": "Was refused an action on a case",
    "case.assign_investigator": "Assigned a case's investigator",
    "case.assign_panel": "Appointed a case's panel",
    "case.send_notice": "Sent a case notice",
    "case.record_delivery": "Recorded a notice's delivery",
    "case.reply": "Recorded a reply in a case",
    "case.schedule_hearing": "Scheduled a hearing",
    "case.suspend": "Suspended a member pending a case",
    "case.review_suspension": "Reviewed a suspension",
    "case.decide": "Decided a case",
    "case.communicate": "Told the people concerned of a decision",
    "case.appeal": "Appealed a decision",
    "case.decide_appeal": "Decided an appeal",
    "case.close": "Closed a case",
    "deadline.move": "Moved a deadline the law lets stop or stretch",
    "members.correct": "Corrected the member's entry on their request",
    "dsr.request_create": "Received a data protection request",
    "dsr.request_view": "Opened a data protection request",
    "dsr.request_pause": "Stopped a request's clock to ask the requester for something",
    "dsr.request_resume": "Started a request's clock again",
    "dsr.request_extend": "Extended the time to answer a request, with reasons",
    "dsr.request_escalate": "Escalated a request at risk of being late",
    "dsr.request_close": "Closed a data protection request",
    "dsr.package_preview": "Assembled the member's data for a request",
    "dsr.package_send": "Sent the member their data",
    "dsr.package_download": "The requester downloaded their data",
    "dsr.redaction_add": "Withheld a piece of the member's data, with a reason",
    "dsr.redaction_lift": "Disclosed a piece first withheld, with a reason",
    "dsr.redaction_undo": "Took back a decision on withholding",
    "dsr.erase": "Erased the member's data on their request (what the law requires was kept)",
    "dsr.stop_processing": "Stopped a use of the member's data on their request",
    "dsr.public_start": "A data protection request was started on the public form",
    "dsr.retention_run": "Anonymised records past their retention period",
    "exports.request": "Asked for an export of members",
    "exports.approve": "Approved an export",
    "exports.refuse": "Refused an export",
    "exports.make": "Included the member in an export",
    "exports.download": "Downloaded an export that includes the member",
    "exports.expire": "Deleted an expired export's file",
    "exports.fail": "Could not make an export",
    "exports.attribute": "Traced a leaked list to the export it came from",
    "exports.decoy_contact": "Recorded contact reaching a decoy of an export",
    "exports.breach_report": "Recorded the report of a data breach",
    "statistics.publish": "Published a quarter's public statistics",
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
    rows = list(
        EventSubject.objects.filter(person_id=person_id)
        .order_by("-event_id")
        .values_list(
            "event__seq",
            "event__occurred_at",
            "event__actor_person_id",
            "event__actor_user_id",
            "event__actor_label",
            "event__verb",
            "event__purpose",
            "event__data",
        )[:limit]
    )
    from polity.audit.search import _rows  # search builds on this module

    # Who acted, by name and the offices they held then (two queries for the page), never a login name.
    shown = _rows(
        [
            (seq, at, pid, uid, label, verb, purpose, "", "{}")
            for seq, at, pid, uid, label, verb, purpose, _ in rows
        ]
    )
    return [
        AccessLogEntry(
            seq=seq,
            at=at,
            who=str(row.actor),
            verb=verb,
            what=verb_in_words(verb),
            purpose=purpose,
            channel=str(_details(data).get("channel", "")),
        )
        for (seq, at, _pid, _uid, _label, verb, purpose, data), row in zip(rows, shown, strict=True)
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
        .order_by("-occurred_at", "-seq")  # the (verb, occurred_at, seq) index, newest first
        .values_list("data", "occurred_at", "actor_person_id", "actor_user_id", "actor_label")
        .first()
    )
    checked_by = ""
    if last is not None:
        from polity.audit.search import actor_in_words  # search builds on this module

        checked_by = actor_in_words(last[1], last[2], last[3], last[4])
    since = timezone.now() - timedelta(days=days)
    counts = _verb_counts(since)
    return AuditStatus(
        chain_length=head[0],
        head_hash=head[1],
        last_check=_details(last[0]) if last else None,
        last_check_at=last[1] if last else None,
        last_check_by=checked_by,
        verb_counts=[(verb, verb_in_words(verb), n) for verb, n in counts],
        since=since,
    )


_EVENTS = Event._meta.db_table
# Every distinct verb, by a skip scan of the (verb, occurred_at, seq) index: one probe per verb, however long
# the log (PostgreSQL has no skip scan of its own before version 18).
VERBS_CTE = (
    f"v AS ((SELECT verb FROM {_EVENTS} ORDER BY verb LIMIT 1) UNION ALL "  # noqa: S608 (table name only)
    f"SELECT (SELECT e.verb FROM {_EVENTS} e WHERE e.verb > v.verb ORDER BY e.verb LIMIT 1) "
    "FROM v WHERE v.verb IS NOT NULL)"
)


def _verb_counts(since: datetime) -> list[tuple[str, int]]:
    """Events per verb since `since`, most first.

    On PostgreSQL each verb's count is a range of its index (index only), instead of an aggregate over
    every recent event's row: 80 ms against 1.3 s for the last 30 days of a 5,000,000-event log.
    """
    if connection.vendor != "postgresql":
        rows = Event.objects.filter(occurred_at__gte=since).values_list("verb").annotate(n=Count("id"))
        return sorted(((verb, n) for verb, n in rows), key=lambda vn: (-vn[1], vn[0]))
    sql = (
        f"WITH RECURSIVE {VERBS_CTE} SELECT v.verb, (SELECT count(*) FROM {_EVENTS} e "  # noqa: S608
        "WHERE e.verb = v.verb AND e.occurred_at >= %s) AS n FROM v WHERE v.verb IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [since])
        rows = cursor.fetchall()
    return sorted(((verb, n) for verb, n in rows if n), key=lambda vn: (-vn[1], vn[0]))


def audit_chain_length(*, actor: Actor) -> int:
    """How many events the chain head records (what a full verification will read). Perm.AUDIT_VIEW only."""
    from polity.access.perms import Perm
    from polity.access.policy import require

    if not actor.is_system:
        require(actor, Perm.AUDIT_VIEW)
    return ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
