"""Cases at scale: 100,000 cases on PostgreSQL; the statistics page (target <= 1 s) and the case team's queue
(target <= 100 ms median).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_bench python bench/cases_bench.py [--cases 100000]

WIPES the database it is pointed at: builds the demo organisation (20,000 members), then writes the cases
in bulk with realistic stages, participants, pending deadlines and suspensions, and times the pages.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import timedelta

os.environ.setdefault("POLITY_DEBUG", "0")

import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("note: the targets are for PostgreSQL; set DATABASE_URL=postgres://...", file=sys.stderr)


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        db = connection.vendor
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{when}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}; {db}; Python {platform.python_version()}"


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


STATES = (
    ["closed"] * 50
    + ["received"] * 3
    + ["acknowledged"] * 4
    + ["triaged"] * 5
    + ["investigation"] * 8
    + ["notice_sent"] * 8
    + ["hearing"] * 3
    + ["decided"] * 4
    + ["communicated"] * 8
    + ["appeal"] * 4
    + ["appeal_decided"] * 3
)
ORDER = [
    "received",
    "acknowledged",
    "triaged",
    "investigation",
    "notice_sent",
    "hearing",
    "decided",
    "communicated",
    "appeal",
    "appeal_decided",
    "closed",
]
OUTCOMES = ["not_upheld", "upheld", "warning", "suspension", "expulsion", "no_case"]


def build(n: int, seed: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from polity.access.models import OfficeTerm
    from polity.cases.models import Case, Participant, Suspension
    from polity.deadlines.models import Deadline
    from polity.members.models import Person
    from polity.org.models import Unit

    rng = random.Random(seed)
    now = timezone.now()
    regions = list(Unit.objects.filter(depth=1).order_by("pk"))
    people = list(Person.objects.values_list("pk", flat=True))
    day = timedelta(days=1)
    cases, stamps_by_ref = [], {}
    for i in range(n):
        state = rng.choice(STATES)
        reached = ORDER.index(state)
        received = now - day * rng.uniform(1, 720)
        t = received
        stamps = {}
        for name, field, gap in (
            ("acknowledged", "acknowledged_at", 6),
            ("triaged", "triaged_at", 12),
            ("investigation", "investigation_at", 5),
            ("notice_sent", "notice_sent_at", 40),
            ("decided", "decided_at", 30),
            ("communicated", "communicated_at", 4),
            ("appeal", "appealed_at", 20),
            ("appeal_decided", "appeal_decided_at", 35),
            ("closed", "closed_at", 10),
        ):
            if ORDER.index(name) <= reached and not (name.startswith("appeal") and rng.random() < 0.7):
                t = t + day * rng.uniform(0.2, gap)
                stamps[field] = min(t, now)
        decided = "decided_at" in stamps
        cases.append(
            Case(
                reference=f"B-{i:07d}",
                kind=rng.choice(["complaint"] * 8 + ["disciplinary", "objection"]),
                state=state,
                unit=rng.choice(regions),
                summary="bench",
                received_at=received,
                ack_due_at=received + 7 * day,
                outcome=rng.choice(OUTCOMES) if decided else "",
                decision_reasons="reasons" if decided else "",
                appeal_outcome=rng.choice(["dismissed", "allowed"]) if "appeal_decided_at" in stamps else "",
                appeal_reasons="reasons" if "appeal_decided_at" in stamps else "",
                next_due_at=None if state == "closed" else received + day * rng.uniform(7, 120),
                created_by="bench",
                **stamps,
            )
        )
        stamps_by_ref[i] = stamps
    with transaction.atomic():
        Case.objects.bulk_create(cases, batch_size=5000)
        ids = list(
            Case.objects.filter(reference__startswith="B-")
            .order_by("reference")
            .values_list("pk", "state", "unit_id", "next_due_at")
        )
        Participant.objects.bulk_create(
            [
                Participant(case_id=pk, person_id=rng.choice(people), role=role, added_at=now)
                for pk, *_rest in ids
                for role in ("complainant", "respondent")
            ],
            batch_size=10000,
            ignore_conflicts=True,
        )
        Deadline.objects.bulk_create(
            [
                Deadline(
                    owner_unit_id=unit,
                    subject_type="case",
                    subject_id=str(pk),
                    rule_key="deadlines.complaint_decision",
                    rule_version="bench",
                    rule_text="3m",
                    started_at=due - 90 * day,
                    due_at=due,
                    state="open" if due > now else "escalated",
                    missed_at=None if due > now else due,
                    escalated_at=None if due > now else due,
                    escalation_level=0 if due > now else 1,
                    escalated_to_id=None if due > now else regions[0].parent_id,
                )
                for pk, state, unit, due in ids
                if state != "closed"
            ],
            batch_size=10000,
        )
        starts = [now - day * rng.uniform(1, 200) for _ in range(n // 50)]
        Suspension.objects.bulk_create(
            [
                Suspension(
                    case_id=pk,
                    person_id=rng.choice(people),
                    reasons="risk",
                    starts_at=start,
                    review_at=start + day * rng.uniform(7, 56),
                )
                for (pk, state, _u, _d), start in zip(ids[: n // 50], starts, strict=True)
                if state != "closed"
            ],
            batch_size=5000,
        )
    print(
        f"  cases={Case.objects.count():,} participants={Participant.objects.count():,} "
        f"deadlines={Deadline.objects.count():,} suspensions={Suspension.objects.count():,} "
        f"officers={OfficeTerm.objects.filter(office='complaints_officer').count()}"
    )


def client_for(username: str):  # type: ignore[no-untyped-def]
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.accounts.models import User

    user = User.objects.get(username=username)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _groups_sql(root):  # type: ignore[no-untyped-def]
    from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

    from polity.cases.models import Case
    from polity.cases.statistics import STAGES
    from polity.org.models import Unit

    sums = {"n": Count("id"), "on_time": Count("id", filter=Q(acknowledged_at__lte=F("ack_due_at")))}
    for i, (_label, later, earlier) in enumerate(STAGES):
        span = ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())
        sums[f"sum{i}"], sums[f"cnt{i}"] = Sum(span), Count(span)
    ids = list(Unit.objects.filter(path__startswith=root.path).values_list("pk", flat=True))
    qs = Case.objects.filter(unit_id__in=ids).values("unit_id", "kind", "state", "outcome", "appeal_outcome")
    return qs.annotate(**sums).order_by().query.sql_with_params()


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--measure-only", action="store_true", help="reuse the data of an earlier run")
    args = parser.parse_args()
    setup()
    from django.core.management import call_command
    from django.db import connection

    from polity.accounts.models import User
    from polity.cases.selectors import case_queue
    from polity.cases.statistics import case_stats
    from polity.common.actor import Actor
    from polity.demo.services import demo_generate
    from polity.org.models import Unit

    call_command("migrate", verbosity=0)
    print(machine())
    if not args.measure_only:
        started = time.perf_counter()
        demo_generate(
            actor=Actor.system("bench"), members=args.members, seed=args.seed, force=True, write_file=False
        )
        print(f"demo ({args.members:,} members): {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        build(args.cases, args.seed)
        print(f"bulk cases: {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    root = Unit.objects.get(parent__isnull=True)
    regional = Actor.for_user(User.objects.get(username="regional"))
    stats_sel = timed(lambda: case_stats(actor=Actor.system(), unit=root), args.runs)
    queue_sel = timed(
        lambda: case_queue(actor=Actor.for_user(User.objects.get(username="regional"))), args.runs
    )
    assert len(case_queue(actor=regional)) == 50
    member_client, team_client = client_for("member"), client_for("regional")
    from django.core.cache import cache

    def stats_uncached() -> bytes:
        cache.clear()  # the page caches its figures for 60 s: measure the computing path
        return member_client.get("/cases/stats/").content

    stats_page = timed(stats_uncached, args.runs)
    stats_cached = timed(lambda: member_client.get("/cases/stats/").content, args.runs)
    queue_page = timed(lambda: team_client.get("/cases/queue/").content, args.runs)
    assert team_client.get("/cases/queue/").status_code == 200
    print(
        f"statistics, selector (national, all {args.cases:,} cases): median {median_ms(stats_sel)}, "
        f"max {max(stats_sel) * 1000:.1f} ms"
    )
    p90 = sorted(stats_page)[int(len(stats_page) * 0.9) - 1]
    print(
        f"statistics page GET /cases/stats/, computed each time: median {median_ms(stats_page)}, "
        f"p90 {p90 * 1000:.1f} ms, max {max(stats_page) * 1000:.1f} ms -> target <= 1 s (p90): "
        f"{'met' if p90 <= 1 else 'MISSED'}"
    )
    print(f"statistics page, cached figures: median {median_ms(stats_cached)}")
    if connection.vendor == "postgresql":
        sql, params = _groups_sql(root)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0][0]
        print(f"grouped statistics query, server execution time: {plan['Execution Time']:.1f} ms")
    print(f"queue, selector (regional complaints officer): median {median_ms(queue_sel)}")
    print(
        f"queue page GET /cases/queue/: median {median_ms(queue_page)} -> target <= 100 ms median: "
        f"{'met' if sorted(queue_page)[len(queue_page) // 2] <= 0.1 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
