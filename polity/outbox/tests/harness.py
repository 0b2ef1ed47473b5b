"""A world for reliability tests and benchmarks: a fresh database, real db_worker processes, an SMTP sink.

The database is a new SQLite file, or a new PostgreSQL database when DATABASE_URL names a PostgreSQL
server, so worker processes and the test see the same committed data.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[3]
_names = itertools.count(1)
MESSAGE_ID_RE = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


class CountingSink:
    """aiosmtpd handler that counts deliveries per Message-ID (duplicates are visible)."""

    def __init__(self) -> None:
        self.by_id: collections.Counter[bytes] = collections.Counter()
        self.recipients: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        match = MESSAGE_ID_RE.search(envelope.original_content or b"")
        with self.lock:
            self.by_id[match.group(1) if match else b"?"] += 1
            for rcpt in envelope.rcpt_tos:
                self.recipients[rcpt] += 1
        return "250 OK"

    @property
    def received(self) -> int:
        with self.lock:
            return sum(self.by_id.values())

    @property
    def distinct(self) -> int:
        with self.lock:
            return len(self.by_id)


def wait_until(check: Callable[[], bool], *, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


class World:
    def __init__(self, tmp_path: Path, *, email_url: str, outbox: dict[str, float]) -> None:
        self.tmp_path = tmp_path
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        base = os.environ.get("DATABASE_URL", "")
        self.pg_admin = ""
        if base.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(base)
            name = f"outbox_world_{os.getpid()}_{next(_names)}"
            self.pg_admin = urlunsplit(parts._replace(path="/postgres"))
            self.pg_name = name
            self.database_url = urlunsplit(parts._replace(path=f"/{name}"))
            self._pg_exec(f'DROP DATABASE IF EXISTS "{name}"')
            self._pg_exec(f'CREATE DATABASE "{name}"')
        else:
            self.sqlite_path = tmp_path / "world.sqlite3"
            self.database_url = f"sqlite:///{self.sqlite_path}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("POLITY_", "DJANGO_"))},
            "DATABASE_URL": self.database_url,
            "DJANGO_SETTINGS_MODULE": "polity.outbox.tests.worker_settings",
            "POLITY_EMAIL_URL": email_url,
            "POLITY_OUTBOX_JSON": json.dumps(outbox),
            "PYTHONUNBUFFERED": "1",
        }

    def _pg_exec(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def run(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise AssertionError(f"{args} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def migrate(self) -> None:
        self.run("-m", "polity.cli", "migrate", "-v0")

    def scenario(self, *args: str) -> Any:
        return json.loads(self.run("-m", "polity.outbox.tests.scenario", *args).strip().splitlines()[-1])

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"worker-{name}.log").open("ab")
        proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "polity.cli",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers[name] = proc
        return proc

    def kill_worker(self, name: str) -> None:
        proc = self.workers.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.pg_admin:
            import psycopg

            with psycopg.connect(self.database_url) as conn:
                return list(conn.execute(sql).fetchall())  # type: ignore[arg-type]
        with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=30)) as conn:
            return list(conn.execute(sql).fetchall())

    def counts(self) -> dict[str, int]:
        return {
            state: n
            for state, n in self.query("SELECT state, COUNT(*) FROM outbox_outboxentry GROUP BY state")
        }

    def close(self) -> None:
        for proc in self.workers.values():
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        for proc in self.workers.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        self.workers.clear()
        if self.pg_admin:
            self._pg_exec(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-3000:] for p in sorted(self.tmp_path.glob("worker-*.log"))
        )


@contextlib.contextmanager
def world(tmp_path: Path, *, email_url: str, outbox: dict[str, float]) -> Iterator[World]:
    w = World(tmp_path, email_url=email_url, outbox=outbox)
    try:
        yield w
    finally:
        w.close()
