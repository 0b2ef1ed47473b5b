"""`polity mailcatcher [--host H] [--port P]`: catch outgoing mail locally and show it at /outbox/caught/."""

from __future__ import annotations

import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from django.core.management.base import BaseCommand, CommandError

from polity.outbox.catcher import CatchingHandler, catcher_address


class Command(BaseCommand):
    help = "Run a local SMTP server that keeps every message in the database (development and demos)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=None, help="default: the host of POLITY_EMAIL_URL")
        parser.add_argument("--port", type=int, default=None, help="default: the port of POLITY_EMAIL_URL")

    def handle(self, *args: Any, **options: Any) -> None:
        configured = catcher_address() or ("127.0.0.1", 1025)
        host = options["host"] or configured[0]
        port = options["port"] or configured[1]
        controller = Controller(CatchingHandler(), hostname=host, port=port)
        try:
            controller.start()
        except (OSError, RuntimeError) as error:
            raise CommandError(f"mailcatcher: cannot listen on {host}:{port}: {error}") from error
        self.stdout.write(f"mailcatcher: catching mail on {host}:{port}; see /outbox/caught/")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        try:
            stop.wait()
        finally:
            controller.stop()
