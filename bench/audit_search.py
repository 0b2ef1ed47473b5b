"""The data protection officer's search of the access log over 5,000,000 events (target: <= 1 s on PostgreSQL
for "everything officer X saw between D1 and D2").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_audit_bench python bench/audit_search.py
        [--events 5000000] [--members 20000] [--seed 1] [--runs 20] [--measure-only] [--verify]

Without --measure-only it WIPES the database it is pointed at: builds the demo organisation (its officers,
their offices and terms, the `dpo` login), empties the access log, and writes --events events spread over the
last two years, each by an officer whose term had started by then (a few officers do most of the work, as
in life; the demo's `secretary` is among the busiest). Events are opened records (one person), members list
pages (1-50 people), consent, payment, case and status events and message sends.

The log is **real, not synthetic**: every event is chained with polity.audit.chain (HMAC over the previous
hash, as audit_record does) and written with COPY, then its subject index rows are derived in SQL, so
`polity audit verify` passes on the result (--verify runs it at the end, which takes a while at 5M).

Then it times, on the page's own selector (`access_log_search`, which also records the search), on the
web page (Django's test client, signed in as `dpo` with a verified second factor) and on the API (a bearer
token): the first request for an officer and period ("cold": a fresh database connection and an officer
not asked about before; PostgreSQL's and the OS's caches may still hold pages of the load) and --runs
repeats ("warm": median and p95).
"""

from __future__ import annotations

import argparse
import bisect
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

os.environ.setdefault("POLITY_DEBUG", "0")

from foundation_common import machine, setup  # noqa: E402

DAYS = 730
# (verb, purpose, share of events)
MIX = [
    ("member.view", "member record", 0.62),
    ("members.list", "members list", 0.20),
    ("consent.view", "consent record", 0.05),
    ("member.record_payment", "membership", 0.04),
    ("case.view", "case", 0.03),
    ("comms.message_send", "governance notice", 0.03),
    ("member.set_status", "membership", 0.02),
    ("member.transfer", "membership", 0.01),
]
FIELDS = (
    "seq", "occurred_at", "actor_user_id", "actor_person_id", "actor_label", "verb", "purpose",
    "object_type", "object_id", "subjects", "data",
)  # fmt: skip


def wipe_log() -> None:
    from django.db import connection

    from polity.audit.models import ChainHead, Event, EventSubject

    with connection.cursor() as cursor:
        tables = ", ".join(m._meta.db_table for m in (EventSubject, Event, ChainHead))
        cursor.execute(f"TRUNCATE {tables}")


def officers(seed: int) -> list[tuple[datetime, int, int | None, str, float]]:
    """(term start, person, user or None, label, weight) of everyone whose office carries permissions."""
    from polity.access.models import OfficeTerm
    from polity.accounts.models import User
    from polity.rulebook.loader import get_rulebook

    offices = [key for key, o in get_rulebook().offices.items() if o.permissions]
    users = dict(User.objects.filter(person__isnull=False).values_list("person_id", "pk"))
    names = dict(User.objects.filter(person__isnull=False).values_list("person_id", "username"))
    numbers = dict(
        OfficeTerm.objects.filter(office__in=offices).values_list("person_id", "person__membership_number")
    )
    first: dict[int, datetime] = {}
    for person, starts_at in OfficeTerm.objects.filter(office__in=offices).values_list(
        "person_id", "starts_at"
    ):
        first[person] = min(starts_at, first.get(person, starts_at))
    rng = random.Random(seed)
    out = []
    for person, starts_at in sorted(first.items(), key=lambda item: (item[1], item[0])):
        weight = rng.paretovariate(1.2)  # a few officers do most of the reading
        if names.get(person) == "secretary":
            weight = 400.0
        label = names.get(person) or f"demo:{numbers[person]}"
        out.append((starts_at, person, users.get(person), label, weight))
    return out


