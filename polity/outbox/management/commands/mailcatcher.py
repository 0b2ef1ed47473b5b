"""`polity mailcatcher [--host H] [--port P] [--optional]`: catch outgoing mail locally, shown at /outbox/caught/.

`polity run` starts it with --optional: when POLITY_EMAIL_URL points elsewhere, or the port is taken
(another catcher already runs), it says so and idles instead of stopping `polity run` with it.
"""

from __future__ import annotations

import logging
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
        parser.add_argument("--optional", action="store_true", help="idle instead of failing when not needed")

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every peer at INFO
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        configured = catcher_address()
        if configured is None and options["optional"]:
            self.stdout.write("mailcatcher: POLITY_EMAIL_URL is not a local SMTP server; not catching mail")
            stop.wait()
            return
        host = options["host"] or (configured or ("127.0.0.1", 1025))[0]
        port = options["port"] or (configured or ("127.0.0.1", 1025))[1]
        controller = Controller(CatchingHandler(), hostname=host, port=port)
        try:
            controller.start()
        except (OSError, RuntimeError) as error:
            if not options["optional"]:
                raise CommandError(f"mailcatcher: cannot listen on {host}:{port}: {error}") from error
            self.stderr.write(f"mailcatcher: {host}:{port} is taken; mail goes to whatever listens there")
            stop.wait()
            return
        self.stdout.write(f"mailcatcher: catching mail on {host}:{port}; see /outbox/caught/")
        try:
            stop.wait()
        finally:
            controller.stop()
