"""Elections at scale on PostgreSQL, on a copy of the 500,000-member demo.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_elections_bench python bench/elections_bench.py count
    DATABASE_URL=... python bench/elections_bench.py web [--voters 3000] [--clients 16] [--workers 4]
    DATABASE_URL=... python bench/elections_bench.py parallel

count     a national election (15 candidates, 5 seats, Scottish STV, a reserved seat): freeze (the roll of the
          whole party in one statement), 500,000 stored ranked ballots (party blocs), close, then the count
          timed end to end: read and seal the stored ballots, count, store the result (target <= 5 s).
web       gunicorn serving the web ballot; client threads, each a signed-in voter: GET the ballot, POST the
          numbers (the check step), POST the confirmation (the cast). Ballots per second (target >= 200).
parallel  50 simultaneous confirmed POSTs by one voter through the web ballot: exactly one ballot is stored.

Writes to the database it is pointed at (new elections, users and sessions); never run it on real data.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import random
import re
import threading
import time
from collections import Counter
from datetime import timedelta

os.environ.setdefault("POLITY_DEBUG", "0")

from foundation_common import ServerCpu, machine, serve, setup, signed_in_sessions, stop  # noqa: E402


def _returning_officer():  # type: ignore[no-untyped-def]
    from polity.access.services import office_appoint
    from polity.common.actor import Actor
    from polity.members.models import Person
    from polity.org.models import Unit

    root = Unit.objects.get(parent__isnull=True)
    person = Person.objects.filter(status="active").order_by("-pk").first()
    office_appoint(actor=Actor.system(), person=person, office="returning_officer", unit=root)
    return root, person


def _polling(title: str, unit, ro, method: str, seats: int, candidates: int, groups=()):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from polity.common.actor import Actor
    from polity.elections import clock
    from polity.elections.models import Group
    from polity.elections.services import (
        candidate_add,
        election_create,
        election_freeze,
        election_open_nominations,
        election_open_poll,
    )
    from polity.members.models import Person

    system = Actor.system()
    start = timezone.now() - timedelta(days=30)
    with clock.at(start):
        e = election_create(actor=system, title=title, office=title, unit=unit, method=method, seats=seats,
                            returning_officer=ro, groups=groups)  # fmt: skip
        t = time.perf_counter()
        e = election_freeze(actor=system, election=e)
        freeze_s = time.perf_counter() - t
        e = election_open_nominations(actor=system, election=e)
        people = Person.objects.filter(status="active", home_unit__path__startswith=unit.path).exclude(
            pk=ro.pk
        )
        added = [
            candidate_add(actor=system, election=e, person=p) for p in people.order_by("pk")[:candidates]
        ]
        for group in Group.objects.filter(election=e):
            group.candidates.set([added[-1], added[-2]])
    with clock.at(e.poll_opens_at + timedelta(minutes=1)):
        e = election_open_poll(actor=system, election=e)
    return e, freeze_s


def bench_count(args: argparse.Namespace) -> None:
    from django.db import connection

    from polity.common.actor import Actor
    from polity.elections import clock
    from polity.elections.services import GroupSpec, election_close, election_count
    from polity.elections.services.count import bundle

    root, ro = _returning_officer()
    e, freeze_s = _polling(
        "Bench: national executive", root, ro, "stv-scottish", 5, 15, [GroupSpec("BAME", 1)]
    )
    rng = random.Random(7)
    parties = [list(range(1, 6)), list(range(6, 11)), list(range(11, 16))]
    lines = io.StringIO()
    for _ in range(args.ballots):
        bloc = rng.choices(parties, weights=[45, 35, 20])[0][:]
        rng.shuffle(bloc)
        others = [c for c in range(1, 16) if c not in bloc]
        rng.shuffle(others)
        ranking = (bloc + others)[: rng.choice([1, 2, 3, 5, 5, 8, 15])]
        lines.write(f"{e.pk}\t{' '.join(map(str, ranking))}\n")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE b (election_id bigint, ranking text)")
        with cursor.connection.cursor().copy("COPY b FROM STDIN") as copy:
            copy.write(lines.getvalue())
        cursor.execute(
            # Every web ballot has a receipt hash: the seal hashes them too.
            "INSERT INTO elections_ballot (id, election_id, ranking, receipt_hash) SELECT gen_random_uuid(), "
            "election_id, ranking, encode(sha256(gen_random_uuid()::text::bytea), 'hex') FROM b"
        )
        cursor.execute("DROP TABLE b")
        cursor.execute("ANALYZE elections_ballot")
    store_s = time.perf_counter() - t
    with clock.at(e.poll_closes_at + timedelta(minutes=1)):
        e = election_close(actor=Actor.system(), election=e)
    t = time.perf_counter()
    e = election_count(actor=Actor.system(), election=e)
    count_s = time.perf_counter() - t
    from polity.elections.services.count import profile, run_count, sealed_ballots

    parts = []
    for _ in range(2):  # the parts of the count, timed apart (second run: warm cache)
        t = time.perf_counter()
        sealed = sealed_ballots(e)
        seal_s = time.perf_counter() - t
        t = time.perf_counter()
        profile(e, sealed)
        layout_s = time.perf_counter() - t
        t = time.perf_counter()
        run_count(e, sealed)
        parts.append((seal_s, layout_s, time.perf_counter() - t - layout_s))
    e.state = "published"  # only for timing the bundle below (not saved)
    t = time.perf_counter()
    files = bundle(e)
    bundle_s = time.perf_counter() - t
    print(f"machine: {machine()}")
    print(f"roll frozen: {e.roll_size} members in {freeze_s:.2f} s")
    print(f"stored {args.ballots} ballots in {store_s:.2f} s (COPY, setup only)")
    print(f"count end to end (read + seal + count + store): {count_s:.2f} s; elected {e.result['elected']}")
    for seal_s, layout_s, counting_s in parts:
        print(f"  parts: read + seal {seal_s:.2f} s, layout {layout_s:.2f} s, count {counting_s:.2f} s")
    print(
        f"bundle (re-read, check seal, recount, render, BLT {len(files['ballots.blt']) // 1024} KiB): {bundle_s:.2f} s"
    )


def _sessions(election, voters: int) -> list[str]:  # type: ignore[no-untyped-def]
    from polity.elections.models import RollEntry

    people = list(RollEntry.objects.filter(election=election).values_list("person_id", flat=True)[:voters])
    return list(signed_in_sessions(people, "bench-voter-").values())


TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Voter:
    def __init__(self, port: int, session: str, election: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.session, self.election, self.csrf, self.location = session, election, "", ""

    def request(self, method: str, body: str = "") -> tuple[int, bytes]:
        self.location = ""
        headers = {"Cookie": f"sessionid={self.session}; csrftoken={self.csrf}", "Host": "127.0.0.1"}
        if method == "POST":
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"}
        self.conn.request(method, f"/elections/{self.election}/vote/", body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "location":
                self.location = value
            if name.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.csrf = value.split(";", 1)[0].split("=", 1)[1]
        return response.status, data

    def vote(self, ranking: str) -> str:
        """'cast', or what stopped the voter: the step, the status and where a redirect pointed."""
        status, page = self.request("GET")
        found = TOKEN.search(page)
        if found is None:
            return f"form: {status} {self.location.split('?')[0]}".strip()
        token = found.group(1).decode()
        marks = "&".join(f"c{p}={n}" for n, p in enumerate(ranking.split(), start=1))
        status, page = self.request("POST", f"csrfmiddlewaretoken={token}&{marks}")
        if b'name="confirm"' not in page:
            return f"check: {status} {self.location.split('?')[0]}".strip()
        status, page = self.request(
            "POST", f"csrfmiddlewaretoken={token}&{marks}&confirm={ranking.replace(' ', '+')}"
        )
        return "cast" if b"Your ballot is cast" in page else f"cast: {status}"


def bench_web(args: argparse.Namespace) -> None:
    from polity.elections.models import Ballot

    root, ro = _returning_officer()
    # A region's roll: the cost of a ballot does not depend on the roll's size.
    region = root.children.order_by("pk").first()
    e, _ = _polling("Bench: web ballot", region, ro, "stv-scottish", 3, 6)
    sessions = _sessions(e, args.voters)
    port = 8700 + os.getpid() % 200
    server = serve(port, args.workers, args.threads)
    results: list[str] = []
    lock = threading.Lock()
    rng = random.Random(3)
    rankings = [" ".join(map(str, rng.sample(range(1, 7), rng.randint(1, 6)))) for _ in sessions]

    def client(k: int) -> None:
        for i in range(k, len(sessions), args.clients):
            status = Voter(port, sessions[i], e.pk).vote(rankings[i])
            with lock:
                results.append(status)

    try:
        for k in range(args.workers * 4):
            Voter(port, sessions[k], e.pk).request("GET")  # warm the workers and their connections
        load_before = os.getloadavg()[0]
        t = time.perf_counter()
        with ServerCpu(server.pid) as server_cpu:
            threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
        elapsed = time.perf_counter() - t
        cpu = server_cpu.seconds
    finally:
        stop(server)
    ok = results.count("cast")
    stopped = Counter(r for r in results if r != "cast")
    print(f"machine: {machine()}")
    print(f"web ballot: {ok} of {len(results)} ballots cast in {elapsed:.1f} s by {args.clients} clients, "
          f"{args.workers} gunicorn workers x {args.threads} threads: {ok / elapsed:.0f} ballots/s "
          f"({3 * len(results) / elapsed:.0f} requests/s: form, check, cast)")  # fmt: skip
    print(f"load average 1 min: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"server CPU (gunicorn + its PostgreSQL backends): {cpu:.1f} s = {1000 * cpu / max(ok, 1):.1f} ms per ballot"
          f" -> {ok / cpu if cpu else 0:.0f} ballots per CPU-second (one core, unshared)")  # fmt: skip
    print(f"stored: {Ballot.objects.filter(election=e).count()}; voters stopped: {dict(stopped) or 'none'}")


def bench_parallel(args: argparse.Namespace) -> None:
    from polity.elections.models import Ballot, Participation

    root, ro = _returning_officer()
    e, _ = _polling("Bench: one voter, fifty tries", root, ro, "av", 1, 3)
    session = _sessions(e, 1)[0]
    port = 8500 + os.getpid() % 200
    server = serve(port, args.workers)
    try:
        first = Voter(port, session, e.pk)
        _, page = first.request("GET")
        token = TOKEN.search(page).group(1).decode()  # type: ignore[union-attr]
        barrier = threading.Barrier(50)
        statuses: list[int] = []

        def attempt() -> None:
            v = Voter(port, session, e.pk)
            v.csrf = first.csrf
            barrier.wait()
            status, _ = v.request("POST", f"csrfmiddlewaretoken={token}&c1=1&confirm=1")
            statuses.append(status)

        threads = [threading.Thread(target=attempt) for _ in range(50)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        stop(server)
    print(f"machine: {machine()}")
    print(f"50 parallel confirmed ballots by one voter: answers {sorted(set(statuses))} "
          f"({statuses.count(200)} x 200, {statuses.count(409)} x 409); stored ballots "
          f"{Ballot.objects.filter(election=e).count()}, participations {Participation.objects.filter(election=e).count()}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    count = sub.add_parser("count")
    count.add_argument("--ballots", type=int, default=500_000)
    web = sub.add_parser("web")
    web.add_argument("--voters", type=int, default=3000)
    web.add_argument("--clients", type=int, default=16)
    web.add_argument("--workers", type=int, default=4)
    web.add_argument("--threads", type=int, default=4)
    parallel = sub.add_parser("parallel")
    parallel.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    setup()
    {"count": bench_count, "web": bench_web, "parallel": bench_parallel}[args.what](args)


if __name__ == "__main__":
    main()
