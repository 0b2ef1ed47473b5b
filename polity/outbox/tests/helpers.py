"""Helpers shared by the outbox tests."""

from __future__ import annotations


def give_consent(person, purpose: str = "campaigning", channel: str = "email", action: str = "given"):  # type: ignore[no-untyped-def]
    """The member's own web-form consent (or withdrawal), through the consent service."""
    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.consent.services import consent_record

    user = User.objects.filter(person=person).first()
    actor = Actor.for_user(user) if user else Actor(user_id=None, person_id=person.pk, label="member")
    return consent_record(
        actor=actor, person=person, purpose=purpose, channel=channel, action=action, method="web_form"
    )


def free_port() -> int:
    """A port nobody listens on right now (aiosmtpd's Controller cannot take port 0)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """An aiosmtpd handler that counts messages and connections, and can answer with an error code."""

    def __init__(self, answers=None):  # type: ignore[no-untyped-def]
        import threading

        self.answers = answers or {}  # recipient -> "451 ..." / "550 ..."
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.peers: set[object] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        answer = self.answers.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.lock:
            self.peers.add(session.peer)
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def start_smtp(handler, port: int | None = None):  # type: ignore[no-untyped-def]
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller
