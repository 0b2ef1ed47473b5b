"""A small, fast writer for the one kind of message we send: plain text, one recipient, our own headers.

The standard library's EmailMessage (policy SMTP) re-parses and refolds every header and cost more than
the SMTP conversation itself in the delivery benchmark. This writer produces the same RFC 5322 message
directly: headers are ours or checked (no CR/LF can reach them), non-ASCII header text is RFC 2047
encoded, and bodies that are not short-lined ASCII go out quoted-printable in UTF-8.
"""

from __future__ import annotations

import binascii
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

MAX_LINE = 998


def _clean(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("header values may not contain line breaks")
    return value


def _text_header(value: str) -> str:
    value = _clean(value)
    if value.isascii() and len(value) < 900:
        return value
    return Header(value, "utf-8", maxlinelen=76).encode()


def _address_header(value: str) -> str:
    value = _clean(value)
    if value.isascii():
        return value
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8")


def _attachment_name(name: str) -> str:
    clean = "".join(c for c in name if c.isalnum() or c in "._-") or "attachment"
    return clean[:80]


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    extra: list[tuple[str, str]],
    reply_to: str = "",
    attachments: tuple[tuple[str, str, str], ...] = (),
) -> bytes:
    """The message; with `attachments` ((file name, content type, text), e.g. a meeting's .ics file) it is
    multipart/mixed: the text first, then each attachment in base64."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if text.isascii() and all(len(line) <= MAX_LINE for line in lines):
        encoding = "7bit"
        payload = "\r\n".join(lines).encode("ascii")
    else:
        encoding = "quoted-printable"
        payload = binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
    if not payload.endswith(b"\r\n"):
        payload += b"\r\n"
    content = [("Content-Type", 'text/plain; charset="utf-8"'), ("Content-Transfer-Encoding", encoding)]
    if attachments:
        boundary = f"polity-{binascii.hexlify(message_id.encode('utf-8'))[:32].decode('ascii')}"
        parts = [b"--" + boundary.encode() + b"\r\n" + _head(content) + b"\r\n" + payload]
        for name, content_type, text in attachments:
            encoded = binascii.b2a_base64(text.encode("utf-8"), newline=False)
            chunks = b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)) + b"\r\n"
            filename = _attachment_name(name)
            head = [
                ("Content-Type", f'{_clean(content_type)}; charset="utf-8"; name="{filename}"'),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
                ("Content-Transfer-Encoding", "base64"),
            ]
            parts.append(b"--" + boundary.encode() + b"\r\n" + _head(head) + b"\r\n" + chunks)
        payload = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
        content = [("Content-Type", f'multipart/mixed; boundary="{boundary}"')]
    headers = [
        ("From", _address_header(sender)),
        ("To", _address_header(to)),
        ("Subject", _text_header(subject)),
        ("Date", formatdate(usegmt=True)),
        ("Message-ID", _clean(message_id)),
        *([("Reply-To", _address_header(reply_to))] if reply_to else []),
        *((name, _clean(value)) for name, value in extra),
        ("MIME-Version", "1.0"),
        *content,
    ]
    return _head(headers) + b"\r\n" + payload


def _head(headers: list[tuple[str, str]]) -> bytes:
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii")
