"""Meetings at scale on PostgreSQL, on a copy of the 500,000-member demo.

    createdb -h 127.0.0.1 -U postgres -T polity_bench500_tpl polity_meetings_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_meetings_bench polity migrate
    DATABASE_URL=... python bench/meetings_bench.py entitled [--seats 1000] [--runs 20]
    DATABASE_URL=... python bench/meetings_bench.py notice [--delegates 300]
    DATABASE_URL=... python bench/meetings_bench.py vote [--voters 1000] [--clients 16] [--workers 3]

entitled  "who is entitled on date D" for the national body (its executive committee, with `--seats` co-opted
          seats added to the demo's handful), today and six months ago, and for the largest open body (the AGM
          of the largest constituency: every member of its subtree in good standing). Target <= 200 ms.
notice    a general committee with `--delegates` delegates: call a meeting and queue its notice (one governance
          message through comms and the outbox, one `NoticeGiven` row each, the .ics file). Target <= 1 s.
vote      gunicorn serving the live vote page; `--voters` signed-in members of the national body, each on their
          own connection like a phone: GET the vote page, POST "sign in" (before the vote), then, once the chair
          opens a secret vote, GET the vote page and POST their choice. Counts are checked after: every vote
          recorded exactly once (receipts, the per-choice counters, each choice as cast), a second tap refused,
          50 simultaneous taps by one voter giving one vote. Target: 1,000 votes within 60 s.

Writes to the database it is pointed at (seats, meetings, users, sessions); never run it on real data.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import threading
import time
from datetime import timedelta
from typing import Any

os.environ.setdefault("POLITY_DEBUG", "0")

from foundation_common import ServerCpu, machine, serve, setup, signed_in_sessions, stop  # noqa: E402


def _national_body() -> Any:
    from polity.org.models import Body

    return Body.objects.select_related("unit").get(unit__parent__isnull=True, kind="executive_committee")


def _seat(body: Any, how_many: int, *, basis: str = "co_opted", signed_in: bool = True) -> list[int]:
    """Seat `how_many` active members in good standing on the body (setup, in bulk: not what is measured).
    Returns the ids of everyone seated by this call."""
    from django.db import transaction
    from django.utils import timezone

    from polity.access.models import OfficeTerm
    from polity.meetings.entitlement import in_good_standing, seat_offices
    from polity.meetings.models import Seat
    from polity.members.models import Person

    now = timezone.now()
    # Nobody who holds or held any office (an officer's account needs a second factor before any page), or,
    # for a body only written to, nobody who sits on it already.
    sitting = (
        OfficeTerm.objects.values("person_id")
        if signed_in
        else OfficeTerm.objects.filter(body=body).values("person_id")
    )
    candidates = in_good_standing(
        Person.objects.filter(home_unit__path__startswith=body.unit.path), now.date()
    ).exclude(pk__in=sitting)
    if signed_in:
        candidates = candidates.exclude(user__isnull=False)
    people = list(candidates.order_by("pk").values_list("pk", flat=True)[:how_many])
    office = seat_offices(body)[0]
    start = now - timedelta(days=200)
    with transaction.atomic():
        terms = OfficeTerm.objects.bulk_create(
            OfficeTerm(person_id=pk, office=office, unit=body.unit, body=body, starts_at=start)
            for pk in people
        )
        Seat.objects.bulk_create(
            Seat(
                term=term,
                body=body,
                basis=basis,
                from_affiliate="Bench affiliate" if basis == "delegate" else "",
                created_by_label="bench",
                created_at=now,
            )
            for term in terms
        )
    return people


def _timed(fn: Any, runs: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], result


def bench_entitled(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from polity.meetings.entitlement import entitled_people
    from polity.members.models import Person
    from polity.org.models import Body, Unit

    body = _national_body()
    _seat(body, args.seats)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE access_officeterm")
    now = timezone.now()
    print(f"machine: {machine()}")
    for label, at in (("today", now), ("six months ago", now - timedelta(days=182))):
        median, p95, ids = _timed(
            lambda at=at: list(entitled_people(body, at).values_list("pk", "given_name", "family_name")),
            args.runs,
        )
        print(
            f"national body ({body.name}), entitled {label}: {len(ids)} people, "
            f"median {median:.1f} ms, p95 {p95:.1f} ms ({args.runs} runs)"
        )
    biggest = (
        Person.objects.filter(home_unit__level="branch")
        .values("home_unit__parent")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert biggest is not None
    constituency = Unit.objects.get(pk=biggest["home_unit__parent"])
    agm = Body.objects.filter(unit=constituency, kind="agm").first()
    if agm is not None:
        median, p95, ids = _timed(
            lambda: list(entitled_people(agm, now).values_list("pk", "given_name", "family_name")), args.runs
        )
        print(
            f"open body ({agm.name}, {biggest['n']} members), entitled today: {len(ids)} people, "
            f"median {median:.1f} ms, p95 {p95:.1f} ms ({args.runs} runs)"
        )


def bench_notice(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.utils import timezone

    from polity.common.actor import Actor
    from polity.comms.models import Message
    from polity.meetings.models import NoticeGiven
    from polity.meetings.services.meetings import meeting_call, meeting_notice_send
    from polity.org.models import Body
    from polity.outbox.models import OutboxEntry

    body = (
        Body.objects.select_related("unit")
        .filter(kind="general_committee")
        .exclude(meetings__isnull=False)
        .first()
    )
    assert body is not None
    _seat(body, args.delegates, basis="delegate", signed_in=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE access_officeterm")
    system = Actor.system(label="bench")
    print(f"machine: {machine()}")
    for run in range(args.runs):
        meeting = meeting_call(
            actor=system,
            body=body,
            title=f"Bench general committee {run}",
            starts_at=timezone.now() + timedelta(days=20, hours=run),
            place="Community hall",
            online_link="https://meet.example.org/gc",
            agenda=["Apologies", "Minutes", "Motions", "Any other business"],
        )
        t = time.perf_counter()
        queued = meeting_notice_send(actor=system, meeting=meeting)
        elapsed = (time.perf_counter() - t) * 1000
        message = Message.objects.get(meeting=meeting)
        entries = OutboxEntry.objects.filter(dispatch_id=message.dispatch_id).count()
        given = NoticeGiven.objects.filter(meeting=meeting).count()
        print(
            f"notice to {body.name}: {queued} queued in {elapsed:.0f} ms "
            f"(NoticeGiven {given}, outbox entries {entries}, channel {message.channel})"
        )


def _sessions(people: list[int]) -> dict[int, str]:
    return signed_in_sessions(people, "bench-meeting-")


TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
POLL = re.compile(rb'hx-get="([^"]+)"')


class Phone:
    """One member's phone: its own connection, session and CSRF cookie."""

    def __init__(self, port: int, session: str, meeting: int) -> None:
        self.port, self.session, self.meeting, self.csrf = port, session, meeting, ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: str = "", *, htmx: bool = False) -> tuple[int, bytes]:
        headers = {"Cookie": f"sessionid={self.session}; csrftoken={self.csrf}", "Host": "127.0.0.1"}
        if htmx:
            headers["HX-Request"] = "true"
        if method == "POST":
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"}
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.csrf = value.split(";", 1)[0].split("=", 1)[1]
        return response.status, data

    def token(self, *, poll: bool = False) -> str:
        """The vote page's form token: the whole page (arriving), or the fragment the open page polls for."""
        status, page = self.request("GET", f"/meetings/{self.meeting}/vote/", htmx=poll)
        match = TOKEN.search(page)
        if status != 200 or match is None:
            raise RuntimeError(f"vote page answered {status}")
        return match.group(1).decode()

    def sign_in(self) -> int:
        token = self.token()
        status, _ = self.request("POST", f"/meetings/{self.meeting}/sign-in/", f"csrfmiddlewaretoken={token}")
        return status

    def vote(self, motion: int, choice: str, *, poll: bool = True) -> int:
        token = self.token(poll=poll)  # the page on the phone polls, and shows the vote once it is open
        status, _ = self.request(
            "POST",
            f"/meetings/{self.meeting}/cast/",
            f"csrfmiddlewaretoken={token}&motion={motion}&choice={choice}&next=/meetings/{self.meeting}/vote/",
        )
        return status


