"""Exports and transparency at scale, on a copy of the 500,000-member demo (PostgreSQL):

1. the public statistics page for the whole organisation and a region, uncached (target <= 1 s);
2. an export of ~100,000 rows made by the worker (target <= 20 s, flat memory: compared with ~25,000);
3. attribution of a 150-row leaked excerpt (reordered, re-cased, a column dropped) against 10,000 past
   exports (target <= 1 s); the past exports are written in bulk (rows and attribution keys of members of
   random branches, with their decoys), the way the worker writes them.

    createdb -h 127.0.0.1 -U postgres -T polity_bench500_tpl polity_exports_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_exports_bench polity migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_exports_bench python bench/exports_bench.py

The export is timed untraced (wall, and CPU of the process and of its PostgreSQL backend); `--heap` also
traces the Python heap's peak, which slows the export about six-fold.

Writes to the database it is pointed at (exports, decoys, audiences): use a copy.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("POLITY_DEBUG", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stats_page() -> None:
    from django.test import Client

    from polity.org.models import Unit
    from polity.transparency import quarters
    from polity.transparency.figures import compute

    top = Unit.objects.get(parent__isnull=True)
    region = Unit.objects.filter(level="region").order_by("pk").first()
    for unit in (top, region):
        for quarter in (quarters.current(), quarters.previous(quarters.current())):
            t = time.perf_counter()
            compute(unit, quarter)
            print(
                f"statistics {unit.level:8} {quarter}: {time.perf_counter() - t:.3f} s (uncached, all series)"
            )
    from django.core.cache import cache

    cache.clear()
    client = Client()
    client.get("/statistics/?quarter=2020Q1", HTTP_HOST="localhost")  # warm: templates, URLs
    cache.clear()
    t = time.perf_counter()
    response = client.get(f"/statistics/?quarter={quarters.current()}", HTTP_HOST="localhost")
    print(
        f"statistics page over HTTP (uncached): {time.perf_counter() - t:.3f} s, status {response.status_code}"
    )


def _audience(target: int):  # type: ignore[no-untyped-def]
    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.comms.selectors import audience_members
    from polity.comms.services import audience_create
    from polity.org.models import Unit

    actor = Actor.for_user(User.objects.get(username="national"))
    top = Unit.objects.get(parent__isnull=True)
    chosen = []
    for region in Unit.objects.filter(level="region").order_by("pk"):
        chosen.append(region)
        audience = audience_create(actor=actor, unit=top, name=f"bench {len(chosen)}", units=chosen)
        if audience_members(actor=actor, audience=audience).count() >= target:
            return actor, audience
    return actor, audience


def one_export(target: int, *, heap: bool = False) -> int:
    """Make one export as the worker does, timed (wall, and CPU of this process and of its PostgreSQL backend).
    With `heap`, tracemalloc records the Python heap's peak: it traces every allocation and makes the export
    about six times slower in Python, so the time printed then is not the export's."""
    from django.db import connection

    from polity.common.actor import Actor
    from polity.exports.models import Export
    from polity.exports.services import export_make, export_request

    actor, audience = _audience(target)
    export = export_request(
        actor=actor,
        audience=audience,
        purpose="service",
        channel="email",
        columns=["name", "membership_number", "branch", "email"],
        format="csv",
        reason="benchmark",
    )
    Export.objects.filter(pk=export.pk).update(state="queued", approver_unit=None)
    connection.close()
    connection.ensure_connection()
    backend = _backend_cpu()
    if heap:
        tracemalloc.start()
    before = rss_mb()
    cpu = time.process_time()
    t = time.perf_counter()
    made = export_make(actor=Actor.system("bench"), export_id=export.pk)
    took = time.perf_counter() - t
    cpu = time.process_time() - cpu
    backend = _backend_cpu() - backend
    memory = f"max RSS {before:.0f} -> {rss_mb():.0f} MB"
    if heap:
        _cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        memory = f"Python heap peak {peak / 2**20:.0f} MB (traced: the time is not the export's); {memory}"
    print(
        f"export of {made.members:,} members + {made.decoys:,} decoys ({made.format}): {took:.1f} s; "
        f"CPU: Python {cpu:.1f} s, its PostgreSQL backend {backend:.1f} s; {memory}"
    )
    return int(made.pk)


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (when it runs on this machine)."""
    from django.db import connection

    try:
        pid = connection.connection.info.backend_pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (AttributeError, OSError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


EXPORT_BLANK_FIELDS = (
    "decided_by_label",
    "refusal_reason",
    "excluded",
    "file",
    "sha256",
    "failure",
    "downloads",
)
EXPORT_BLANKS = ("", "", {}, "", "", "", 0)


def past_exports(count: int, seed: int = 12) -> None:
    """`count` exports of 50..1,000 members of random branches, with rows, keys and decoys, in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from polity.accounts.models import User
    from polity.comms.models import Audience
    from polity.exports import decoys as decoy_maths
    from polity.exports.fingerprints import row_keys
    from polity.exports.models import Decoy, Entry, Export, Key
    from polity.members.bulkload import IdAllocator, copy_rows
    from polity.members.models import Person

    rng = random.Random(seed)
    t = time.perf_counter()
    people = list(
        Person.objects.order_by("home_unit_id", "pk").values_list(
            "pk", "home_unit_id", "given_name", "family_name", "membership_number", "email", "phone"
        )
    )
    by_unit: dict[int, list[int]] = {}
    for i, p in enumerate(people):
        by_unit.setdefault(p[1], []).append(i)
    units = list(by_unit)
    audience = Audience.objects.order_by("pk").first()
    user = User.objects.get(username="secretary")
    now = timezone.now()
    kinds = (
        ["name", "membership_number", "branch"],
        ["name", "email"],
        ["name", "phone"],
        ["name", "branch", "phone"],
    )
    with transaction.atomic():
        ids = IdAllocator(Export, Entry, Decoy)
        first_export = ids.take(Export, count)
        export_rows, entries, keys, decoys = [], [], [], []
        entry_id = ids.take(Entry, 0)
        decoy_id = ids.take(Decoy, 0)
        for n in range(count):
            pk = first_export + n
            columns = rng.choice(kinds)
            pool = by_unit[rng.choice(units)] + by_unit[rng.choice(units)]
            chosen = pool[: rng.randrange(50, min(1000, len(pool)) + 1)] if len(pool) > 50 else pool
            d = decoy_maths.decoys_needed(len(chosen))
            export_rows.append(
                (
                    pk,
                    audience.unit_id,
                    audience.pk,
                    "service",
                    "",
                    columns,
                    "csv",
                    "bench",
                    "expired",
                    user.pk,
                    user.person_id,
                    "secretary",
                    now,
                    len(chosen),
                    len(chosen),
                    d,
                    now,
                    *EXPORT_BLANKS,
                )
            )
            for i in chosen:
                _pk, _u, given, family, number, email, phone = people[i]
                entries.append((entry_id, pk, _pk, None))
                for _kind, h in row_keys(
                    name=(given, family),
                    email=email if "email" in columns else "",
                    phone=phone if "phone" in columns else "",
                    number=number if "membership_number" in columns else "",
                ):
                    keys.append((h, entry_id))
                entry_id += 1
            for _j in range(d):
                g, f = rng.choice(people)[2:4]
                number, email, phone = (
                    f"X{decoy_id:08d}",
                    f"b{decoy_id}@members-mail.example.net",
                    f"07800 {decoy_id:07d}",
                )
                decoys.append(
                    (
                        decoy_id,
                        pk,
                        g,
                        f,
                        number,
                        email,
                        phone,
                        "1 Bench Road",
                        "Town",
                        "QA 1AA",
                        "B",
                        "active",
                        now.date(),
                    )
                )
                entries.append((entry_id, pk, None, decoy_id))
                shown = {
                    "email": email if "email" in columns else "",
                    "phone": phone if "phone" in columns else "",
                    "number": number if "membership_number" in columns else "",
                }
                for _kind, h in row_keys(name=(g, f), **shown):
                    keys.append((h, entry_id))
                entry_id += 1
                decoy_id += 1
        ids._next[Entry] = entry_id
        ids._next[Decoy] = decoy_id
        copy_rows(
            Export,
            [
                "id",
                "unit_id",
                "audience_id",
                "purpose",
                "channel",
                "columns",
                "format",
                "reason",
                "state",
                "requested_by_user_id",
                "requested_by_person_id",
                "requested_by_label",
                "requested_at",
                "rows_at_request",
                "members",
                "decoys",
                "ready_at",
                *EXPORT_BLANK_FIELDS,
            ],
            export_rows,
        )
        copy_rows(
            Decoy,
            [
                "id",
                "export_id",
                "given_name",
                "family_name",
                "membership_number",
                "email",
                "phone",
                "address_line",
                "town",
                "postcode",
                "branch",
                "status",
                "joined_on",
            ],
            decoys,
        )
        copy_rows(Entry, ["id", "export_id", "person_id", "decoy_id"], entries)
        copy_rows(Key, ["hash", "entry_id"], keys)
        ids.finish()
    # A bulk load leaves the planner without statistics until autovacuum comes round: attribution would scan
    # every key (9 s instead of under one). Whoever imports old exports in bulk analyses, as here.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Export, Decoy, Entry, Key):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    print(
        f"past exports: {count:,} with {len(entries):,} rows and {len(keys):,} keys written in "
        f"{time.perf_counter() - t:.0f} s"
    )