def write_events(target: int, seed: int) -> int:
    """Chain `target` events after the current head and COPY them in; the Event indexes are built after."""
    from django.db import connection, transaction
    from django.utils import timezone

    from polity.audit.chain import GENESIS, audit_key, canonical, encode_data, linker
    from polity.audit.models import ChainHead, Event
    from polity.members.models import Person

    rng = random.Random(seed)
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    crew = officers(seed)
    starts = [c[0] for c in crew]
    cumulative = []
    total = 0.0
    for c in crew:
        total += c[4]
        cumulative.append(total)
    verbs = [(v, p) for v, p, _share in MIX]
    verb_cum = []
    acc = 0.0
    for _v, _p, share in MIX:
        acc += share
        verb_cum.append(acc)
    link = linker(audit_key())
    table = Event._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
        missing = target - seq
        if missing <= 0:
            return 0
        now = timezone.now()
        span = timedelta(days=DAYS)
        start = now - span - timedelta(hours=1)
        step = span / missing
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s "
            "AND indexdef NOT LIKE %s",
            [table, "%_pkey", "%UNIQUE%"],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        columns = ", ".join((*FIELDS, "prev_hash", "hash"))
        web, api = encode_data({"channel": "web"}), encode_data({"channel": "api"})
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for i in range(missing):
                seq += 1
                at = start + step * i
                when = at.astimezone(UTC).isoformat(timespec="microseconds")
                eligible = bisect.bisect_right(starts, at)
                if eligible == 0:
                    eligible = 1
                pick = bisect.bisect_left(cumulative, rng.random() * cumulative[eligible - 1])
                _start, person, user, label, _weight = crew[pick]
                verb, purpose = verbs[bisect.bisect_left(verb_cum, rng.random() * acc)]
                if verb == "members.list":
                    first = rng.randrange(len(people))
                    shown = people[first : first + rng.choice((1, 3, 12, 20, 35, 50, 50))]
                    subjects = ",".join(map(str, shown))
                    obj_type, obj_id = "unit", str(rng.randrange(1, 400))
                    data = encode_data(
                        {"channel": "web", "page": 1, "q": True, "shown": len(shown), "status": ""}
                    )
                elif verb == "comms.message_send":
                    subjects, obj_type, obj_id = "", "comms.message", str(rng.randrange(1, 50_000))
                    data = encode_data({"channel": "web", "recipients": rng.randrange(10, 5_000)})
                else:
                    subject = rng.choice(people)
                    subjects, obj_type, obj_id = str(subject), "person", str(subject)
                    data = api if rng.random() < 0.1 else web
                values = (seq, when, user, person, label, verb, purpose, obj_type, obj_id, subjects, data)
                digest = link(prev, canonical(*values))
                copy.write_row((*values, prev, digest))
                prev = digest
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        ChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})
    return missing


