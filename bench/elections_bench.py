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
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("POLITY_DEBUG", "0")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{when}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}; PostgreSQL {version}; Python {platform.python_version()}"


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
            "INSERT INTO elections_ballot (id, election_id, ranking) SELECT gen_random_uuid(), election_id, ranking FROM b"
        )
        cursor.execute("DROP TABLE b")
        cursor.execute("ANALYZE elections_ballot")
    store_s = time.perf_counter() - t
    with clock.at(e.poll_closes_at + timedelta(minutes=1)):
        e = election_close(actor=Actor.system(), election=e)
    t = time.perf_counter()
    e = election_count(actor=Actor.system(), election=e)
    count_s = time.perf_counter() - t
    e.state = "published"  # only for timing the bundle below (not saved)
    t = time.perf_counter()
    files = bundle(e)
    bundle_s = time.perf_counter() - t
    print(f"machine: {machine()}")
    print(f"roll frozen: {e.roll_size} members in {freeze_s:.2f} s")
    print(f"stored {args.ballots} ballots in {store_s:.2f} s (COPY, setup only)")
    print(f"count end to end (read + seal + count + store): {count_s:.2f} s; elected {e.result['elected']}")
    print(
        f"bundle (re-read, check seal, recount, render, BLT {len(files['ballots.blt']) // 1024} KiB): {bundle_s:.2f} s"
    )


def _sessions(election, voters: int) -> list[str]:  # type: ignore[no-untyped-def]
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from polity.accounts.models import User
    from polity.elections.models import RollEntry

    people = list(RollEntry.objects.filter(election=election).values_list("person_id", flat=True)[:voters])
    have = set(User.objects.filter(person_id__in=people).values_list("person_id", flat=True))
    User.objects.bulk_create(
        [User(username=f"bench-voter-{p}", person_id=p, password="!") for p in people if p not in have],
        batch_size=2000,
    )
    keys = []
    for user in User.objects.filter(person_id__in=people):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def _server(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
           "GUNICORN_THREADS": "4", "GUNICORN_ACCESS_LOG": ""}  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Voter:
    def __init__(self, port: int, session: str, election: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.session, self.election, self.csrf = session, election, ""

    def request(self, method: str, body: str = "") -> tuple[int, bytes]:
        headers = {"Cookie": f"sessionid={self.session}; csrftoken={self.csrf}", "Host": "127.0.0.1"}
        if method == "POST":
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"}
        self.conn.request(method, f"/elections/{self.election}/vote/", body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.csrf = value.split(";", 1)[0].split("=", 1)[1]
        return response.status, data

    def vote(self, ranking: str) -> int:
        status, page = self.request("GET")
        token = TOKEN.search(page).group(1).decode()  # type: ignore[union-attr]
        marks = "&".join(f"c{p}={n}" for n, p in enumerate(ranking.split(), start=1))
        status, _ = self.request("POST", f"csrfmiddlewaretoken={token}&{marks}")
        status, page = self.request(
            "POST", f"csrfmiddlewaretoken={token}&{marks}&confirm={ranking.replace(' ', '+')}"
        )
        return status if b"Your ballot is cast" in page else -status


def bench_web(args: argparse.Namespace) -> None:
    from polity.elections.models import Ballot

    root, ro = _returning_officer()
    # A region's roll: the cost of a ballot does not depend on the roll's size.
    region = root.children.order_by("pk").first()
    e, _ = _polling("Bench: web ballot", region, ro, "stv-scottish", 3, 6)
    sessions = _sessions(e, args.voters)
    port = 8700 + os.getpid() % 200
    server = _server(port, args.workers)
    results: list[int] = []
    lock = threading.Lock()
    rng = random.Random(3)
    rankings = [" ".join(map(str, rng.sample(range(1, 7), rng.randint(1, 6)))) for _ in sessions]

    def client(k: int) -> None:
        for i in range(k, len(sessions), args.clients):
            status = Voter(port, sessions[i], e.pk).vote(rankings[i])
            with lock:
                results.append(status)

    try:
        Voter(port, sessions[0], e.pk).request("GET")  # warm the workers
        t = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    ok = results.count(200)
    print(f"machine: {machine()}")
    print(f"web ballot: {ok} of {len(results)} ballots cast in {elapsed:.1f} s by {args.clients} clients, "
          f"{args.workers} gunicorn workers x 4 threads: {ok / elapsed:.0f} ballots/s "
          f"({3 * len(results) / elapsed:.0f} requests/s: form, check, cast)")  # fmt: skip
    print(f"stored: {Ballot.objects.filter(election=e).count()}")


def bench_parallel(args: argparse.Namespace) -> None:
    from polity.elections.models import Ballot, Participation

    root, ro = _returning_officer()
    e, _ = _polling("Bench: one voter, fifty tries", root, ro, "av", 1, 3)
    session = _sessions(e, 1)[0]
    port = 8500 + os.getpid() % 200
    server = _server(port, args.workers)
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
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
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
    parallel = sub.add_parser("parallel")
    parallel.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    setup()
    {"count": bench_count, "web": bench_web, "parallel": bench_parallel}[args.what](args)


if __name__ == "__main__":
    main()
