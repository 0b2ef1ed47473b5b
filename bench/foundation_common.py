"""Shared set-up for the foundation benchmarks: Django with our settings, and what machine this is.

Run against PostgreSQL, e.g.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_bench python bench/foundation_demo.py
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("note: the targets are for PostgreSQL; set DATABASE_URL=postgres://...", file=sys.stderr)


def machine() -> str:
    from django.db import connection

    model = platform.processor() or "?"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")),
            model,
        )
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            db = connection.vendor
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{when}; {os.cpu_count()} cores ({model}); load {load}; {db}; Python {platform.python_version()}"


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


class CpuClock:
    """CPU seconds used by this process and by its PostgreSQL backend (same machine) during a block.

    On a shared, loaded machine wall time mostly measures the neighbours; client + server CPU time is
    what the work itself costs, and bounds what an idle machine would take.
    """

    def __init__(self) -> None:
        from django.db import connection

        self.backend_pid = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend_pid = cursor.fetchone()[0]

    def _server(self) -> float:
        if self.backend_pid is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> CpuClock:
        import time

        self._wall, self._client, self._srv = time.perf_counter(), time.process_time(), self._server()
        return self

    def __exit__(self, *exc: object) -> None:
        import time

        self.wall = time.perf_counter() - self._wall
        self.client = time.process_time() - self._client
        self.server = self._server() - self._srv

    def __str__(self) -> str:
        return f"{self.wall:.1f} s wall (CPU: {self.client:.1f} s client + {self.server:.1f} s database)"


# Serving over HTTP: the web benchmarks (elections_bench.py web, meetings_bench.py vote) start gunicorn with
# the production configuration and count the CPU of its processes and of their PostgreSQL backends.


def serve(port: int, workers: int, threads: int = 4) -> subprocess.Popen[bytes]:
    """gunicorn (config/gunicorn.py) on 127.0.0.1:`port`, in its own process group; returns once it listens."""
    import socket
    import time

    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
           "GUNICORN_THREADS": str(threads), "GUNICORN_ACCESS_LOG": ""}  # fmt: skip
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    import signal

    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(master: int) -> list[int]:
    """The gunicorn master, its workers, and the PostgreSQL backends serving this database (other than ours)."""
    from django.db import connection

    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids += [row[0] for row in cursor.fetchall()]
    return pids


class ServerCpu:
    """CPU seconds of the gunicorn processes and their PostgreSQL backends during a block.

    Sampled every quarter second in a thread: Django closes a connection older than CONN_MAX_AGE (60 s) after
    a request, and a backend that exits takes its CPU count with it, so reading the processes only at the start
    and the end would miss the CPU of every backend replaced meanwhile. The last sample of each process counts
    (at most a quarter second of a replaced backend's work is missed)."""

    def __init__(self, master: int) -> None:
        self.master = master

    def _sample(self) -> None:
        for pid in server_pids(self.master):
            now = cpu_seconds([pid])
            if pid not in self.start:
                self.start[pid] = 0.0 if self.started else now
            if now >= self.last.get(pid, 0.0):
                self.last[pid] = now

    def _run(self) -> None:
        from django.db import connection

        while not self.done.wait(0.25):
            self._sample()
        connection.close()  # this thread's own

    def __enter__(self) -> ServerCpu:
        import threading

        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.started = False
        self._sample()
        self.started = True
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()
        self._sample()
        self.seconds = sum(self.last[pid] - self.start[pid] for pid in self.last)


def signed_in_sessions(people: list[int], username: str) -> dict[int, str]:
    """A signed-in session for each person (person id -> session key), making their accounts if need be
    (`username` + the person's id, no usable password). An office holder's session also passes the second
    factor, as it must before any page (without it the server sends them to /accounts/verify/)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.access.policy import needs_second_factor
    from polity.accounts.models import User
    from polity.common.actor import Actor

    have = set(User.objects.filter(person_id__in=people).values_list("person_id", flat=True))
    User.objects.bulk_create(
        [User(username=f"{username}{p}", person_id=p, password="!") for p in people if p not in have],
        batch_size=2000,
    )
    keys: dict[int, str] = {}
    for user in User.objects.filter(person_id__in=people):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if needs_second_factor(Actor.for_user(user)):
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        keys[user.person_id] = session.session_key
    return keys
