"""`polity run`: migrate, load the demo into an empty database, then serve the web and the task worker.

The web server and the worker (and anything appended to CHILDREN, such as a local mail catcher) run as
child processes, each in its own process group. Ctrl-C or SIGTERM stops them all: SIGTERM first, SIGKILL
after a grace period. If one child dies, the others are stopped too and the exit status says so. On Linux
the children are also told to exit if this process is killed outright, so nothing is left behind.
See docs/decisions/0004-polity-run.md for why the web server is Django's runserver.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from polity.org.selectors import register_is_empty
from polity.outbox.email_url import DEFAULT_EMAIL_URL, parse_email_url

DEMO_USERS = ("national", "regional", "secretary", "branchsec", "dpo", "member", "outsider", "operator")
DEMO_PASSWORD = "polity-demo"
STOP_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class RunOptions:
    host: str
    port: int
    # The local mail catcher's URL when `polity run` chose its port (POLITY_EMAIL_URL left unset); then the
    # catcher must listen there or everything stops, so no mail goes to another program on a taken port.
    mail_url: str | None = None


@dataclass(frozen=True)
class Child:
    """A long-running process started by `polity run`: `argv(options)` gives its command line."""

    name: str
    argv: Callable[[RunOptions], list[str]]


def polity_command(*args: str) -> list[str]:
    """The command line of a `polity` subcommand, with this very interpreter and settings."""
    return [sys.executable, "-m", "polity.cli", *args]


# Append here to start more processes with `polity run` (e.g. a local mail catcher for the demo).
CHILDREN: list[Child] = [
    Child("web", lambda o: polity_command("runserver", f"{o.host}:{o.port}", "--noreload")),
    Child("worker", lambda o: polity_command("db_worker", "--no-reload")),
    # Periodic jobs (deadline escalation, automations, arrears): polity.common.schedule.
    Child("scheduler", lambda o: polity_command("scheduler")),
    # The local mail catcher (polity.outbox). On the port `polity run` chose it must start; with a
    # POLITY_EMAIL_URL set by hand it idles when that is not local or taken (the operator's own catcher).
    Child("mail", lambda o: polity_command("mailcatcher", *([] if o.mail_url else ["--optional"]))),
]


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """Ask Linux to send the child SIGTERM when `polity run` dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Supervisor:
    """Start children together; stop them all, cleanly, when asked or when one of them exits."""

    def __init__(self, commands: list[tuple[str, list[str]]], *, env: dict[str, str] | None = None) -> None:
        self.commands = commands
        self.env = env
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False

    def start(self) -> None:
        for name, argv in self.commands:
            self.procs[name] = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                argv, env=self.env, start_new_session=True, preexec_fn=_die_with_parent
            )

    def request_stop(self, signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        self.stopping = True

    def wait(self, *, poll: float = 0.2) -> tuple[str | None, int]:
        """Block until a stop is requested or a child exits: (name of the child that exited, its code)."""
        while not self.stopping:
            for name, proc in self.procs.items():
                code = proc.poll()
                if code is not None:
                    return name, code
            time.sleep(poll)
        return None, 0

    def stop(self, *, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM every child's process group, then SIGKILL whatever is still there after `grace`."""
        for proc in self.procs.values():
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
            _signal_group(proc, signal.SIGKILL)  # anything the child itself left in its group


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def local_mail_url(environ: Mapping[str, str]) -> str | None:
    """Where the demo's mail goes when POLITY_EMAIL_URL is not set: the local catcher on its usual port if
    that is free, else on a free port the system gives (never to whatever already listens on the usual
    one). None when POLITY_EMAIL_URL is set: the operator chose where mail goes."""
    if environ.get("POLITY_EMAIL_URL"):
        return None
    default = parse_email_url(DEFAULT_EMAIL_URL)
    port = default.port if port_is_free(default.host, default.port) else free_port(default.host)
    return f"smtp://{default.host}:{port}"


def wait_for_port(host: str, port: int, *, timeout: float, alive: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def allowed_hosts(host: str) -> str:
    """The host names the web server answers to with DEBUG off: this machine's, and the one it listens on."""
    hosts = ["127.0.0.1", "localhost"]
    if host not in hosts and host not in ("0.0.0.0", "::"):  # noqa: S104 (compared, not bound)
        hosts.append(host)
    return ",".join(hosts)


_LOCAL_SITE = re.compile(r"http://(?:127\.0\.0\.1|localhost):\d+/")


def site_url(run: RunOptions) -> str:
    """Where this run serves, as links in mail and the demo logins file should say it."""
    host = "127.0.0.1" if run.host in ("0.0.0.0", "::", "") else run.host  # noqa: S104 (compared, not bound)
    return f"http://{host}:{run.port}/"


def demo_logins_text(url: str) -> str:
    """What the demo command left for us (logins, TOTP secrets, backup codes), or the bare logins."""
    path = Path(settings.VAR_DIR) / "demo-logins.txt"
    if path.exists():
        # Written with the address of the run that made the demo: name this run's.
        return _LOCAL_SITE.sub(url, path.read_text(encoding="utf-8"))
    return f"Demo logins: {', '.join(DEMO_USERS)} (password {DEMO_PASSWORD}).\n"


class Command(BaseCommand):
    help = "Migrate, load the demo when the database is empty, and run the web server and task worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="never load the demo organisation")
        parser.add_argument("--demo-members", type=int, default=None, help="size of the demo register")

    def handle(self, *args: Any, **options: Any) -> None:
        run = RunOptions(host=options["host"], port=options["port"], mail_url=local_mail_url(os.environ))
        if not port_is_free(run.host, run.port):
            raise CommandError(f"port {run.port} on {run.host} is in use: stop what uses it or set PORT=")
        if not os.environ.get("POLITY_BASE_URL"):
            # Links in mail (unsubscribe, notices) and the demo logins file name the port actually served.
            settings.POLITY_BASE_URL = site_url(run).rstrip("/")
        self.bootstrap(no_demo=options["no_demo"], demo_members=options["demo_members"])
        env = {**os.environ, "PORT": str(run.port), "PYTHONUNBUFFERED": "1"}
        env.setdefault("POLITY_BASE_URL", str(settings.POLITY_BASE_URL))
        if run.mail_url:
            env["POLITY_EMAIL_URL"] = run.mail_url  # every child sends to the catcher on the port chosen
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        # The demo's users meet Polity's own error pages, never Django's debug pages (WhiteNoise serves the
        # static files without DEBUG); POLITY_DEBUG=1 set by hand still turns debugging on.
        env.setdefault("POLITY_DEBUG", "0")
        env.setdefault("POLITY_DEMO", "1")
        env.setdefault("POLITY_ALLOWED_HOSTS", allowed_hosts(run.host))
        env.setdefault("DJANGO_RUNSERVER_HIDE_WARNING", "true")
        supervisor = Supervisor([(c.name, c.argv(run)) for c in CHILDREN], env=env)
        previous = {s: signal.signal(s, supervisor.request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            supervisor.start()
            started = ", ".join(f"{name} (pid {p.pid})" for name, p in supervisor.procs.items())
            self.stdout.write(f"Started {started}.")
            web = supervisor.procs.get("web")
            up = wait_for_port(
                run.host, run.port, timeout=30, alive=lambda: web is None or web.poll() is None
            )
            if up:
                self.stdout.write(self.banner(run))
            name, code = supervisor.wait()
        finally:
            supervisor.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if name is not None:
            raise CommandError(f"{name} exited with status {code}; stopped the others", returncode=code or 1)
        self.stdout.write(f"Stopped {', '.join(supervisor.procs)}.")

    def bootstrap(self, *, no_demo: bool, demo_members: int | None) -> None:
        self.stdout.write("Applying database migrations…")
        call_command("migrate", interactive=False, verbosity=0)
        if no_demo or not register_is_empty():
            return
        if "demo" not in get_commands():
            self.stdout.write("The database is empty and there is no demo command: starting empty.")
            return
        self.stdout.write("The database is empty: loading the demo organisation…")
        report = io.StringIO()
        call_command("demo", stdout=report, **({"members": demo_members} if demo_members else {}))
        # Its summary only: the logins it also prints come once, in the banner, when the server is up.
        self.stdout.write(report.getvalue().strip().split("\n\n")[0])

    def banner(self, run: RunOptions) -> str:
        url = site_url(run)
        rule = "─" * 72
        catcher = ""
        if run.mail_url and run.mail_url != DEFAULT_EMAIL_URL:
            catcher = f"The usual mail port was taken: the mail catcher listens at {run.mail_url} instead.\n"
        return (
            f"\n{rule}\nPolity is running. Open {url} and sign in (start with 'secretary').\n"
            f"API: {url}api/v1/docs · mail it sends is caught at {url}outbox/caught/ · stop with Ctrl-C.\n"
            f"{catcher}{rule}\n{demo_logins_text(url)}{rule}"
        )
