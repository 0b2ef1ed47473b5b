"""Words for the codes Polity stores: the one place that maps a code to what a person reads.

Templates use the `label` filter (polity.web.templatetags.polity_web); `plain_rule` drops the internal
references ("invariant 3", "DESIGN invariant 8") and rule keys ("access.restriction_review_max@3") that
mean something to developers and auditors but nothing to the person reading a page.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

LABELS: dict[str, str] = {
    # Lawful bases of contact (rulebook [purposes.*] basis).
    "legitimate_interest": "Legitimate interest",
    "legal_obligation": "Legal obligation",
    "contract": "Contract (membership)",
    "consent": "Consent",
    "vital_interests": "Vital interests",
    "public_task": "Public task",
    # Payment methods.
    "direct_debit": "Direct debit",
    "standing_order": "Standing order",
    "bank_transfer": "Bank transfer",
    "card": "Card",
    "cash": "Cash",
    "cheque": "Cheque",
    # Channels.
    "email": "Email",
    "sms": "Text message",
    "post": "Post",
    # Why a message did not go to someone.
    "no_consent": "No consent for this purpose and channel",
    "objected": "Objected to or restricted this use of their data",
    "suppressed": "Unsubscribed or suppressed",
    "no_address": "No address for this channel",
    # Merge fields, as they read in a subject or text not yet merged.
    "meeting_title": "meeting title",
    "meeting_date": "meeting date",
    "meeting_time": "meeting time",
    "meeting_place": "meeting place",
    "meeting_agenda": "meeting agenda",
    "given_name": "given name",
    "family_name": "family name",
    "sender_unit": "sending unit",
    "body_name": "body",
    # Attendance at a meeting, and how a motion was voted on.
    "present": "Present",
    "apology": "Apologies",
    "left": "Left the meeting",
    "secret": "Secret vote",
    "named": "Named vote",
    "counts": "Show of hands",
    # Which part of a body an audience takes.
    "members": "Members",
    "delegates": "Delegates",
}

# What a download link says for each export file format (polity.exports.models.Format).
DOWNLOADS: dict[str, str] = {
    "csv": "Download the CSV file",
    "xlsx": "Download the Excel workbook",
    "pdf": "Download the sign-in sheet (PDF)",
}

_MERGE_FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_INTERNAL_REF = re.compile(r"\s*\((?:DESIGN )?invariants? [\d, and-]+\)")
_RULE_KEY = re.compile(r"\b[a-z_]+(?:\.[a-z_]+)+@\d+\b")


def label(code: object) -> str:
    """The words for a code; an unknown code reads as words too ("first_notice" → "First notice"), and a
    permission by its area and action ("members.view_contact" → "Members: view contact")."""
    text = "" if code is None else str(code)
    if text in LABELS:
        return LABELS[text]
    area, dot, action = text.partition(".")
    if dot:
        return f"{area.replace('_', ' ').capitalize()}: {action.replace('_', ' ').replace('.', ' ')}"
    return text.replace("_", " ").capitalize()


def download_label(file_format: object) -> str:
    """What a link to an export's file says: "Download the CSV file"."""
    return DOWNLOADS.get(str(file_format), "Download the file")


def audience_in_words(audience: Any) -> str:
    """A saved audience as a person tells one from another: its name, who is in it, within which unit, and
    when it was made: "Branch meeting (meeting notice): members of Branch meeting, in North A, made 5 Dec
    2026 13:02". Takes a polity.comms Audience (duck-typed: name, unit, body, body_part, created_at)."""
    from django.utils import timezone

    who = f"{label(audience.body_part).lower()} of {audience.body.name}, " if audience.body_id else ""
    made = timezone.localtime(audience.created_at)
    return f"{audience.name}: {who}in {audience.unit.name}, made {made.day} {made:%b %Y %H:%M}"


def merge_fields_as_words(text: str) -> str:
    """A subject with its merge fields unfilled: "Notice of meeting: {{ meeting_title }}" reads
    "Notice of meeting: [meeting title]"."""
    return _MERGE_FIELD.sub(lambda m: f"[{LABELS.get(m.group(1), m.group(1).replace('_', ' '))}]", text)


def plain_rule(text: object) -> str:
    """A rule or refusal as a person reads it: without internal references and rule keys."""
    plain = _INTERNAL_REF.sub("", "" if text is None else str(text))
    return _RULE_KEY.sub("the rulebook", plain).strip()


def due_in_words(due: datetime, now: datetime) -> str:
    """How far off a deadline is, as a person says it: "due within a day", "due in 5 days",
    "overdue by 1 day", "overdue by 2 days" (whole days, counted from now)."""
    seconds = (due - now).total_seconds()
    if seconds >= 0:
        days = math.floor(seconds / 86400)
        if days == 0:
            return "due within a day"
        return "due in 1 day" if days == 1 else f"due in {days} days"
    days = math.floor(-seconds / 86400)
    if days == 0:
        return "overdue by less than a day"
    return "overdue by 1 day" if days == 1 else f"overdue by {days} days"


_DURATION = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")
_DURATION_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}


def duration_words(text: object) -> str:
    """A rulebook duration as people say it: "7d" → "7 days", "1m" → "1 month"; anything else unchanged."""
    match = _DURATION.match("" if text is None else str(text))
    if not match:
        return "" if text is None else str(text)
    amount, unit = int(match.group(1)), _DURATION_UNITS[match.group(2)]
    return f"{amount} {unit}{'' if amount == 1 else 's'}"
