"""`polity run`: bootstrap (migrate, demo when empty) and the supervisor that starts and stops children."""

from __future__ import annotations

import io
import os
import re
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from polity.common.management.commands import run as run_command
from polity.common.management.commands.run import CHILDREN, RunOptions, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
# A child that starts a grandchild of its own (as a server with a reloader would) and ignores nothing.
PARENT_OF_GRANDCHILD = [
    sys.executable,
    "-c",
    "import subprocess, sys, time; "
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
    "print(p.pid, flush=True); time.sleep(120)",
]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(120)",
]


def gone(pid: int) -> bool:
    """True when no live process has this pid (a zombie waiting for init to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state


def wait_until(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_stop_ends_every_child_and_their_children():
    sup = Supervisor([("a", SLEEPER), ("b", PARENT_OF_GRANDCHILD)], env={**os.environ})
    sup.procs["b"] = subprocess.Popen(PARENT_OF_GRANDCHILD, start_new_session=True, stdout=subprocess.PIPE)
    sup.procs["a"] = subprocess.Popen(SLEEPER, start_new_session=True)
    grandchild = int(sup.procs["b"].stdout.readline())  # type: ignore[union-attr]
    pids = [p.pid for p in sup.procs.values()] + [grandchild]
    assert not any(gone(pid) for pid in pids)
    sup.request_stop()
    assert sup.wait() == (None, 0)
    sup.stop(grace=5)
    assert wait_until(lambda: all(gone(pid) for pid in pids)), pids


def test_start_runs_every_command_in_its_own_process_group():
    sup = Supervisor([("a", SLEEPER), ("b", SLEEPER)])
    sup.start()
    try:
        groups = {os.getpgid(p.pid) for p in sup.procs.values()}
        assert groups == {p.pid for p in sup.procs.values()}
        assert os.getpgid(0) not in groups
    finally:
        sup.stop(grace=5)
    assert all(p.returncode is not None for p in sup.procs.values())


def test_a_child_that_dies_stops_the_others():
    sup = Supervisor([("short", [sys.executable, "-c", "raise SystemExit(3)"]), ("long", SLEEPER)])
    sup.start()
    try:
        assert sup.wait(poll=0.05) == ("short", 3)
    finally:
        sup.stop(grace=5)
    assert sup.procs["long"].returncode == -signal.SIGTERM


def test_a_child_ignoring_sigterm_is_killed_after_the_grace_period():
    sup = Supervisor([])
    sup.procs["stubborn"] = subprocess.Popen(STUBBORN, start_new_session=True, stdout=subprocess.PIPE)
    assert sup.procs["stubborn"].stdout.readline().strip() == b"ready"  # type: ignore[union-attr]
    started = time.monotonic()
    sup.stop(grace=0.5)
    assert sup.procs["stubborn"].returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5


def test_the_mail_catcher_must_start_on_a_port_polity_run_chose():
    mail = {c.name: c for c in CHILDREN}["mail"]
    chosen = RunOptions(host="127.0.0.1", port=8123, mail_url="smtp://127.0.0.1:40125")
    assert mail.argv(chosen)[-1] == "mailcatcher"  # no --optional: if it cannot listen, everything stops
    assert mail.argv(RunOptions(host="127.0.0.1", port=8123))[-1] == "--optional"


@pytest.fixture
def usual_mail_port_taken():  # type: ignore[no-untyped-def]
    """Port 1025 held by another program for the length of the test (if something else already holds
    it, it is taken all the same)."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 1025))
            s.listen()
        except OSError:
            pass
        assert not run_command.port_is_free("127.0.0.1", 1025)
        yield


def test_a_taken_mail_port_gives_the_catcher_another(usual_mail_port_taken):
    url = run_command.local_mail_url({})
    assert url is not None and url.startswith("smtp://127.0.0.1:")
    port = int(url.rsplit(":", 1)[1])
    assert port != 1025
    assert run_command.port_is_free("127.0.0.1", port)


def test_a_mail_url_set_by_hand_is_left_alone(usual_mail_port_taken):
    assert run_command.local_mail_url({"POLITY_EMAIL_URL": "smtp://127.0.0.1:1025"}) is None


def test_children_are_the_web_server_and_the_worker_without_reloaders():
    argv = {c.name: c.argv(RunOptions(host="127.0.0.1", port=8123)) for c in CHILDREN}
    assert argv["web"][-3:] == ["runserver", "127.0.0.1:8123", "--noreload"]
    assert argv["worker"][-2:] == ["db_worker", "--no-reload"]
    assert all(a[0] == sys.executable for a in argv.values())


@pytest.fixture
def calls(monkeypatch):  # type: ignore[no-untyped-def]
    recorded: list[tuple[str, dict[str, object]]] = []

    def fake(name: str, **kw: object) -> None:
        out = kw.pop("stdout", None)
        if out is not None:
            out.write("Demo organisation loaded.\n\nsecretary  backup codes: 1234abcd\n")  # type: ignore[attr-defined]
        recorded.append((name, kw))

    monkeypatch.setattr(run_command, "call_command", fake)
    monkeypatch.setattr(run_command, "get_commands", lambda: {"demo": "polity.demo", "migrate": "django"})
    return recorded


def test_bootstrap_loads_the_demo_into_an_empty_database(db, calls):
    out = io.StringIO()
    run_command.Command(stdout=out).bootstrap(no_demo=False, demo_members=None)
    assert [name for name, _ in calls] == ["migrate", "demo"]
    assert calls[1][1] == {}
    # The demo's summary is shown now; its logins wait for the banner, so they are printed once.
    assert "Demo organisation loaded." in out.getvalue()
    assert "1234abcd" not in out.getvalue()


