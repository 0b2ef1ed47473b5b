"""CPU of one web-ballot request and one meeting-vote poll, in one process, without concurrency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_ballotcpu python bench/request_cpu.py ballot [--voters 500]
    DATABASE_URL=... python bench/request_cpu.py poll [--phones 200] [--rounds 3]
    add --profile FILE to either to keep a cProfile of the measured requests (read it with pstats)

ballot  a region's election (Scottish STV, 6 candidates): each voter's three requests (the form, the check,
        the cast) through Django's whole stack (middleware, session, views, templates) with the test client.
        Prints the Django CPU per request, the PostgreSQL backend's CPU per ballot and the queries of each.
poll    the national body's live meeting with a secret vote open: each phone's poll of the vote page (the
        htmx fragment), first bare, then from the address the fragment gives (with the digest of what it shows).

The gunicorn figures (bench/elections_bench.py web, bench/meetings_bench.py vote) add HTTP parsing, threads
and the client; these isolate the cost of a request itself, which is what the code can change.
Writes to the database it is pointed at (elections, seats, meetings, users, sessions); never on real data.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import re
import statistics
import time
from datetime import timedelta
from typing import Any

os.environ.setdefault("POLITY_DEBUG", "0")

from foundation_common import CpuClock, machine, setup  # noqa: E402


def _client(session_key: str) -> Any:
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def _queries(fn: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _measure(steps: dict[str, Any], items: list[Any], profile: str | None, rounds: int = 5) -> None:
    """Run every step on every item, timing each step's process CPU apart, and the backend's in total.

    The items are taken in `rounds` equal slices; on a shared machine the neighbours inflate some slices
    (caches, frequency, steal), so the lowest slice is printed beside the median."""
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not waits
    size = max(1, len(items) // rounds)
    slices: list[dict[str, float]] = []
    for start in range(0, size * rounds, size):
        cpu = dict.fromkeys(steps, 0.0)
        with CpuClock() as clock:
            for item in items[start : start + size]:
                for name, step in steps.items():
                    t = time.process_time()
                    if profiler:
                        profiler.enable()
                    step(item)
                    if profiler:
                        profiler.disable()
                    cpu[name] += time.process_time() - t
        slices.append(
            {name: 1000 * total / size for name, total in cpu.items()} | {"db": 1000 * clock.server / size}
        )
    for label, pick in (("median", statistics.median), ("lowest", min)):
        per = ", ".join(f"{name} {pick(s[name] for s in slices):.2f} ms" for name in steps)
        total = pick(sum(s[name] for name in steps) for s in slices)
        print(f"  {label} of {len(slices)} slices of {size}: Django CPU per request: {per}; together {total:.2f} ms;"
              f" PostgreSQL backend {pick(s['db'] for s in slices):.2f} ms")  # fmt: skip
    if profiler:
        profiler.dump_stats(profile)
        print(f"profile written to {profile}")


def bench_ballot(args: argparse.Namespace) -> None:
    from elections_bench import _polling, _returning_officer, _sessions

    root, ro = _returning_officer()
    region = root.children.order_by("pk").first()
    e, _ = _polling("Bench: ballot CPU", region, ro, "stv-scottish", 3, 6)
    keys = _sessions(e, args.voters + 1)
    rng = random.Random(3)
    url = f"/elections/{e.pk}/vote/"

    def marks(ranking: list[int]) -> dict[str, str]:
        return {f"c{p}": str(n) for n, p in enumerate(ranking, start=1)}

    def voter(key: str) -> dict[str, Any]:
        ranking = rng.sample(range(1, 7), rng.randint(1, 6))
        return {"client": _client(key), "marks": marks(ranking), "confirm": ",".join(map(str, ranking))}

    def form(v: dict[str, Any]) -> None:
        response = v["client"].get(url)
        assert response.status_code == 200 and b'name="csrfmiddlewaretoken"' in response.content, response

    def check(v: dict[str, Any]) -> None:
        response = v["client"].post(url, v["marks"])
        assert b'name="confirm"' in response.content, response
        v["confirm"] = response.content.split(b'name="confirm" value="')[1].split(b'"')[0].decode()

    def cast(v: dict[str, Any]) -> None:
        response = v["client"].post(url, {**v["marks"], "confirm": v["confirm"]})
        assert b"Your ballot is cast" in response.content, response

    first, *rest = (voter(k) for k in keys)
    for _ in range(3):  # warm: templates compiled, connection open, paper kept
        first["client"].get(url)
    counts = [_queries(lambda s=s: s(first)) for s in (form, check, cast)]
    print(f"machine: {machine()}")
    print(f"queries per request (form, check, cast): {counts}")
    _measure({"form": form, "check": check, "cast": cast}, rest, args.profile)


def bench_poll(args: argparse.Namespace) -> None:
    from django.utils import timezone
    from meetings_bench import _national_body, _seat
    from meetings_bench import _sessions as meeting_sessions

    from polity.common.actor import Actor
    from polity.meetings.services import attendance as att
    from polity.meetings.services import business as biz
    from polity.meetings.services import meetings as mtg
    from polity.members.models import Person

    body = _national_body()
    seated = _seat(body, args.phones + 2)
    system = Actor.system(label="bench")
    starts = timezone.now() + timedelta(minutes=5)
    meeting = mtg.meeting_call(actor=system, body=body, title="Bench: poll CPU", starts_at=starts,
                               place="Hall", agenda=["Motions"], now=starts - timedelta(days=10))  # fmt: skip
    mtg.meeting_notice_send(actor=system, meeting=meeting, now=starts - timedelta(days=9))
    meeting = mtg.meeting_open(actor=system, meeting=meeting, now=starts)
    for pk in seated:
        att.attendance_sign_in(actor=Actor(user_id=None, person_id=pk, label="bench"), meeting=meeting)
    mover, seconder = Person.objects.get(pk=seated[0]), Person.objects.get(pk=seated[1])
    motion = biz.motion_submit(actor=Actor(user_id=None, person_id=mover.pk, label="bench"), meeting=meeting,
                               title="Bench motion", text="Counted.", seconder=seconder, is_emergency=True)  # fmt: skip
    biz.motion_rule(actor=system, motion=motion, admit=True, ruling="Admitted.")
    motion = biz.motion_vote_open(actor=system, motion=motion, method="secret")
    keys = meeting_sessions(seated[2:])
    url = f"/meetings/{meeting.pk}/vote/"
    phones = [{"client": _client(k), "address": url} for k in keys.values()]

    def poll(p: dict[str, Any]) -> None:
        """The page's poll: the bare fragment first, then the address the fragment gives (with its digest)."""
        response = p["client"].get(p["address"], headers={"HX-Request": "true"})
        assert response.status_code in (200, 204), response
        found = re.search(rb'hx-get="([^"]+)"', response.content)
        if found:
            p["address"] = found.group(1).decode().replace("&amp;", "&")
        p["status"] = response.status_code

    for _ in range(3):
        poll(phones[0])
    phones[0]["address"] = url
    print(f"machine: {machine()}")
    print(f"queries per poll (bare, then from an up-to-date page): {_queries(lambda: poll(phones[0]))}, "
          f"{_queries(lambda: poll(phones[0]))} (status {phones[0]['status']})")  # fmt: skip
    for p in phones:
        p["address"] = url
    for n in range(args.rounds):
        print(f"round {n + 1} (" + ("the bare fragment" if n == 0 else "from an up-to-date page") + "):")
        _measure({"poll": poll}, phones, args.profile if n == args.rounds - 1 else None)
        print(f"  answers: {sorted({p['status'] for p in phones})}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    ballot = sub.add_parser("ballot")
    ballot.add_argument("--voters", type=int, default=500)
    ballot.add_argument("--profile")
    poll = sub.add_parser("poll")
    poll.add_argument("--phones", type=int, default=200)
    poll.add_argument("--rounds", type=int, default=3)
    poll.add_argument("--profile")
    args = parser.parse_args()
    setup()
    {"ballot": bench_ballot, "poll": bench_poll}[args.what](args)


if __name__ == "__main__":
    main()
