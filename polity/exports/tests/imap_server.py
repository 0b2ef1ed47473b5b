"""A small IMAP4rev1 server for the tests: one account, one mailbox, the commands `imap_poll` uses (LOGIN,
SELECT, SEARCH UNSEEN, FETCH RFC822, STORE +FLAGS \\Seen, LOGOUT), over a real socket. It stands in for the
deployment's mail server, as aiosmtpd does for SMTP; Polity's client code (imaplib) runs unchanged."""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    user: str
    password: str
    messages: list[bytes] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)  # message numbers, from 1
    logins: int = 0


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _send(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        box = self.server.box
        self._send("* OK IMAP4rev1 test server ready")
        authenticated = False
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "CAPABILITY":
                self._send("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                user, password = [w.strip('"') for w in re.findall(r'"(?:[^"\\]|\\.)*"|\S+', args)][:2]
                if (user, password) != (box.user, box.password):
                    self._send(f"{tag} NO [AUTHENTICATIONFAILED] wrong user or password")
                    continue
                authenticated = True
                box.logins += 1
            elif not authenticated and command != "LOGOUT":
                self._send(f"{tag} BAD log in first")
                continue
            elif command == "SELECT":
                self._send(f"* {len(box.messages)} EXISTS")
                self._send("* FLAGS (\\Seen)")
                self._send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif command == "SEARCH":
                unseen = [str(n) for n in range(1, len(box.messages) + 1) if n not in box.seen]
                self._send(" ".join(["* SEARCH", *unseen]))
            elif command == "FETCH":
                number = int(args.split()[0])
                raw = box.messages[number - 1]
                self.wfile.write(f"* {number} FETCH (RFC822 {{{len(raw)}}}\r\n".encode() + raw + b")\r\n")
            elif command == "STORE":
                number = int(args.split()[0])
                if "\\Seen" in args:
                    box.seen.add(number)
                self._send(f"* {number} FETCH (FLAGS (\\Seen))")
            elif command == "LOGOUT":
                self._send("* BYE")
                self._send(f"{tag} OK LOGOUT completed")
                return
            else:
                self._send(f"{tag} BAD unknown command")
                continue
            self._send(f"{tag} OK {command} completed")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, box: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.box = box


class ImapServer:
    """`with ImapServer(box) as port:` serves `box` on 127.0.0.1:port until the block ends."""

    def __init__(self, box: Mailbox) -> None:
        self.server = _Server(box)

    def __enter__(self) -> int:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return int(self.server.server_address[1])

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
