"""iCalendar (RFC 5545) text for meetings: one event per meeting, for notices and members' feeds.

Written by hand (a few properties, escaped and folded as the RFC says) rather than with a library: the
format we need is small and stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings

from polity.meetings.models import Meeting, State

DEFAULT_LENGTH = timedelta(hours=2)


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _domain() -> str:
    hosts = [h for h in getattr(settings, "ALLOWED_HOSTS", []) if h and h not in ("*", ".localhost")]
    return (hosts[0] if hosts else "polity.invalid").lstrip(".")


def event_lines(meeting: Meeting, *, now: datetime) -> list[str]:
    description = meeting.agenda or ""
    if meeting.online_link:
        description = f"{description}\n\nOnline: {meeting.online_link}".strip()
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{_domain()}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.starts_at + DEFAULT_LENGTH)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"LOCATION:{_escape(meeting.place)}",
        f"DESCRIPTION:{_escape(description)}",
        f"STATUS:{'CANCELLED' if meeting.state == State.CANCELLED else 'CONFIRMED'}",
    ]
    if meeting.online_link:
        lines.append(f"URL:{meeting.online_link}")
    lines.append("END:VEVENT")
    return lines


def calendar(meetings: Iterable[Meeting], *, name: str, now: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Polity//Meetings//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for meeting in meetings:
        lines.extend(event_lines(meeting, now=now))
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