def test_bootstrap_passes_the_demo_size(db, calls):
    run_command.Command().bootstrap(no_demo=False, demo_members=500)
    assert calls[1] == ("demo", {"members": 500})


def test_bootstrap_leaves_a_populated_database_alone(org, calls):
    run_command.Command().bootstrap(no_demo=False, demo_members=None)
    assert [name for name, _ in calls] == ["migrate"]


def test_bootstrap_without_demo(db, calls):
    run_command.Command().bootstrap(no_demo=True, demo_members=None)
    assert [name for name, _ in calls] == ["migrate"]


def test_banner_names_the_address_and_the_demo_logins(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    text = run_command.Command().banner(RunOptions(host="127.0.0.1", port=8123))
    assert "http://127.0.0.1:8123/" in text
    assert all(user in text for user in run_command.DEMO_USERS)
    assert "polity-demo" in text
    (tmp_path / "demo-logins.txt").write_text(
        "Sign in at http://127.0.0.1:8000/accounts/login/\nsecretary backup codes: 1234abcd\n"
    )
    text = run_command.Command().banner(RunOptions(host="127.0.0.1", port=8123))
    assert "1234abcd" in text
    assert "http://127.0.0.1:8123/accounts/login/" in text
    assert ":8000" not in text


def test_the_site_url_names_the_port_served_and_a_reachable_host():
    assert run_command.site_url(RunOptions(host="127.0.0.1", port=8123)) == "http://127.0.0.1:8123/"
    assert run_command.site_url(RunOptions(host="0.0.0.0", port=9000)) == "http://127.0.0.1:9000/"  # noqa: S104


def test_a_busy_port_is_refused_before_anything_starts():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert not run_command.port_is_free("127.0.0.1", port)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)  # noqa: S607
    return [int(x) for x in out.stdout.split()]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_polity_run_serves_and_stops_cleanly(tmp_path, shell_env, stop_signal):
    """End to end: the database is migrated, the web answers (with DEBUG off: our own error pages, static
    files from WhiteNoise), and a signal leaves no process behind."""
    port = free_port()
    env = {k: v for k, v in shell_env.items() if k not in ("POLITY_DEBUG", "POLITY_ALLOWED_HOSTS")}
    env["PORT"] = str(port)
    log = tmp_path / "out.txt"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "polity.cli", "run", "--no-demo"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[3],
        )
    try:
        assert wait_until(lambda: "Polity is running" in log.read_text(), timeout=120), log.read_text()
        assert f"http://127.0.0.1:{port}/" in log.read_text()
        kids = children_of(proc.pid)
        assert len(kids) == len(CHILDREN)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as response:  # noqa: S310
            assert response.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/polity.css", timeout=10) as response:  # noqa: S310
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=10)  # noqa: S310
        assert missing.value.code == 404
        page = missing.value.read().decode()
        assert "What you can do next" in page and "URLconf" not in page
        proc.send_signal(stop_signal)
        assert proc.wait(timeout=30) == 0, log.read_text()
        assert wait_until(lambda: all(gone(pid) for pid in kids)), kids
        assert "Stopped" in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_die_with_polity_run_even_when_it_is_killed(tmp_path, shell_env):
    """SIGKILL cannot be handled, so the kernel tells the children (PR_SET_PDEATHSIG): no orphan keeps the port."""
    port = free_port()
    log = tmp_path / "out.txt"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "polity.cli", "run", "--no-demo"],
            env={**shell_env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[3],
        )
    try:
        assert wait_until(lambda: "Polity is running" in log.read_text(), timeout=120), log.read_text()
        kids = children_of(proc.pid)
        assert len(kids) == len(CHILDREN)
        proc.kill()
        proc.wait(timeout=10)
        assert wait_until(lambda: all(gone(pid) for pid in kids), timeout=20), kids
        assert run_command.port_is_free("127.0.0.1", port)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_polity_run_catches_mail_on_a_free_port_when_1025_is_taken(
    tmp_path, shell_env, usual_mail_port_taken
):
    """End to end, with the usual port really taken: every child is told the new port, the catcher
    listens there and keeps what it receives, and nothing is sent to the program on 1025."""
    port = free_port()
    env = {k: v for k, v in shell_env.items() if k != "POLITY_EMAIL_URL"}
    log = tmp_path / "out.txt"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "polity.cli", "run", "--no-demo"],
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[3],
        )
    try:
        assert wait_until(lambda: "Polity is running" in log.read_text(), timeout=120), log.read_text()
        found = re.search(r"mail catcher listens at smtp://127\.0\.0\.1:(\d+)", log.read_text())
        assert found, log.read_text()
        mail_port = int(found.group(1))
        assert mail_port != 1025
        for kid in children_of(proc.pid):
            environ = Path(f"/proc/{kid}/environ").read_bytes().split(b"\0")
            assert f"POLITY_EMAIL_URL=smtp://127.0.0.1:{mail_port}".encode() in environ
        assert wait_until(lambda: not run_command.port_is_free("127.0.0.1", mail_port), timeout=30)
        with smtplib.SMTP("127.0.0.1", mail_port, timeout=10) as smtp:
            smtp.sendmail(
                "noreply@polity.invalid", ["member@example.org"], b"Subject: caught\r\n\r\nhello\r\n"
            )
        database = shell_env["DATABASE_URL"].removeprefix("sqlite:///")

        def caught() -> list[str]:
            with sqlite3.connect(database) as conn:
                return [row[0] for row in conn.execute("SELECT subject FROM outbox_caughtmail")]

        assert wait_until(lambda: caught() == ["caught"], timeout=20), caught()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