def build(args: argparse.Namespace) -> None:
    from foundation_verify import fill_subject_index, vacuum_analyze

    from polity.common.actor import Actor
    from polity.demo.services import demo_generate

    started = time.perf_counter()
    wipe_log()
    demo_generate(
        actor=Actor.system("bench"), members=args.members, seed=args.seed, force=True, write_file=False
    )
    print(f"demo ({args.members:,} members): {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    added = write_events(args.events, args.seed)
    print(f"chained and copied {added:,} events (indexes built after): {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rows = fill_subject_index()
    print(f"subject index: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    vacuum_analyze()
    print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--measure-only", action="store_true", help="reuse the data of an earlier run")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--verify", action="store_true", help="run audit_verify() on the result")
    parser.add_argument(
        "--append-only", action="store_true", help="measure only what the indexes cost appends"
    )
    args = parser.parse_args()
    setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(machine())
    if not args.measure_only:
        build(args)
    if args.build_only:
        return
    if not args.append_only:
        measure(args)
    if connection.vendor == "postgresql":
        append_cost(args.runs * 2, rounds=8)
    if args.verify:
        from polity.audit.services import audit_verify

        started = time.perf_counter()
        verdict = audit_verify()  # in worker processes: only the wall time means anything here
        print(f"audit_verify(): {verdict}, {time.perf_counter() - started:.1f} s wall")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


def figures(label: str, cold: float | None, warm: list[float], target: float | None = None) -> None:
    med, high = statistics.median(warm), p95(warm)
    verdict = (
        f" -> target <= {target:g} s: {'met' if max(high, cold or 0) <= target else 'MISSED'}"
        if target
        else ""
    )
    first = f"cold {cold * 1000:.0f} ms, " if cold is not None else ""
    print(
        f"  {label}: {first}warm median {med * 1000:.1f} ms, p95 {high * 1000:.1f} ms ({len(warm)} runs){verdict}"
    )


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def cold(fn) -> float:  # type: ignore[no-untyped-def]
    """The first call on a fresh database connection."""
    from django.db import connection

    connection.close()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def web_client(username: str):  # type: ignore[no-untyped-def]
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


SEARCH_INDEXES = (
    "audit_event_actor_time",
    "audit_event_verb_time",
    "audit_event_purpose_time",
    "audit_event_time",
)


def append_cost(runs: int, rounds: int = 3) -> None:
    """What the search's four indexes add to appending a members list page's event (50 people).

    Rounds alternate with and without the indexes (dropped inside a transaction that is rolled back), so both
    see the same machine load; the appends run inside that transaction, so commit flushes are left out.
    """
    from django.db import connection, transaction

    from polity.audit.services import audit_record
    from polity.common.actor import Actor
    from polity.members.models import Person

    actor = Actor.system("bench")
    subjects = list(Person.objects.order_by("pk").values_list("pk", flat=True)[1000:1050])
    data = {"channel": "web", "page": 1, "q": True, "shown": 50, "status": ""}

    def batch() -> list[float]:
        out = []
        for _ in range(runs):
            started = time.perf_counter()
            audit_record(
                actor=actor, verb="members.list", subjects=subjects, purpose="members list", data=data
            )
            out.append(time.perf_counter() - started)
        return out

    with_indexes: list[float] = []
    without: list[float] = []
    for _round in range(rounds):
        with transaction.atomic():
            with_indexes += batch()
            transaction.set_rollback(True)
        with transaction.atomic():
            with connection.cursor() as cursor:
                for name in SEARCH_INDEXES:
                    cursor.execute(f'DROP INDEX "{name}"')
            without += batch()
            transaction.set_rollback(True)
    a, b = statistics.median(with_indexes), statistics.median(without)
    print(
        f"append of a 50-person members list event ({len(with_indexes)} each, in a transaction): "
        f"median {a * 1000:.2f} ms with the search's indexes, {b * 1000:.2f} ms without ({(a / b - 1) * 100:+.0f}%)"
    )


def measure(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from polity.accounts.models import User
    from polity.accounts.tokens import token_create
    from polity.audit.models import Event
    from polity.audit.search import access_log_search
    from polity.audit.selectors import access_log_for_person
    from polity.common.actor import Actor
    from polity.members.models import Person

    dpo_user = User.objects.get(username="dpo")
    dpo = lambda: Actor.for_user(dpo_user)  # noqa: E731 (a fresh actor per request, as in a view)
    total = Event.objects.count()
    busiest = list(
        Event.objects.filter(actor_person_id__isnull=False)
        .values_list("actor_person_id")
        .annotate(n=Count("id"))
        .order_by("-n", "actor_person_id")
    )
    number = dict(
        Person.objects.filter(pk__in=[p for p, _n in busiest]).values_list("pk", "membership_number")
    )
    print(
        f"log: {total:,} events by {len(busiest):,} officers; busiest {busiest[0][1]:,}, median {busiest[len(busiest) // 2][1]:,}"
    )
    today = timezone.localdate()
    d1, d2 = today - timedelta(days=270), today - timedelta(days=180)  # a quarter, six months back
    # Cold runs each ask about an officer nobody asked about yet in this process: one per channel.
    start, end = (timezone.make_aware(datetime.combine(d, datetime.min.time())) for d in (d1, d2))

    def active(person: int) -> bool:  # in office during the quarter (terms begin over the two years)
        return Event.objects.filter(
            actor_person_id=person, occurred_at__gte=start, occurred_at__lt=end
        ).exists()

    heavy = busiest[0][0]
    typical = next(p for p, _n in busiest[len(busiest) // 2 :] if active(p))
    fresh = [p for p, _n in busiest[1:40:4]]
    client, api = web_client("dpo"), Client(HTTP_HOST="localhost")
    token = token_create(actor=Actor.system("bench"), user=dpo_user, name="bench")[1]
    headers = {"Authorization": f"Bearer {token}"}
    # Warm the process, not the data: imports, URL resolution and base templates load on a first request.
    assert client.get("/").status_code in (200, 302)
    assert api.get("/api/v1/me", headers=headers).status_code == 200

    def selector(person: int, since: date | None = d1, until: date | None = d2, **more: object) -> int:
        found = access_log_search(actor=dpo(), who=number[person], since=since, until=until, **more)  # type: ignore[arg-type]
        return found.total

    def page(person: int) -> None:
        r = client.get("/audit/", {"actor": number[person], "since": d1.isoformat(), "until": d2.isoformat()})
        assert r.status_code == 200 and b"search-results" in r.content, r.status_code

    def api_get(person: int) -> None:
        q = {"actor": number[person], "since": d1.isoformat(), "until": d2.isoformat()}
        r = api.get("/api/v1/audit/events", q, headers=headers)
        assert r.status_code == 200, r.content

    print(
        f'"everything officer X saw between {d1} and {d2}" (page 1 of 50 with the total; the search recorded):'
    )
    channels = (
        ("selector", selector),
        ("web page GET /audit/", page),
        ("API GET /api/v1/audit/events", api_get),
    )
    for label, person in (("busiest officer", heavy), ("typical officer", typical)):
        print(f" {label} ({number[person]}): {selector(person):,} events in the period")
        for name, call in channels:
            first = fresh.pop()  # a busy officer nobody asked about yet
            figures(name, cold(lambda: call(first)), timed(lambda: call(person), args.runs), 1.0)  # noqa: B023
    print(f" busiest officer over the whole two years: {selector(heavy, None, None):,} events")
    figures("selector", None, timed(lambda: selector(heavy, None, None), args.runs), 1.0)
    figures("selector, page 100", None, timed(lambda: selector(heavy, None, None, page=100), args.runs), 1.0)
    figures(
        "selector, page 1,000 (the last)",
        None,
        timed(lambda: selector(heavy, None, None, page=1000), args.runs),
        1.0,
    )

    subject = Person.objects.order_by("pk").values_list("pk", "membership_number")[500]
    others = [
        (
            "a person whose data was touched, all time",
            lambda: access_log_search(actor=dpo(), person=subject[1]),
        ),
        (
            "one action (member.view), the quarter",
            lambda: access_log_search(actor=dpo(), verb="member.view", since=d1, until=d2),
        ),
        (
            "one action (member.view), all time",
            lambda: access_log_search(actor=dpo(), verb="member.view"),
        ),
        (
            "one purpose (consent record), the quarter",
            lambda: access_log_search(actor=dpo(), purpose="consent record", since=d1, until=d2),
        ),
        ("the quarter, nothing else", lambda: access_log_search(actor=dpo(), since=d1, until=d2)),
        ("the whole log, newest first", lambda: access_log_search(actor=dpo())),
        (
            "busiest officer + consent.view + consent record, all time",
            lambda: access_log_search(
                actor=dpo(), who=number[heavy], verb="consent.view", purpose="consent record"
            ),
        ),
        (
            "member.view + member record, the quarter",
            lambda: access_log_search(
                actor=dpo(), verb="member.view", purpose="member record", since=d1, until=d2
            ),
        ),
        (
            "busiest officer + member.view + a week",
            lambda: access_log_search(
                actor=dpo(), who=number[heavy], verb="member.view", since=d2 - timedelta(days=6), until=d2
            ),
        ),
    ]
    print("other searches (selector):")
    for label, fn in others:
        figures(f"{label} [{fn().total:,}]", None, timed(fn, args.runs), 1.0)
    member = Actor.system("bench")
    print("who viewed my data (access_log_for_person, 100 rows), unchanged path:")
    figures(
        "one member",
        None,
        timed(lambda: access_log_for_person(actor=member, person_id=subject[0], limit=100), args.runs),
    )
    if connection.vendor == "postgresql":
        qs = Event.objects.filter(actor_person_id=heavy, occurred_at__gte=start, occurred_at__lt=end)
        sql, params = qs.order_by("-occurred_at", "-seq").values_list("seq")[:50].query.sql_with_params()
        with connection.cursor() as cursor:
            for what, text in (
                ("page", sql),
                ("count", f"SELECT count(*) FROM ({sql.split(' LIMIT')[0]}) x"),
            ):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + text, params)
                plan = cursor.fetchone()[0][0]
                print(
                    f"  EXPLAIN ANALYZE busiest officer's quarter, {what}: {plan['Execution Time']:.2f} ms, {plan['Plan']['Node Type']}"
                )


if __name__ == "__main__":
    sys.exit(main())
