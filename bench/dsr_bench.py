"""Data subject requests on PostgreSQL, on the 500,000-member demo. Targets (issue 11):

- the access package of one member with 5,000,000 rows in the access log: <= 2 s;
- the data protection officer's queue with 10,000 requests: <= 100 ms median;
- the retention job over the 500,000-member demo: <= 5 minutes, with bounded memory.

    createdb -h 127.0.0.1 -U postgres -T polity_bench500_tpl polity_dsr_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_dsr_bench python bench/dsr_bench.py
        [--events 5000000] [--requests 10000] [--runs 20] [--measure-only] [--skip-retention] [--queue-only] [--typical-only]

Without --measure-only it tops the access log up to --events real, chained events (bench/audit_search.py's
writer: officers reading members, lists of up to 50, consent, payments, cases; written with COPY, subject
index derived in SQL), and adds --requests data subject requests spread over the last three months (open and
closed, some paused, some extended). The package is timed for the member the log names most and for a
typical member, through the same selector `polity dsr package` and the DPO's page use (assembly), and
separately for writing its PDF and archive. The queue is timed on its selector (first page and counts) and
on the web page. The retention job runs last, once (it anonymises: run it on a copy).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from datetime import timedelta

os.environ.setdefault("POLITY_DEBUG", "0")

from foundation_common import machine, setup  # noqa: E402


def build(args: argparse.Namespace) -> None:
    from audit_search import write_events
    from foundation_verify import fill_subject_index, vacuum_analyze

    started = time.perf_counter()
    added = write_events(args.events, args.seed)
    print(f"access log: chained and copied {added:,} events in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rows = fill_subject_index()
    print(f"subject index: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    vacuum_analyze()
    started = time.perf_counter()
    print(f"requests: {add_requests(args.requests, args.seed):,} in {time.perf_counter() - started:.1f} s")


def add_requests(count: int, seed: int) -> int:
    import random

    from django.db import connection

    from polity.dsr.models import Request
    from polity.members.models import Person

    rng = random.Random(seed)
    from polity.dsr import clock

    today = clock.local_today()
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:200_000])
    rows = []
    for i in range(count):
        received = today - timedelta(days=rng.randrange(0, 90))
        due = received.replace(day=min(received.day, 28)) + timedelta(days=30)
        state = rng.choices(
            ["received", "awaiting_identity", "awaiting_clarification", "answered", "refused"],
            [50, 5, 5, 38, 2],
        )[0]
        closed = state in {"answered", "refused"}
        rows.append(
            Request(
                reference=f"DSR-B-{i:06d}",
                kind=rng.choice(["access", "erasure", "objection", "rectification"]),
                state=state,
                channel="self",
                person_id=rng.choice(people),
                received_on=received,
                received_at=clock.end_of_day(received),
                first_due_on=due,
                due_on=due,
                rule="subject_access.response@bench",
                closed_at=clock.end_of_day(received + timedelta(days=10)) if closed else None,
                answer="Answered (bench)." if closed else "",
                on_time=True if closed else None,
                created_by="bench",
            )  # fmt: skip
        )
    Request.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Request._meta.db_table}")
    return count


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


def show(label: str, samples: list[float], target: float | None = None) -> None:
    med = statistics.median(samples)
    verdict = "" if target is None else ("  (target met)" if med <= target else "  (TARGET MISSED)")
    print(f"{label}: median {med * 1000:.1f} ms, p95 {p95(samples) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms "
          f"over {len(samples)} runs{verdict}")  # fmt: skip


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def measure(args: argparse.Namespace) -> None:
    from django.db.models import Count

    from polity.audit.models import Event, EventSubject
    from polity.common.actor import Actor
    from polity.dsr.render import render_archive, render_pdf
    from polity.dsr.selectors import package_for_person
    from polity.members.models import Person

    dpo = Actor.system("bench dpo")
    print(f"access log: {Event.objects.count():,} events, {EventSubject.objects.count():,} subject rows")
    typical = Person.objects.filter(status="active").order_by("pk").values_list("pk", flat=True)[1000]
    whom = [("a typical member", typical)]
    top_rows = None
    if not args.typical_only:  # a grouped count over the whole subject index: minutes at 28 million rows
        busiest = (
            EventSubject.objects.values("person_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("person_id", "n")[:1]
        )
        top, top_rows = busiest[0]
        whom.insert(0, ("the most-read member", top))
    for label, pk in whom:
        rows = EventSubject.objects.filter(person_id=pk).count()
        package = package_for_person(actor=dpo, person_id=pk)
        samples = timed(lambda pk=pk: package_for_person(actor=dpo, person_id=pk), args.runs)
        show(
            f"package of {label} ({rows:,} access-log rows, {package.record_count:,} records) assembled",
            samples,
            2.0,
        )
        started = time.perf_counter()
        pdf, archive = render_pdf(package), render_archive(package)
        print(f"  its PDF ({len(pdf) / 1024:.0f} KiB) and archive ({len(archive) / 1024:.0f} KiB): "
              f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    if top_rows is not None:
        print(f"(the busiest member has {top_rows:,} subject rows)")
    measure_queue(args)


def measure_queue(args: argparse.Namespace) -> None:
    from polity.common.actor import Actor
    from polity.dsr.selectors import request_queue

    dpo = Actor.system("bench dpo")
    q = request_queue(actor=dpo)
    print(
        f"queue: {q.total_open:,} open of {args.requests:,}; {q.overdue} overdue, {q.at_risk} at risk, {q.paused} paused"
    )
    show(
        "queue selector (first page and counts)", timed(lambda: request_queue(actor=dpo), args.runs * 2), 0.1
    )
    client = web_client()
    if client is not None:
        show("queue web page", timed(lambda: client.get("/data/requests/"), args.runs), 0.1)


def web_client():  # type: ignore[no-untyped-def]
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.accounts.models import User

    user = User.objects.filter(username="dpo").first()
    if user is None:
        return None
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/data/requests/").status_code == 200
    return client


def retention() -> None:
    import tracemalloc

    from polity.common.actor import Actor
    from polity.dsr.retention import retention_run

    tracemalloc.start()
    started = time.perf_counter()
    report = retention_run(actor=Actor.system("bench retention"))
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "target met" if elapsed <= 300 else "TARGET MISSED"
    print(f"retention job: {elapsed:.1f} s ({verdict}); {report.as_dict()}; "
          f"Python peak {peak / 2**20:.1f} MiB (tracemalloc), process max RSS {rss:.0f} MiB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--skip-retention", action="store_true")
    parser.add_argument(
        "--typical-only", action="store_true", help="time the package of a typical member only"
    )
    parser.add_argument(
        "--queue-only",
        action="store_true",
        help="add the requests (unless --measure-only) and time the queue alone",
    )
    args = parser.parse_args()
    setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(machine())
    if args.queue_only:
        if not args.measure_only:
            print(f"requests: {add_requests(args.requests, args.seed):,}")
        measure_queue(args)
        return
    if not args.measure_only:
        build(args)
    measure(args)
    if not args.skip_retention:
        retention()


if __name__ == "__main__":
    sys.exit(main())
