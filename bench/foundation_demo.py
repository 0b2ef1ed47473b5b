"""Demo generation at national scale (target: 500,000 members in <= 3 minutes on PostgreSQL).

    DATABASE_URL=postgres://... python bench/foundation_demo.py [--members 500000] [--seed 1]

WIPES the database it is pointed at (demo --force), then builds the demo register and prints the time.
"""

from __future__ import annotations

import argparse

from foundation_common import CpuClock, machine, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup()
    from polity.common.actor import Actor
    from polity.demo.services import demo_generate

    print(machine())
    with CpuClock() as clock:
        result = demo_generate(actor=Actor.system("bench"), members=args.members, seed=args.seed, force=True)
    rows = sum(result.counts.values())
    print(f"demo --members {args.members:,}: {clock} ({rows:,} rows, {rows / clock.wall:,.0f} rows/s)")
    print("  " + ", ".join(f"{k}={v:,}" for k, v in result.counts.items()))
    print(f"target <= 180 s: {'met' if clock.wall <= 180 else 'MISSED'}")


if __name__ == "__main__":
    main()
