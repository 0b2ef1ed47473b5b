"""Reliability with a real aiosmtpd server on loopback and real `db_worker` processes.

Each test builds its own database (SQLite file, or a new PostgreSQL database when DATABASE_URL names
one) so that worker processes and the test share committed data.
"""

from __future__ import annotations

import time

import pytest

from polity.outbox.tests.harness import CountingSink, wait_until, world
from polity.outbox.tests.helpers import free_port, start_smtp

pytestmark = pytest.mark.slow

BATCH = 50


def test_sigkill_mid_send_loses_nobody_and_duplicates_at_most_the_batch_in_flight(tmp_path):
    sink = CountingSink()
    controller = start_smtp(sink)
    outbox = {"BATCH_SIZE": BATCH, "LEASE_SECONDS": 5, "WATCH_SECONDS": 1, "PARALLEL_TASKS": 2}
    try:
        with world(tmp_path, email_url=f"smtp://127.0.0.1:{controller.port}", outbox=outbox) as w:
            w.migrate()
            seeded = w.scenario("seed", "--people", "10000")
            assert seeded["total"] == 10_000
            w.start_worker("a")
            w.start_worker("b")
            assert wait_until(lambda: sink.received >= 3000, timeout=240), w.logs()
            w.kill_worker("a")
            in_flight = w.counts().get("sending", 0)  # claimed by a (now dead) or b, not yet recorded
            received_at_kill = sink.received
            assert received_at_kill < 10_000, "the send finished before the kill: the test proves nothing"
            time.sleep(1)
            w.start_worker("a")
            assert wait_until(lambda: w.counts() == {"sent": 10_000}, timeout=300), (w.counts(), w.logs())
            duplicates = sink.received - sink.distinct
            print(f"\nkilled at {received_at_kill} received, {in_flight} in flight, {duplicates} sent twice")
            assert sink.distinct == 10_000  # nobody lost
            assert duplicates <= BATCH  # at most the killed worker's batch
            assert duplicates <= max(in_flight, 0) + BATCH
    finally:
        controller.stop()


def test_smtp_refusing_connections_for_30s_delays_but_delivers_everything(tmp_path):
    sink = CountingSink()
    port = free_port()
    controller = start_smtp(sink, port)
    outbox = {
        "BATCH_SIZE": BATCH,
        "LEASE_SECONDS": 10,
        "WATCH_SECONDS": 1,
        "BACKOFF_BASE_SECONDS": 1,
        "BACKOFF_MAX_SECONDS": 4,
        "MAX_ATTEMPTS": 100,
    }
    total = 1500
    try:
        with world(tmp_path, email_url=f"smtp://127.0.0.1:{port}", outbox=outbox) as w:
            w.migrate()
            w.scenario("seed", "--people", str(total))
            w.start_worker("a")
            w.start_worker("b")
            assert wait_until(lambda: sink.received >= 300, timeout=240), w.logs()
            controller.stop()  # connections refused from now on
            down_at = time.monotonic()
            assert wait_until(
                lambda: w.counts().get("queued", 0) > 0 and "sending" not in w.counts(), timeout=30
            )
            received_while_down = sink.received
            time.sleep(max(0.0, 30 - (time.monotonic() - down_at)))
            assert sink.received == received_while_down
            counts = w.counts()
            assert counts.get("failed", 0) == 0 and counts.get("queued", 0) > 0, counts
            controller = start_smtp(sink, port)  # the server is back
            assert wait_until(lambda: w.counts() == {"sent": total}, timeout=120), (w.counts(), w.logs())
            assert sink.distinct == total
            retried = w.query("SELECT COUNT(*) FROM outbox_outboxentry WHERE attempts > 1")[0][0]
            print(f"\n{received_while_down} delivered before the outage, {retried} entries retried")
            assert retried > 0
    finally:
        controller.stop()


def test_unsubscribing_after_queueing_means_nothing_is_sent(tmp_path):
    sink = CountingSink()
    controller = start_smtp(sink)
    try:
        with world(
            tmp_path, email_url=f"smtp://127.0.0.1:{controller.port}", outbox={"WATCH_SECONDS": 1}
        ) as w:
            w.migrate()
            w.scenario("seed", "--people", "300", "--purpose", "service")  # queued; no worker runs yet
            withdrawn = w.scenario("unsubscribe", "--first", "40")["emails"]
            w.start_worker("a")
            assert wait_until(lambda: "queued" not in w.counts() and "sending" not in w.counts(), timeout=120)
            assert w.counts() == {"sent": 260, "skipped": 40}
            assert not set(withdrawn) & set(sink.recipients)
            assert len(sink.recipients) == 260
            reasons = w.query("SELECT DISTINCT skip_reason FROM outbox_outboxentry WHERE state = 'skipped'")
            assert {r[0] for r in reasons} <= {"no consent", "suppressed"}
    finally:
        controller.stop()