def _run(clients: int, items: list[Any], work: Any) -> tuple[float, list[Any]]:
    results: list[Any] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        for i in range(k, len(items), clients):
            try:
                out = work(items[i])
            except Exception as error:  # noqa: BLE001 - a failed request is counted, not fatal
                out = repr(error)
            with lock:
                results.append(out)

    t = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t, results


def bench_vote(args: argparse.Namespace) -> None:
    from collections import Counter

    from django.db import connection
    from django.utils import timezone

    from polity.audit.models import Event
    from polity.common.actor import Actor
    from polity.meetings.models import Attendance, Motion, SecretTally, SecretVoteReceipt
    from polity.meetings.services import business as biz
    from polity.meetings.services import meetings as mtg
    from polity.members.models import Person

    body = _national_body()
    seated = _seat(body, args.voters + 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE access_officeterm")
    system = Actor.system(label="bench")
    starts = timezone.now() + timedelta(minutes=5)
    meeting = mtg.meeting_call(
        actor=system,
        body=body,
        title="Bench: national body, live secret vote",
        starts_at=starts,
        place="Conference centre",
        agenda=["Motions"],
        now=starts - timedelta(days=10),
    )
    mtg.meeting_notice_send(actor=system, meeting=meeting, now=starts - timedelta(days=9))
    meeting = mtg.meeting_open(actor=system, meeting=meeting, now=starts)
    sessions = _sessions(seated)
    voters, extra = seated[: args.voters], seated[args.voters]
    port = 8300 + os.getpid() % 200
    server = serve(port, args.workers)
    rng = random.Random(11)
    choices = {pk: rng.choice(["for", "for", "against", "abstain"]) for pk in voters}
    print(f"machine: {machine()}")
    print(f"meeting {meeting.pk}: {meeting.entitled_count} entitled, quorum {meeting.quorum}")
    try:
        Phone(port, sessions[voters[0]], meeting.pk).request("GET", f"/meetings/{meeting.pk}/vote/")  # warm
        elapsed, signed = _run(
            args.clients, [*voters, extra], lambda pk: Phone(port, sessions[pk], meeting.pk).sign_in()
        )
        print(
            f"sign-in: {Counter(signed)} in {elapsed:.1f} s ({len(signed) / elapsed:.1f}/s); "
            f"present and entitled: {Attendance.objects.filter(meeting=meeting, is_entitled=True).count()}"
        )
        mover, seconder = Person.objects.get(pk=voters[0]), Person.objects.get(pk=voters[1])
        motion = biz.motion_submit(
            actor=Actor(user_id=None, person_id=mover.pk, label="bench mover"),
            meeting=meeting,
            title="Bench motion",
            text="This body resolves to be counted.",
            seconder=seconder,
            is_emergency=True,
        )
        biz.motion_rule(actor=system, motion=motion, admit=True, ruling="Admitted for the benchmark.")
        motion = biz.motion_vote_open(actor=system, motion=motion, method="secret")
        elapsed, cast = _run(
            args.clients,
            voters,
            lambda pk: Phone(port, sessions[pk], meeting.pk).vote(motion.pk, choices[pk]),
        )
        statuses = Counter(cast)
        print(
            f"secret vote: {statuses} from {len(voters)} voters in {elapsed:.1f} s "
            f"({len(voters) / elapsed:.1f} votes/s; each the page's poll and the POST of the vote), "
            f"{args.clients} clients, gunicorn {args.workers} workers x 4 threads"
        )
        again = Counter(
            Phone(port, sessions[pk], meeting.pk).vote(motion.pk, "for", poll=False) for pk in voters[:20]
        )
        print(f"a second vote by 20 who voted: {again}")
        seen: dict[int, str] = {}

        def poll(pk: int) -> int:
            """One poll by a phone: the address its page polls (with the digest of what it shows) once it has
            one, the bare fragment before."""
            status, page = Phone(port, sessions[pk], meeting.pk).request(
                "GET", seen.get(pk, f"/meetings/{meeting.pk}/vote/"), htmx=True
            )
            found = POLL.search(page)
            if found:
                seen[pk] = found.group(1).decode().replace("&amp;", "&")
            return status

        for label in ("a poll of the bare fragment", "a poll from a page that is up to date"):
            load = os.getloadavg()[0]
            with ServerCpu(server.pid) as server_cpu:
                elapsed, polls = _run(args.clients, voters, poll)
            cpu = server_cpu.seconds
            print(
                f"{label}, by each voter: {Counter(polls)} in {elapsed:.1f} s ({len(polls) / elapsed:.0f} polls/s); "
                f"server CPU {1000 * cpu / len(polls):.1f} ms per poll; load {load:.1f} before, "
                f"{os.getloadavg()[0]:.1f} after"
            )
        phone = Phone(port, sessions[extra], meeting.pk)
        token = phone.token()
        barrier = threading.Barrier(50)
        taps: list[int] = []

        def tap() -> None:
            other = Phone(port, sessions[extra], meeting.pk)
            other.csrf = phone.csrf
            barrier.wait()
            status, _ = other.request(
                "POST",
                f"/meetings/{meeting.pk}/cast/",
                f"csrfmiddlewaretoken={token}&motion={motion.pk}&choice=for",
            )
            taps.append(status)

        threads = [threading.Thread(target=tap) for _ in range(50)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        print(f"50 simultaneous taps by one voter: {Counter(taps)}")
    finally:
        stop(server)
    receipts = SecretVoteReceipt.objects.filter(motion=motion).count()
    tallies = dict(SecretTally.objects.filter(motion=motion).values_list("choice", "count"))
    expected = Counter(choices.values())
    expected["for"] += 1  # the voter who tapped 50 times
    motion = biz.motion_vote_close(actor=system, motion=Motion.objects.get(pk=motion.pk))
    events = Event.objects.filter(verb="meetings.vote_cast", object_id=str(motion.pk)).count()
    print(
        f"after: receipts {receipts}, tallies {tallies} (expected {dict(expected)}), audit events {events}; "
        f"result {motion.state} {motion.votes_for}-{motion.votes_against}-{motion.abstentions}"
    )
    ok = receipts == len(voters) + 1 and tallies == dict(expected) and events == receipts
    print("every vote recorded exactly once: " + ("yes" if ok else "NO"))
    if not ok:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    entitled = sub.add_parser("entitled")
    entitled.add_argument("--seats", type=int, default=1000)
    entitled.add_argument("--runs", type=int, default=20)
    notice = sub.add_parser("notice")
    notice.add_argument("--delegates", type=int, default=300)
    notice.add_argument("--runs", type=int, default=3)
    vote = sub.add_parser("vote")
    vote.add_argument("--voters", type=int, default=1000)
    vote.add_argument("--clients", type=int, default=16)
    vote.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    setup()
    {"entitled": bench_entitled, "notice": bench_notice, "vote": bench_vote}[args.what](args)


if __name__ == "__main__":
    main()
