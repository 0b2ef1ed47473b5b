"""The message writer: what the standard library parses back is what we meant to send."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest

from polity.outbox.mime import build_message


def _parse(raw: bytes):  # type: ignore[no-untyped-def]
    return message_from_bytes(raw, policy=default)


def test_ascii_message_round_trips_with_our_headers():
    raw = build_message(
        sender="Polity <noreply@polity.invalid>",
        to="mina@example.invalid",
        subject="Branch meeting",
        body="Dear Mina,\nSee you.\n",
        message_id="<1.2.polity@polity.invalid>",
        extra=[
            ("List-Unsubscribe", "<https://x.invalid/u/t/>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ],
    )
    msg = _parse(raw)
    assert msg["From"] == "Polity <noreply@polity.invalid>"
    assert msg["To"] == "mina@example.invalid"
    assert msg["Message-ID"] == "<1.2.polity@polity.invalid>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content().replace("\r\n", "\n") == "Dear Mina,\nSee you.\n"
    assert b"\r\n\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_non_ascii_and_long_lines_are_encoded():
    body = "Cymraeg: Ŵyl Dewi — £5 ✓\n" + "x" * 2000
    raw = build_message(
        sender="Plaid Ŵyl <a@b.invalid>",
        to="c@d.invalid",
        subject="Cyfarfod — Ŵyl",
        body=body,
        message_id="<m@x>",
        extra=[],
    )
    assert raw.isascii()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    msg = _parse(raw)
    assert msg["Subject"] == "Cyfarfod — Ŵyl"
    assert msg.get_content().replace("\r\n", "\n").rstrip("\n") == body
    assert "Ŵyl" in str(msg["From"])


@pytest.mark.parametrize("field", ["subject", "to", "message_id"])
def test_line_breaks_cannot_inject_headers(field):
    kwargs = {
        "sender": "a@b.invalid",
        "to": "c@d.invalid",
        "subject": "s",
        "body": "b",
        "message_id": "<m@x>",
        "extra": [],
    }
    kwargs[field] = "x\r\nBcc: victim@example.invalid"
    with pytest.raises(ValueError):
        build_message(**kwargs)
