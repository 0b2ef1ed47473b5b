"""Enqueuing a national campaigning audience on PostgreSQL: consent checks and the outbox rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity python bench/delivery_enqueue.py [--members 500000]

Builds a database next to the one DATABASE_URL names (polity_bench_delivery, dropped and made again
unless --reuse), loads the demo organisation (`polity demo --members N`), and gives 70% of the members
an email consent to campaigning (10% of those later withdrawn). Then, each in a fresh process that
reports its own time and peak RSS:

  end_to_end  resolve the audience (every member, active or in arrears), check consent and suppression
              for all of them (polity.consent.checks.contact_permitted_many) and write one outbox row per
              permitted member with dispatch_create (ids streamed in chunks).
  queryset    dispatch_create handed the audience as a QuerySet: one INSERT ... SELECT, no ids in Python.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "polity_bench_delivery"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str) -> dict[str, float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction

    from polity.common.actor import Actor
    from polity.consent.checks import contact_permitted_many
    from polity.members.models import Person
    from polity.outbox.services import dispatch_create

    audience = Person.objects.filter(status__in=["active", "in_arrears"])
    baseline = rss_mb()
    out: dict[str, float] = {"baseline_rss_mb": baseline}
    started = time.perf_counter()
    kwargs = {
        "actor": Actor.system("bench"),
        "purpose": "campaigning",
        "channel": "email",
        "subject": "Campaign news for {{ first_name }}",
        "body": "Dear {{ full_name }},\n\nNews from {{ branch }}.\n",
        "source_type": "bench",
        "source_id": mode,
    }
    if mode == "end_to_end":
        verdicts = contact_permitted_many(
            person_ids=audience.values("pk"), purpose="campaigning", channel="email"
        )
        permitted = [pk for pk, (ok, _reason) in verdicts.items() if ok]
        out["audience"] = len(verdicts)
        del verdicts
        out["consent_s"] = time.perf_counter() - started
        out["consent_rss_mb"] = rss_mb()
        t = time.perf_counter()
        with transaction.atomic():
            dispatch = dispatch_create(person_ids=permitted, **kwargs)  # type: ignore[arg-type]
        out["enqueue_s"] = time.perf_counter() - t
    else:
        with transaction.atomic():
            dispatch = dispatch_create(person_ids=audience, **kwargs)  # type: ignore[arg-type]
    out["rows"] = dispatch.total
    out["total_s"] = time.perf_counter() - started
    out["peak_rss_mb"] = rss_mb()
    return out


def sql(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    parser.add_argument("--measure", choices=["end_to_end", "queryset"])
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        print("set DATABASE_URL=postgres://... (the target is for PostgreSQL)", file=sys.stderr)
        return 2
    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "POLITY_LOG_LEVEL": "WARNING",
    }

    def polity(*a: str) -> str:
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "polity.cli", *a],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    seed_s = 0.0
    if args.reuse:
        polity("migrate", "-v0")
        sql(url, "TRUNCATE outbox_outboxentry, outbox_dispatch")
    else:
        sql(admin, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        sql(admin, f'CREATE DATABASE "{BENCH_DB}"')
        polity("migrate", "-v0")
        t = time.perf_counter()
        polity("demo", "--members", str(args.members))
        seed_s = time.perf_counter() - t
        sql(
            url,
            "INSERT INTO consent_consentevent (person_id, purpose, channel, action, occurred_at, method, "
            "recorded_by_label, evidence, wording) SELECT id, 'campaigning', 'email', 'given', "
            "now() - interval '60 days', 'web_form', 'bench', '', 'bench wording' FROM members_person "
            "WHERE id % 10 < 7",
        )
        sql(
            url,
            "INSERT INTO consent_consentevent (person_id, purpose, channel, action, occurred_at, method, "
            "recorded_by_label, evidence, wording) SELECT id, 'campaigning', 'email', 'withdrawn', "
            "now() - interval '5 days', 'web_form', 'bench', '', 'bench wording' FROM members_person "
            "WHERE id % 10 = 3",
        )
        sql(url, "ANALYZE")
    results = {}
    for mode in ("end_to_end", "queryset"):
        done = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--measure", mode],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    members = polity(
        "shell", "-c", "from polity.members.models import Person; print(Person.objects.count())"
    ).split()[-1]
    e, q = results["end_to_end"], results["queryset"]
    print(
        f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, nproc {os.cpu_count()}, load {load}"
    )
    print(f"members {members} (demo load {seed_s:.0f} s), audience {e['audience']:.0f}")
    print(
        f"end to end: consent check {e['consent_s']:.1f} s, outbox rows {e['rows']:.0f} in {e['enqueue_s']:.1f} s, "
        f"total {e['total_s']:.1f} s; RSS {e['baseline_rss_mb']:.0f} MB after start, "
        f"{e['consent_rss_mb']:.0f} MB after consent check, peak {e['peak_rss_mb']:.0f} MB"
    )
    print(
        f"queryset:   outbox rows {q['rows']:.0f} in {q['total_s']:.1f} s; RSS {q['baseline_rss_mb']:.0f} MB after start, "
        f"peak {q['peak_rss_mb']:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
