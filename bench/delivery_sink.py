"""An SMTP sink for the delivery benchmarks: aiosmtpd on loopback, accepts and counts, keeps nothing.

python bench/delivery_sink.py PORT    prints "ready" when listening; on SIGTERM prints the message count.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages += 1
        return "250 OK"


def main() -> int:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = int(sys.argv[1])
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    print(f"messages {handler.messages}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