def attribution(export_id: int) -> None:
    from polity.exports.attribution import attribute, parse_excerpt
    from polity.exports.models import Export

    export = Export.objects.get(pk=export_id)
    with export.file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))[1:]
    rng = random.Random(3)
    for label, keep in (("with decoys", None), ("members only", "members")):
        sample = rng.sample(rows, 150)
        if keep == "members":
            from polity.exports.models import Decoy

            numbers = set(Decoy.objects.filter(export=export).values_list("membership_number", flat=True))
            sample = [r for r in rng.sample(rows, 300) if r[2] not in numbers][:150]
        out = io.StringIO()
        writer = csv.writer(out)
        for given, family, number, _branch, email in sample:
            writer.writerow([email.upper(), f"{family}, {given}".upper(), number.replace("M", "m")])
        text = out.getvalue()
        t = time.perf_counter()
        att = attribute(parse_excerpt(text))
        took = time.perf_counter() - t
        top = att.candidates[0] if att.candidates else None
        print(
            f"attribution of 150 rows ({label}): {took:.3f} s; matched {att.rows_matched}, decoy rows "
            f"{att.decoy_rows}; named export {top.export.pk if top else None} "
            f"(the right one: {top is not None and top.export.pk == export_id}), probability "
            f"{top.probability if top else 0:.3f}, {len(att.candidates)} candidate(s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--past", type=int, default=10_000)
    parser.add_argument("--skip-past", action="store_true")
    parser.add_argument("--skip-stats", action="store_true")
    parser.add_argument("--export-id", type=int, default=0, help="attribute against this export, made before")
    parser.add_argument("--small", action="store_true", help="also a quarter-size export, to compare memory")
    parser.add_argument(
        "--heap", action="store_true", help="trace the Python heap's peak (slows the export about six-fold)"
    )
    args = parser.parse_args()
    setup()
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}"
    )
    parser_rows = args.rows
    if not args.skip_stats:
        stats_page()
    if args.export_id:
        big = args.export_id
    elif args.small:
        one_export(parser_rows // 4, heap=args.heap)
        big = one_export(parser_rows, heap=args.heap)
    else:
        big = one_export(parser_rows, heap=args.heap)
    if not args.skip_past:
        past_exports(args.past)
    attribution(big)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
