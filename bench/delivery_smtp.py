"""Delivery throughput: the outbox with two db_worker processes vs a bare smtplib loop, same sink, one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity python bench/delivery_smtp.py [--messages 20000]

The sink is bench/delivery_sink.py (aiosmtpd, its own process). The bare loop sends, over one
connection, messages of the same size and headers as the outbox's, formatted with one f-string: the
fastest honest client. It runs before and after the outbox run (the machine is shared; the mean of the
two is the reference). The outbox run uses a fresh database (a new PostgreSQL database next to the one
DATABASE_URL names, or a SQLite file), `dispatch_create` for N members, and two real `db_worker`
processes. Its rate is taken from the first to the last `sent_at` (steady state) and also from worker
start to the last message (including process start-up).
"""

from __future__ import annotations

import argparse
import os
import platform
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from polity.outbox.tests.harness import World, wait_until  # noqa: E402

BODY = "Dear Given{i} Family{i},\r\n\r\nThe branch meets on Monday.\r\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sink(port: int) -> subprocess.Popen[str]:
    sink = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "delivery_sink.py"), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    return sink


def stop_sink(sink: subprocess.Popen[str]) -> int:
    sink.terminate()
    out, _ = sink.communicate(timeout=30)
    return int(out.split()[-1])


def bare_loop(port: int, n: int) -> float:
    """Messages per second of one smtplib connection sending n ready-formatted messages."""
    conn = smtplib.SMTP("127.0.0.1", port, timeout=30)
    conn.ehlo()
    started = time.perf_counter()
    for i in range(n):
        raw = (
            f"From: Polity <noreply@polity.invalid>\r\nTo: p{i}@example.invalid\r\n"
            f"Subject: Notice for Given{i}\r\nDate: {formatdate(usegmt=True)}\r\n"
            f"Message-ID: <1.{i}.polity@polity.invalid>\r\n"
            f"List-Unsubscribe: <http://127.0.0.1:8000/outbox/unsubscribe/{'x' * 60}/>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nMIME-Version: 1.0\r\n"
            'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n'
            + BODY.format(i=i)
        ).encode()
        conn.sendmail("noreply@polity.invalid", [f"p{i}@example.invalid"], raw)
    elapsed = time.perf_counter() - started
    conn.quit()
    return n / elapsed


def outbox_run(port: int, n: int, tmp: Path, workers: int) -> dict[str, float]:
    outbox = {"BATCH_SIZE": 100, "WATCH_SECONDS": 5, "PARALLEL_TASKS": workers}
    w = World(tmp, email_url=f"smtp://127.0.0.1:{port}", outbox=outbox)
    try:
        w.migrate()
        w.scenario("seed", "--people", str(n))
        started = time.monotonic()
        for i in range(workers):
            w.start_worker(str(i))
        assert wait_until(lambda: w.counts() == {"sent": n}, timeout=3600, step=0.5), (w.counts(), w.logs())
        wall = time.monotonic() - started
        first, last = w.query("SELECT MIN(sent_at), MAX(sent_at) FROM outbox_outboxentry")[0]
        # sent_at is written when a batch is recorded: the first batch was sent before `first`.
        first_batch = w.query(
            "SELECT COUNT(*) FROM outbox_outboxentry WHERE sent_at = (SELECT MIN(sent_at) FROM outbox_outboxentry)"
        )[0][0]
        if isinstance(first, str):  # SQLite
            first, last = datetime.fromisoformat(first), datetime.fromisoformat(last)
        steady = (last - first).total_seconds()
        return {"steady": (n - first_batch) / steady, "wall": n / wall, "steady_s": steady, "wall_s": wall}
    finally:
        w.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--bare", type=int, default=0, help="messages in each bare loop (default: same)")
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes (the target is for 2)")
    args = parser.parse_args()
    n, bare_n = args.messages, args.bare or args.messages
    port = free_port()
    sink = start_sink(port)
    try:
        with open("/proc/loadavg") as f:
            load_before = f.read().split()[:3]
        bare1 = bare_loop(port, bare_n)
        with tempfile.TemporaryDirectory() as tmp:
            outbox = outbox_run(port, n, Path(tmp), args.workers)
        bare2 = bare_loop(port, bare_n)
        with open("/proc/loadavg") as f:
            load_after = f.read().split()[:3]
    finally:
        received = stop_sink(sink)
    bare = (bare1 + bare2) / 2
    db = os.environ.get("DATABASE_URL", "sqlite").split(":", 1)[0]
    print(
        f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, nproc {os.cpu_count()}, db {db}"
    )
    print(f"load average before {' '.join(load_before)}, after {' '.join(load_after)}")
    print(f"sink received {received} messages (expected {2 * bare_n + n})")
    print(
        f"bare smtplib loop, 1 connection:   {bare1:8.0f} msg/s before, {bare2:8.0f} msg/s after, mean {bare:8.0f}"
    )
    print(
        f"outbox, {args.workers} db_worker(s), steady:  {outbox['steady']:8.0f} msg/s ({n} in {outbox['steady_s']:.1f} s)"
    )
    print(
        f"outbox, {args.workers} db_worker(s), incl. start: {outbox['wall']:8.0f} msg/s ({n} in {outbox['wall_s']:.1f} s)"
    )
    print(f"ratio steady / bare: {outbox['steady'] / bare:.0%} (target >= 70%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
