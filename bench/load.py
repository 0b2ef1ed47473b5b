"""Load: concurrent signed-in officers against gunicorn in the production configuration, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_load python bench/load.py --build
    DATABASE_URL=... python bench/load.py --duration 120 --officers 50      # reuse the demo register

With --build it loads the 500,000-member demo first (`polity demo --members 500000 --seed 7 --force`;
that wipes the database). Then it:

1. gives `--officers` office holders of the demo (constituency secretaries and regional officers, who
   may view members) a bench account each, with a password and a TOTP device (`load01`, `load02`, ...);
2. runs `migrate`, `check --deploy` and `collectstatic` with POLITY_ENV=production, and starts gunicorn
   with config/gunicorn.py on a free port (`--web-workers` processes of `--threads` threads);
3. signs every officer in through HTTP (password, then a TOTP code computed from the device's key), then
   for `--duration` seconds each officer, on its own session, in a loop: pages through its members list,
   searches it by name (as the htmx search box does), and opens members' records, waiting `--think`
   seconds (uniformly 0.5x to 1.5x) between clicks; `--think 0` gives a closed loop at full speed;
4. prints p50/p95/p99 latency per kind of request and overall, errors, requests per second, and the load
   average; then counts the access-log events of the bench accounts during the run against the reads
   that succeeded (every list page and every record opened must be one event), and runs
   `polity audit verify`.

Requests go over plain HTTP with `X-Forwarded-Proto: https`, as from a TLS proxy (docs/deployment.md).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import hmac
import logging
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "load-bench-password-7"  # noqa: S105 - bench accounts on a bench database
SEARCH_PREFIXES = ["Sm", "Jo", "Wi", "Br", "Mac", "Ta", "Ro", "Ha", "Cl", "Mo", "Ste", "Wa", "Gr", "Ke", "An"]


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def ok(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.examples) < 10:
            self.examples.append(f"{kind}: {what}")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def totp_now(key: bytes) -> str:
    digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), "sha1").digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------------------------------------------------
# Set-up, through Django in this process (the bench accounts) and `polity` commands in children.


def polity(env: dict[str, str], *args: str, quiet: bool = True) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "polity.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=quiet,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"polity {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return (done.stdout or "") + (done.stderr or "")


def bench_accounts(count: int) -> list[tuple[str, bytes, str, int]]:
    """(username, TOTP key, office, person id) for `count` officers who may view members, created if missing."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.access.models import OfficeTerm, Restriction
    from polity.accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__startswith="load").select_related("person")}
    taken = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
    terms = list(
        OfficeTerm.objects.filter(ends_at__isnull=True, office__in=["secretary", "regional_officer"])
        .filter(unit__level__in=["constituency", "region"])
        .select_related("unit")
        .order_by("unit__level", "id")
    )
    # Officers whose access to personal data is restricted (the demo has some under review) would rightly
    # be refused the members list: they are not the officers this benchmark measures.
    cuts = list(Restriction.objects.in_force(timezone.now()).values_list("unit__path", "person_id"))
    terms = [
        t
        for t in terms
        if not any(t.unit.path.startswith(path) and who in (None, t.person_id) for path, who in cuts)
    ]
    regional = [t for t in terms if t.unit.level == "region"]
    local = [t for t in terms if t.unit.level == "constituency"]
    # About one in five is a regional officer (a much larger register to page and search).
    mine = {u.person_id: u for u in users.values()}
    candidates = list(
        {
            t.person_id: t
            for t in reversed(regional[: max(1, count // 5)] + local)
            if t.person_id not in taken or t.person_id in mine
        }.values()
    )[::-1]
    out: list[tuple[str, bytes, str, int]] = []
    hashed = make_password(PASSWORD)
    with transaction.atomic():
        for term in candidates[:count]:
            user = mine.get(term.person_id)
            if user is None:
                username = next(f"load{n:02d}" for n in range(1, 10 * count) if f"load{n:02d}" not in users)
                user = User.objects.create_user(username=username, password=None, person=term.person)
                users[username] = mine[term.person_id] = user
            username = user.username
            user.password = hashed
            user.save(update_fields=["password"])
            key = secrets.token_bytes(20)
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(user=user, name="bench", key=key.hex(), confirmed=True)
            out.append((username, key, f"{term.office} of {term.unit.name}", term.person_id))
    return out


class CpuSampler:
    """CPU seconds used by the gunicorn processes (one process group) and by the PostgreSQL backends
    connected to the bench database, sampled every second from /proc (same machine). A backend that ends
    between samples loses at most its last second; one that starts during the run counts in full."""

    def __init__(self, pgid: int, database_url: str) -> None:
        self.pgid = pgid
        self.url = database_url
        self.tick = os.sysconf("SC_CLK_TCK")
        self.baseline: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def cpu(self, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / self.tick

    def sample(self, backends: list[int]) -> None:
        pids = {pid: "gunicorn" for pid in self.group()} | {pid: "postgresql" for pid in backends}
        for pid, kind in pids.items():
            used = self.cpu(pid)
            if used is None:
                continue
            self.last[pid] = used
            self.kind[pid] = kind

    def group(self) -> list[int]:
        out = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == self.pgid:
                        out.append(int(entry.name))
        return out

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            self.sample([row[0] for row in conn.execute(query)])
            self.baseline = dict(self.last)
            self.started.set()
            while not self.stop.wait(1.0):
                self.sample([row[0] for row in conn.execute(query)])
            self.sample([row[0] for row in conn.execute(query)])

    def start(self) -> None:
        self.started = threading.Event()
        self.thread.start()
        self.started.wait(10)

    def finish(self) -> dict[str, float]:
        self.stop.set()
        self.thread.join(10)
        used: dict[str, float] = {"gunicorn": 0.0, "postgresql": 0.0}
        for pid, last in self.last.items():
            used[self.kind[pid]] += last - self.baseline.get(pid, 0.0)
        return used


# ---------------------------------------------------------------------------------------------------------
# The officers.


class Officer:
    def __init__(self, client: httpx.AsyncClient, username: str, key: bytes, person_id: int) -> None:
        self.client = client
        self.person_id = person_id  # one's own record is not a read of someone else's data: not opened
        self.username = username
        self.key = key
        self.cookies: dict[str, str] = {}
        self.member_ids: list[int] = []
        self.pages = 1

    async def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            origin = "https://" + str(self.client.base_url.netloc.decode())
            headers.update({"Origin": origin, "Referer": origin + path})
        response = await self.client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        for line in response.headers.get_list("set-cookie"):
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in line.lower():
                self.cookies[name.strip()] = value
        return response

    async def post_form(self, path: str, data: dict[str, str]) -> httpx.Response:
        page = await self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError(f"no CSRF token on {path} ({page.status_code})")
        return await self.request("POST", path, data={"csrfmiddlewaretoken": token.group(1), **data})

    async def sign_in(self) -> None:
        first = await self.post_form("/accounts/login/", {"username": self.username, "password": PASSWORD})
        if first.status_code != 302:
            raise RuntimeError(f"{self.username}: password step answered {first.status_code}")
        second = await self.post_form("/accounts/verify/", {"token": totp_now(self.key)})
        if second.status_code != 302:
            raise RuntimeError(f"{self.username}: second factor answered {second.status_code}")

    def learn(self, html: str) -> None:
        ids = [int(x) for x in re.findall(r'href="/members/(\d+)/"', html) if int(x) != self.person_id]
        if ids:
            self.member_ids = ids
        if 'rel="next"' in html or ">Next" in html:
            self.pages = max(self.pages, 2)

    async def one_click(self, stats: Stats, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.4 or not self.member_ids:
            kind = "list page"
            page = rng.randint(1, min(self.pages + 1, 20))
            path, headers = f"/members/?page={page}", {}
        elif roll < 0.7:
            kind = "search"
            path, headers = f"/members/?q={rng.choice(SEARCH_PREFIXES)}", {"HX-Request": "true"}
        else:
            kind = "record"
            path, headers = f"/members/{rng.choice(self.member_ids)}/", {}
        started = time.perf_counter()
        try:
            response = await self.request("GET", path, headers=headers)
        except httpx.HTTPError as error:
            stats.error(kind, f"{type(error).__name__} {path}")
            return
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            stats.error(kind, f"{response.status_code} {path}")
            return
        stats.ok(kind, elapsed)
        if kind != "record":
            self.learn(response.text)
            if kind == "list page" and 'rel="next"' in response.text:
                self.pages = max(self.pages, page + 1)


async def officer_loop(officer: Officer, stats: Stats, until: float, think: float, seed: int) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, think or 0.05))  # do not start in lock-step
    while time.monotonic() < until:
        await officer.one_click(stats, rng)
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


async def drive(
    base: str,
    accounts: list[tuple[str, bytes, str, int]],
    duration: float,
    think: float,
    sampler: CpuSampler,
) -> tuple[Stats, float, float, float, dict[str, float], float]:
    limits = httpx.Limits(max_connections=len(accounts) + 10, max_keepalive_connections=len(accounts) + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        officers = [Officer(client, name, key, person) for name, key, _, person in accounts]
        started = time.perf_counter()
        # Sign in a few at a time: each checks a password with Argon2, which is slow on purpose.
        gate = asyncio.Semaphore(5)

        async def sign_in(officer: Officer) -> None:
            async with gate:
                await officer.sign_in()

        await asyncio.gather(*(sign_in(o) for o in officers))
        signed_in = time.perf_counter() - started
        stats = Stats()
        sampler.start()
        client_cpu = time.process_time()
        begin_wall = time.time()
        begin = time.monotonic()
        until = begin + duration
        await asyncio.gather(*(officer_loop(o, stats, until, think, n) for n, o in enumerate(officers)))
        elapsed = time.monotonic() - begin
        client_cpu = time.process_time() - client_cpu
        return stats, signed_in, elapsed, begin_wall, sampler.finish(), client_cpu


# ---------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path):  # type: ignore[no-untyped-def]
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def report(stats: Stats, seconds: float) -> int:
    every = [s for samples in stats.latencies.values() for s in samples]
    errors = sum(stats.errors.values())
    print(
        f"{'kind':<12} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}"
    )
    for kind in sorted(set(stats.latencies) | set(stats.errors)):
        samples = stats.latencies.get(kind, [0.0])
        print(
            f"{kind:<12} {len(stats.latencies.get(kind, [])):>9,} {percentile(samples, 50) * 1000:>8.1f} "
            f"{percentile(samples, 95) * 1000:>8.1f} {percentile(samples, 99) * 1000:>8.1f} "
            f"{max(samples) * 1000:>8.1f} {stats.errors.get(kind, 0):>7}"
        )
    if every:
        print(
            f"{'all':<12} {len(every):>9,} {percentile(every, 50) * 1000:>8.1f} {percentile(every, 95) * 1000:>8.1f} "
            f"{percentile(every, 99) * 1000:>8.1f} {max(every) * 1000:>8.1f} {errors:>7}"
        )
        print(
            f"throughput: {len(every) / seconds:.1f} requests/s over {seconds:.0f} s; mean {statistics.mean(every) * 1000:.1f} ms"
        )
    for example in stats.examples:
        print(f"  error: {example}")
    return len(every)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build", action="store_true", help="load the demo first (wipes the database)")
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--officers", type=int, default=50, help="concurrent signed-in officers")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between an officer's clicks")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL=postgres://... (the benchmark is for PostgreSQL)")
    from foundation_common import machine, setup

    var = Path(tempfile.mkdtemp(prefix="polity-load-"))  # collected static files, gunicorn's log
    atexit.register(shutil.rmtree, var, ignore_errors=True)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "POLITY_VAR_DIR": str(var),
        "POLITY_STATIC_ROOT": str(var / "static"),
        "POLITY_MEDIA_ROOT": str(var / "media"),
    }
    if args.build:
        print(f"loading the demo ({args.members:,} members)...", flush=True)
        polity(env, "migrate", "--noinput", "-v", "0")
        polity(env, "demo", "--members", str(args.members), "--seed", "7", "--force")
    os.environ.update({k: v for k, v in env.items() if k.startswith(("DJANGO_", "POLITY_VAR"))})
    setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    from django.conf import settings
    from django.db.models import Count

    from polity.accounts.models import User
    from polity.audit.models import Event
    from polity.members.models import Person

    production = {
        **env,
        "POLITY_ENV": "production",
        "POLITY_SECRET_KEY": secrets.token_urlsafe(50),
        # The access log goes on with the key the register was built with (polity.audit.chain.audit_key).
        "POLITY_AUDIT_KEY": os.environ.get("POLITY_AUDIT_KEY") or f"polity-audit:{settings.SECRET_KEY}",
        "POLITY_ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.web_workers),
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_ACCESS_LOG": "",
    }
    polity(production, "migrate", "--noinput", "-v", "0")
    polity(production, "check", "--deploy", "--fail-level", "WARNING")
    polity(production, "collectstatic", "--noinput", "-v", "0")

    accounts = bench_accounts(args.officers)
    regional = sum(1 for _, _, office, _ in accounts if office.startswith("regional"))
    print(f"machine: {machine()}")
    print(
        f"register: {Person.objects.count():,} people; {len(accounts)} officers ({regional} regional officers, "
        f"{len(accounts) - regional} constituency secretaries); gunicorn {args.web_workers} x {args.threads} "
        f"threads; think time {args.think:.1f} s; {args.duration:.0f} s",
        flush=True,
    )
    with gunicorn(production, var / "gunicorn.log") as proc:
        wait_for(port, proc, var / "gunicorn.log")
        load_before = os.getloadavg()
        sampler = CpuSampler(proc.pid, url)
        stats, signed_in, seconds, begin_wall, server_cpu, client_cpu = asyncio.run(
            drive(f"http://127.0.0.1:{port}", accounts, args.duration, args.think, sampler)
        )
        load_after = os.getloadavg()
    print(f"signed in {len(accounts)} officers (password + TOTP) in {signed_in:.1f} s")
    total = report(stats, seconds)
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min)")
    if total:
        per = {k: v / total * 1000 for k, v in server_cpu.items()}
        print(
            f"CPU per request: gunicorn {per['gunicorn']:.1f} ms + PostgreSQL {per['postgresql']:.1f} ms "
            f"= {sum(per.values()):.1f} ms (this client: {client_cpu / total * 1000:.1f} ms); "
            f"2 idle cores would serve at most {2000 / sum(per.values()):.0f} requests/s"
        )

    # Every successful read is one event of the access log.
    ids = list(User.objects.filter(username__in=[a[0] for a in accounts]).values_list("pk", flat=True))
    since = datetime.fromtimestamp(begin_wall, UTC)
    events = dict(
        Event.objects.filter(actor_user_id__in=ids, occurred_at__gte=since)
        .values_list("verb")
        .annotate(n=Count("id"))
        .values_list("verb", "n")
    )
    lists = len(stats.latencies.get("list page", [])) + len(stats.latencies.get("search", []))
    records = len(stats.latencies.get("record", []))
    print(
        f"access log: {events.get('members.list', 0):,} members.list events for {lists:,} list pages and "
        f"searches; {events.get('member.view', 0):,} member.view events for {records:,} records opened"
    )
    verified = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "polity.cli", "audit", "verify"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    print(
        f"polity audit verify: exit {verified.returncode}: {(verified.stdout + verified.stderr).strip()[-300:]}"
    )
    complete = events.get("members.list", 0) == lists and events.get("member.view", 0) == records
    print("every read is in the access log" if complete else "MISMATCH between reads and access-log events")
    return 0 if total and complete and verified.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
