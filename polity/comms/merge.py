"""Safe merge fields for messages: `{{ given_name }}` and friends, from an allow-list, nothing evaluated.

The outbox renders `{{ name }}` by plain substitution. Our public names are translated to the outbox's
recipient fields; unit-wide values (the sender unit, the meeting) travel in the dispatch's context.
"""

from __future__ import annotations

import re

from django.utils import timezone

from polity.common.errors import InvalidInput

FIELD_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
CODE_RE = re.compile(r"\{%|%\}|\{#")

RECIPIENT = {
    "given_name": "first_name",
    "family_name": "last_name",
    "full_name": "full_name",
    "membership_number": "membership_number",
    "unit": "branch",
}
SHARED = ("sender_unit", "body_name")
MEETING = ("meeting_title", "meeting_date", "meeting_time", "meeting_place", "meeting_agenda")


def allowed_fields(*, has_meeting: bool) -> list[str]:
    return [*RECIPIENT, *SHARED, *(MEETING if has_meeting else ())]


def check_fields(*, subject: str, body: str, has_meeting: bool) -> None:
    """Refuse template code and unknown fields, naming them and what is allowed."""
    for where, text in (("subject", subject), ("body", body)):
        if CODE_RE.search(text):
            raise InvalidInput(
                f"{where}: template code is not allowed; use merge fields like {{{{ given_name }}}}"
            )
        stray = re.search(r"\{\{[^{}]{0,40}\}?\}?|\}\}", FIELD_RE.sub("", text))
        if stray:
            raise InvalidInput(
                f"{where}: {stray.group(0)!r} is not a merge field; write one like {{{{ given_name }}}}"
            )
        allowed = set(allowed_fields(has_meeting=has_meeting))
        unknown = sorted(set(FIELD_RE.findall(text)) - allowed)
        if unknown:
            hint = " (meeting fields need a meeting)" if set(unknown) & set(MEETING) else ""
            raise InvalidInput(
                f"{where}: unknown merge field(s) {', '.join(unknown)}{hint}; allowed: {', '.join(sorted(allowed))}"
            )


def to_outbox(text: str) -> str:
    """Rename our recipient fields to the outbox's; shared fields keep their names."""
    return FIELD_RE.sub(lambda m: "{{ " + RECIPIENT.get(m.group(1), m.group(1)) + " }}", text)


def shared_context(*, sender_unit: str, body_name: str = "", meeting: object | None = None) -> dict[str, str]:
    ctx = {"sender_unit": sender_unit, "body_name": body_name}
    if meeting is not None:
        starts = timezone.localtime(meeting.starts_at)  # type: ignore[attr-defined]
        ctx.update(
            meeting_title=meeting.title,  # type: ignore[attr-defined]
            meeting_date=starts.strftime("%A %d %B %Y"),
            meeting_time=starts.strftime("%H:%M"),
            meeting_place=meeting.place,  # type: ignore[attr-defined]
            meeting_agenda=meeting.agenda,  # type: ignore[attr-defined]
        )
    return ctx


def preview(text: str, ctx: dict[str, str]) -> str:
    """The text with shared fields filled and recipient fields shown as placeholders in words, "[given name]"
    (no member data, and no field code on a page)."""
    from polity.common.labels import merge_fields_as_words

    return FIELD_RE.sub(
        lambda m: ctx[m.group(1)] if m.group(1) in ctx else merge_fields_as_words(m.group(0)), text
    )
