"""`polity decoy_smtp [--host H] [--port P]`: receive mail for the decoy domains (POLITY_DECOY_MAIL_DOMAINS);
mail to a decoy raises an alert to the data protection officers. Refuses every other domain."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from django.core.management.base import BaseCommand, CommandError

from polity.exports.inbound import DecoyHandler, decoy_domains


class Command(BaseCommand):
    help = "Run the SMTP endpoint for the decoy domains: mail reaching a decoy alerts the DPO."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="0.0.0.0")  # noqa: S104 - it is the domains' mail exchanger
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        controller = Controller(DecoyHandler(), hostname=options["host"], port=options["port"])
        try:
            controller.start()
        except (OSError, RuntimeError) as error:
            raise CommandError(
                f"decoy_smtp: cannot listen on {options['host']}:{options['port']}: {error}"
            ) from error
        self.stdout.write(
            f"decoy_smtp: receiving mail for {', '.join(sorted(decoy_domains()))} on {options['port']}"
        )
        try:
            stop.wait()
        finally:
            controller.stop()
