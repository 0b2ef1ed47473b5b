"""The wire: SMTP (smtplib, one connection reused for a batch), and in-memory transports for tests.

A transport answers each message with an Outcome: sent, temporary (try again later) or permanent.
Errors carry an SMTP code and a class name only, never an address or a server's free text, because
last_error is shown to officers and kept.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from polity.outbox.email_url import DEFAULT_EMAIL_URL, EmailConfig, parse_email_url
from polity.outbox.mime import build_message


class Result(StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Outcome:
    result: Result
    error: str = ""


SENT = Outcome(Result.SENT)


@dataclass(frozen=True)
class Email:
    sender: str
    to: str
    subject: str
    body: str
    message_id: str
    unsubscribe_url: str = ""  # empty: no List-Unsubscribe (a test a sender sends to themselves)
    reply_to: str = ""  # the sending unit's address, so replies reach its officers, not a person's own
    # (file name, content type, text): e.g. a meeting notice's calendar file.
    attachments: tuple[tuple[str, str, str], ...] = ()

    def to_bytes(self) -> bytes:
        extra: list[tuple[str, str]] = []
        if self.unsubscribe_url:
            extra += [
                ("List-Unsubscribe", f"<{self.unsubscribe_url}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ]
        return build_message(
            sender=self.sender,
            to=self.to,
            subject=self.subject,
            body=self.body,
            message_id=self.message_id,
            extra=extra,
            reply_to=self.reply_to,
            attachments=self.attachments,
        )

    def to_message(self) -> EmailMessage:
        """The message as the standard library parses it (tests and the catcher page)."""
        return message_from_bytes(self.to_bytes(), policy=default)


@dataclass(frozen=True)
class Sms:
    to: str
    body: str
    message_id: str


@dataclass(frozen=True)
class Letter:
    """A letter for the post: the address block (name, address line, postcode), the subject as its heading,
    the body, and the reference printed at its foot (the entry's message id, to trace a returned letter)."""

    to: tuple[str, ...]
    subject: str
    body: str
    reference: str
    sender: str = ""  # the sending unit's name, printed above the address

    def text(self) -> str:
        head = [self.sender, ""] if self.sender else []
        return "\n".join([*head, *self.to, "", self.subject, "", self.body, "", f"Ref. {self.reference}", ""])


class EmailTransport(Protocol):
    def send(self, email: Email) -> Outcome: ...
    def close(self) -> None: ...


class SmsTransport(Protocol):
    def send(self, sms: Sms) -> Outcome: ...
    def close(self) -> None: ...


class PostTransport(Protocol):
    def send(self, letter: Letter) -> Outcome: ...
    def close(self) -> None: ...


def _classify(code: int, name: str) -> Outcome:
    if 400 <= code < 500:
        return Outcome(Result.TEMPORARY, f"{code} {name}")
    return Outcome(Result.PERMANENT, f"{code} {name}")


class SmtpTransport:
    """One SMTP connection, opened on first use and reused until close() or a failure."""

    def __init__(self, config: EmailConfig) -> None:
        self.config = config
        self._conn: smtplib.SMTP | None = None
        self._down = False  # the server could not be reached: fail the rest of the batch fast

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        conn: smtplib.SMTP
        if c.use_ssl:
            conn = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        conn.ehlo()
        if c.use_starttls:
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        if c.username:
            conn.login(c.username, c.password)
        return conn

    def send(self, email: Email) -> Outcome:
        if self._down:
            return Outcome(Result.TEMPORARY, "connection unavailable")
        for attempt in (1, 2):
            try:
                if self._conn is None:
                    self._conn = self._connect()
                refused = self._conn.sendmail(email.sender, [email.to], email.to_bytes())
            except smtplib.SMTPServerDisconnected:
                # A reused connection the server closed: reconnect once, then give up for this batch.
                self._drop()
                if attempt == 2:
                    self._down = True
                    return Outcome(Result.TEMPORARY, "server disconnected")
                continue
            except smtplib.SMTPRecipientsRefused as exc:
                code = next(iter(exc.recipients.values()))[0] if exc.recipients else 550
                return _classify(int(code), "recipient refused")
            except smtplib.SMTPResponseException as exc:
                return _classify(int(exc.smtp_code), type(exc).__name__)
            except (smtplib.SMTPNotSupportedError, ValueError) as exc:
                # This message cannot be written or sent (e.g. a line break or non-ASCII in the address):
                # no retry will help, and the connection is fine for the others.
                return Outcome(Result.PERMANENT, f"invalid message ({type(exc).__name__})")
            except (OSError, smtplib.SMTPException) as exc:
                # Connection refused, timeouts, TLS failures: temporary by nature.
                self._drop()
                self._down = True
                return Outcome(Result.TEMPORARY, type(exc).__name__)
            if refused:
                code = next(iter(refused.values()))[0]
                return _classify(int(code), "recipient refused")
            return SENT
        return Outcome(Result.TEMPORARY, "server disconnected")  # pragma: no cover - loop always returns

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._conn.close()
        self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(TimeoutError, OSError, smtplib.SMTPException):
                self._conn.quit()
        self._drop()


@dataclass
class MemoryOutbox:
    """What the memory transports 'sent', for tests. Thread-safe; clear() between tests."""

    emails: list[Email] = field(default_factory=list)
    sms: list[Sms] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.emails.clear()
            self.sms.clear()
            self.letters.clear()


memory_outbox = MemoryOutbox()


class MemoryEmailTransport:
    def send(self, email: Email) -> Outcome:
        try:
            email.to_bytes()  # the same checks as the wire
        except ValueError as exc:
            return Outcome(Result.PERMANENT, f"invalid message ({type(exc).__name__})")
        with memory_outbox.lock:
            memory_outbox.emails.append(email)
        return SENT

    def close(self) -> None:
        return None


class MemorySmsTransport:
    """The test SMS transport. A real provider implements SmsTransport the same way."""

    def send(self, sms: Sms) -> Outcome:
        with memory_outbox.lock:
            memory_outbox.sms.append(sms)
        return SENT

    def close(self) -> None:
        return None


def email_config() -> EmailConfig:
    return parse_email_url(getattr(settings, "POLITY_EMAIL_URL", DEFAULT_EMAIL_URL))


class MemoryPostTransport:
    """The test post transport: letters kept in memory."""

    def send(self, letter: Letter) -> Outcome:
        with memory_outbox.lock:
            memory_outbox.letters.append(letter)
        return SENT

    def close(self) -> None:
        return None


class DirectoryPostTransport:
    """Letters written for printing and posting: one UTF-8 text file each in a directory (a print run is the
    directory's new files), named by the letter's reference, so a retry rewrites the same file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, letter: Letter) -> Outcome:
        name = "".join(c if c.isalnum() or c in ".-" else "_" for c in letter.reference.strip("<>"))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / f"{name}.txt").write_text(letter.text(), encoding="utf-8")
        except OSError as exc:
            return Outcome(Result.TEMPORARY, f"letter not written ({type(exc).__name__})")
        return SENT

    def close(self) -> None:
        return None


def post_transport() -> PostTransport:
    """POLITY_POST_URL: memory:// (the default: kept in memory) or file:///path (one text file a letter)."""
    url = getattr(settings, "POLITY_POST_URL", "memory://")
    if url.startswith("memory:"):
        return MemoryPostTransport()
    if url.startswith("file://"):
        return DirectoryPostTransport(Path(url.removeprefix("file://")))
    raise ImproperlyConfigured(f"POLITY_POST_URL: memory:// or file:///path, not {url.split(':', 1)[0]!r}")


def email_transport() -> EmailTransport:
    config = email_config()
    if config.scheme == "memory":
        return MemoryEmailTransport()
    return SmtpTransport(config)


def sms_transport() -> SmsTransport:
    url = getattr(settings, "POLITY_SMS_URL", "memory://")
    if url.startswith("memory:"):
        return MemorySmsTransport()
    raise ImproperlyConfigured(f"POLITY_SMS_URL: no SMS provider for {url.split(':', 1)[0]!r} yet")


def sender_address() -> str:
    return email_config().sender or str(settings.DEFAULT_FROM_EMAIL)
