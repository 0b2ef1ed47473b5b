"""Importing a members CSV at national scale (target: 500,000 rows in <= 60 s on PostgreSQL).

    DATABASE_URL=postgres://... python bench/foundation_import.py [--rows 500000] [--seed 1] [--keep]

Needs a register with branches (run bench/foundation_demo.py first). Writes a CSV generated from the
seed under var/, times the dry run (every check, no write) and the import, then deletes the imported
rows again unless --keep.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

from foundation_common import CpuClock, machine, setup


def write_csv(path: Path, rows: int, seed: int, branches: list[str]) -> None:
    from polity.demo import words
    from polity.members.importing import COLUMNS

    rng = random.Random(seed)
    today = date.today()
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        for i in range(rows):
            given, family = rng.choice(words.GIVEN_NAMES), rng.choice(words.FAMILY_NAMES)
            joined = today - timedelta(days=rng.randrange(1, 4000))
            out.writerow(
                [
                    f"X{seed:02d}{i:08d}",
                    given,
                    family,
                    f"{given.lower()}.{family.lower()}.{i}@example.org",
                    f"07700 900{rng.randrange(1000):03d}",
                    f"{rng.randrange(1, 200)} {rng.choice(words.STREETS)} Road",
                    "Ashford",
                    f"QA{rng.randrange(1, 99)} {rng.randrange(1, 9)}AB",
                    (today - timedelta(days=rng.randrange(6000, 30000))).isoformat(),
                    rng.choice(branches),
                    "active",
                    joined.isoformat(),
                    (joined + timedelta(days=365 * rng.randrange(1, 12))).isoformat(),
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the imported members")
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection, transaction

    from polity.common.actor import Actor
    from polity.members.importing import members_import
    from polity.members.models import Person
    from polity.org.models import Unit
    from polity.rulebook.loader import get_rulebook

    print(machine())
    branches = list(Unit.objects.filter(level=get_rulebook().levels[-1]).values_list("code", flat=True))
    if not branches:
        raise SystemExit("no branches: run bench/foundation_demo.py first")
    path = Path(settings.VAR_DIR) / f"bench-import-{args.rows}-{args.seed}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        write_csv(path, args.rows, args.seed, branches)
    print(
        f"register before: {Person.objects.count():,} people; file {path.name}, {path.stat().st_size:,} bytes"
    )
    actor = Actor.system("bench")

    with CpuClock() as dry:
        report = members_import(actor=actor, path_or_stream=path, dry_run=True)
    if not report.ok:
        raise SystemExit("\n".join(report.lines()[:20]))
    print(f"dry run ({report.rows:,} rows checked): {dry}")

    with CpuClock() as clock:
        report = members_import(actor=actor, path_or_stream=path)
    if not report.ok:
        raise SystemExit("\n".join(report.lines()[:20]))
    print(f"import of {report.imported:,} rows: {clock} ({report.imported / clock.wall:,.0f} rows/s)")
    print(f"target <= 60 s: {'met' if clock.wall <= 60 else 'MISSED'}")

    if not args.keep:
        with transaction.atomic(), connection.cursor() as cursor:
            bounds = [report.first_id, report.last_id]
            for table in ("members_statuschange", "members_membershipperiod"):
                cursor.execute(f"DELETE FROM {table} WHERE person_id BETWEEN %s AND %s", bounds)  # noqa: S608
            cursor.execute("DELETE FROM members_person WHERE id BETWEEN %s AND %s", bounds)
        print("imported rows deleted again (use --keep to keep them)")


if __name__ == "__main__":
    main()
