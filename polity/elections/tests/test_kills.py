"""Real kills: the web server killed with SIGKILL in the middle of a poll loses no ballot and half-stores
none; a count killed half way leaves the poll closed and its ballots untouched, and counts again.

Each test builds a fresh database (a SQLite file, or a PostgreSQL database when DATABASE_URL names one)
and runs real processes against it: gunicorn for the server, `polity election step ID count` for the count.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from polity.outbox.tests.harness import ROOT, World

pytestmark = pytest.mark.slow


@pytest.fixture
def kill_world(tmp_path):
    w = World(tmp_path, email_url="memory://", outbox={})
    try:
        w.migrate()
        yield w
    finally:
        w.close()


def _scenario(w: World, *args: str) -> dict:
    return json.loads(w.run("-m", "polity.elections.tests.kill_scenario", *args).strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(w: World, port: int, log) -> subprocess.Popen:
    env = {**w.env, "PORT": str(port), "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
           "GUNICORN_THREADS": "4", "GUNICORN_ACCESS_LOG": ""}  # fmt: skip
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _vote(port: int, election: int, token: str) -> int:
    """POST one ballot; the status, or 0 when the connection broke (server killed)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/elections/{election}/ballot",
        data=json.dumps({"ranking": [1, 2]}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0


def test_a_server_killed_mid_poll_loses_no_ballot(kill_world, tmp_path):
    voters = 60
    made = _scenario(kill_world, "setup", str(voters))
    election, tokens = made["election"], made["tokens"]
    port = _free_port()
    log = (tmp_path / "server.log").open("ab")
    server = _start_server(kill_world, port, log)
    outcomes: dict[int, list[int]] = {i: [] for i in range(voters)}
    killed = threading.Event()
    restarted = threading.Event()

    def client(indices: list[int]) -> None:
        for i in indices:
            while True:
                status = _vote(port, election, tokens[i])
                outcomes[i].append(status)
                if status in (201, 409):
                    break
                restarted.wait(timeout=90)  # the server is down: try again once it is back
                time.sleep(0.1)

    threads = [threading.Thread(target=client, args=(list(range(k, voters, 6)),)) for k in range(6)]
    for t in threads:
        t.start()
    while sum(1 for o in outcomes.values() if o) < voters // 3:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-request
    server.wait(timeout=30)
    killed.set()
    server = _start_server(kill_world, port, log)
    restarted.set()
    for t in threads:
        t.join(timeout=180)
    try:
        final = _scenario(kill_world, "state", str(election))
        # Every voter has exactly one ballot: 201 once, or (when the first answer was lost) 409 "already cast".
        assert final["ballots"] == final["participations"] == voters, (final, outcomes)
        for i, seen in outcomes.items():
            assert seen[-1] in (201, 409), (i, seen)
            if seen[-1] == 409:
                assert 0 in seen, (i, seen)  # refused only when an earlier attempt's answer was lost
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_a_count_killed_half_way_leaves_the_poll_closed_and_counts_again(kill_world):
    """The count is one transaction: killed at any moment it leaves either nothing (the poll closed, its ballots
    untouched, no result) or the whole count, never a half. Where the kill lands depends on the machine's speed,
    so both outcomes are allowed and each is checked whole; then a new count finishes and a recount agrees."""
    election = _scenario(kill_world, "ballots", "60000")["election"]
    before = _scenario(kill_world, "state", str(election))
    assert before["state"] == "closed" and before["ballots"] == 60000
    count = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "polity.cli", "election", "step", str(election), "count"],
        cwd=ROOT, env=kill_world.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    assert count.stdout is not None
    assert b"count: started" in count.stdout.readline()
    count.send_signal(signal.SIGKILL)
    assert count.wait(timeout=30) == -signal.SIGKILL
    after = _scenario(kill_world, "state", str(election))
    if after["state"] == "closed":
        assert after == before, f"a killed count must leave nothing behind: {after}"
        kill_world.run("-m", "polity.cli", "election", "step", str(election), "count")
    else:
        assert after["state"] == "counted" and after["seal"], f"a count is whole or absent: {after}"
    counted = _scenario(kill_world, "state", str(election))
    assert counted["state"] == "counted" and counted["ballots"] == 60000 and counted["seal"]
    again = json.loads(
        kill_world.run("-m", "polity.cli", "election", "step", str(election), "recount").splitlines()[-1]
    )
    assert again["same"] is True
