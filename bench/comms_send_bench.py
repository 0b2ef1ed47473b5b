"""Resolving a national campaigning audience with consent checks, and writing its outbox (target <= 30 s
for 500,000 members on PostgreSQL, with flat memory).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_bench python bench/comms_send_bench.py [--build 500000]

--build N WIPES the database and generates the demo with N members first (its comms hook records consent for
about 30% of members by email). Then, as the national officer: save a national audience, preview it
(counts), compose a campaigning email and send it (resolve, consent, suppression, outbox rows). Delivery
itself is the outbox's benchmark. Peak RSS is printed before and after to show memory stays flat.
"""

from __future__ import annotations

import argparse
import resource
import time

from foundation_common import machine, setup


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--build", type=int, default=0, help="wipe and generate a demo with this many members"
    )
    args = parser.parse_args()
    setup()
    from django.db import transaction

    from polity.common.actor import Actor
    from polity.comms.selectors import audience_preview
    from polity.comms.services import audience_create, message_create, message_send
    from polity.members.models import Person
    from polity.org.models import Unit

    print(machine())
    if args.build:
        from polity.demo.services import demo_generate

        started = time.perf_counter()
        demo_generate(actor=Actor.system("bench"), members=args.build, seed=1, force=True, write_file=False)
        print(f"demo with {args.build:,} members: {time.perf_counter() - started:.1f} s")
    members = Person.objects.count()
    actor = Actor.system("bench")
    root = Unit.objects.get(parent__isnull=True)
    base = rss_mb()
    audience = audience_create(actor=actor, unit=root, name="Everyone (bench)")

    started = time.perf_counter()
    preview = audience_preview(actor=actor, audience_id=audience.pk, purpose="campaigning", channel="email")
    resolve_s = time.perf_counter() - started
    print(
        f"preview of {members:,} members: {resolve_s:.1f} s — total {preview.total:,}, reachable "
        f"{preview.reachable:,}, no consent {preview.no_consent:,}, suppressed {preview.suppressed:,}, "
        f"no address {preview.no_address:,}; peak RSS {base:.0f} -> {rss_mb():.0f} MB"
    )
    message = message_create(
        actor=actor,
        audience=audience,
        purpose="campaigning",
        channel="email",
        subject="Bench",
        body="Hi {{ given_name }}",
    )
    before = rss_mb()
    started = time.perf_counter()
    with transaction.atomic():
        sent = message_send(actor=actor, message=message)
    send_s = time.perf_counter() - started
    print(
        f"send (resolve + consent + suppression + outbox rows): {send_s:.1f} s for {sent.recipients:,} recipients; "
        f"peak RSS {before:.0f} -> {rss_mb():.0f} MB"
    )
    print(f"target <= 30 s: {'met' if send_s <= 30 else 'MISSED'}")


if __name__ == "__main__":
    main()
