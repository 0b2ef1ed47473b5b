"""CI: the production configuration, behind gunicorn, on PostgreSQL, driven through HTTP.

Run from the repository root: `python3 -m uv run python .ci/production_smoke.py` (the PostgreSQL server
of DATABASE_URL, default postgres://postgres@127.0.0.1:5432/, needs a role that may create databases).
It makes a database of its own (polity_smoke, dropped first), runs the documented deployment steps with
POLITY_ENV=production (migrate, `check --deploy` with warnings as failures, collectstatic), loads a small
demo, starts gunicorn with config/gunicorn.py on a free port and a worker beside it, then as a client
would: signs in as the secretary with password and TOTP code, opens the members list and one member,
and fetches a static file. There is no TLS here, so every request says it came through an HTTPS proxy
(X-Forwarded-Proto: https, SECURE_PROXY_SSL_HEADER); one that does not is redirected to https://.
It stops everything it started, and exits non-zero naming the first thing that went wrong.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import os
import re
import secrets
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
PASSWORD = "polity-demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def drop_database(server_url: str, name: str) -> None:
    parts = urlsplit(server_url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def polity(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "polity.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"polity {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


@contextlib.contextmanager
def started(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not listen on {port} within {timeout:.0f} s:\n{log.read_text()}")


class Browser:
    """An HTTP client that keeps cookies itself: the session and CSRF cookies are Secure, and the
    connection here is plain HTTP behind a pretend TLS proxy, so a standard cookie jar would drop them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
        self.cookies: dict[str, str] = {}
        self.origin = "https://" + urlsplit(base).netloc

    def request(self, method: str, path: str, *, proxied: bool = True, **kwargs: object) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        response = self.client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        for line in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel.get("max-age") == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def form_post(self, path: str, data: dict[str, str]) -> httpx.Response:
        page = self.request("GET", path)
        check(page.status_code == 200, f"GET {path}: {page.status_code}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        check(token is not None, f"no CSRF token on {path}")
        assert token is not None
        return self.request("POST", path, data={"csrfmiddlewaretoken": token.group(1), **data})


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"production smoke test: {message}")


def totp_now(secret_base32: str, at: float | None = None) -> str:
    """The current six-digit code of a TOTP secret (RFC 6238: HMAC-SHA1, 30-second steps)."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((time.time() if at is None else at) // 30)), "sha1").digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def demo_totp_secret(logins: Path, username: str) -> str:
    """The TOTP secret `polity demo` printed for a login (as a person would copy it from the file)."""
    text = logins.read_text(encoding="utf-8")
    found = re.search(rf"^{username}\b.*?TOTP secret: ([A-Z2-7]+)", text, re.M | re.S)
    check(found is not None, f"no TOTP secret for {username} in {logins}")
    assert found is not None
    return found.group(1)


def drive(base: str, totp_secret: str, database_url: str) -> None:
    web = Browser(base)
    plain = web.request("GET", "/accounts/login/", proxied=False)
    check(plain.status_code == 301, f"plain HTTP is not redirected to HTTPS: {plain.status_code}")
    check(plain.headers["location"].startswith("https://"), f"redirect to {plain.headers['location']}")

    # A wrong password is counted by the sign-in throttle in the cache every web process shares.
    wrong = web.form_post("/accounts/login/", {"username": "secretary", "password": "not-the-password"})
    check(wrong.status_code == 200, f"a wrong password answered {wrong.status_code}")
    with psycopg.connect(database_url) as conn:
        counted = conn.execute("SELECT count(*) FROM polity_cache").fetchone()
    check(bool(counted and counted[0]), "the failed sign-in was not counted in the shared database cache")
    signed = web.form_post("/accounts/login/", {"username": "secretary", "password": PASSWORD})
    check(signed.status_code == 302, f"password step answered {signed.status_code}")
    check("sessionid" in web.cookies, "no session cookie after the password step")
    check("Secure" in signed.headers.get("set-cookie", ""), "the session cookie is not Secure")
    members = web.request("GET", "/members/")
    check(
        members.status_code == 302 and "/accounts/verify/" in members.headers["location"],
        f"members list before the second factor: {members.status_code} {members.headers.get('location')}",
    )

    verified = web.form_post("/accounts/verify/", {"token": totp_now(totp_secret)})
    check(
        verified.status_code == 302, f"second factor answered {verified.status_code}: {verified.text[:400]}"
    )

    members = web.request("GET", "/members/")
    check(members.status_code == 200, f"members list: {members.status_code}")
    check("Strict-Transport-Security" in members.headers, "no HSTS header")
    check("no-store" in members.headers.get("cache-control", ""), "members list is cacheable")
    check("content-security-policy" in members.headers, "members list has no Content-Security-Policy")
    ids = re.findall(r'href="/members/(\d+)/"', members.text)
    check(bool(ids), "the members list shows no member")
    record = web.request("GET", f"/members/{ids[0]}/")
    check(record.status_code == 200, f"member {ids[0]}: {record.status_code}")

    static = re.findall(r'(?:href|src)="(/static/[^"]+)"', members.text)
    check(bool(static), "the members page refers to no static file")
    check(all(re.search(r"\.[0-9a-f]{12}\.", path) for path in static), f"static names not hashed: {static}")
    asset = web.request("GET", static[0])
    check(asset.status_code == 200 and len(asset.content) > 0, f"{static[0]}: {asset.status_code}")
    check("max-age=315360000" in asset.headers.get("cache-control", ""), f"{static[0]} is not cached long")
    zipped = web.client.get(static[0], headers={"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"})
    check(zipped.headers.get("content-encoding") == "gzip", f"{static[0]} is not served compressed")
    print(f"production smoke: signed in with TOTP, members list and member {ids[0]}, {static[0]}: all good")


def main() -> int:
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    check(server.startswith(("postgres://", "postgresql://")), "DATABASE_URL must point at PostgreSQL")
    name = "polity_smoke"
    with tempfile.TemporaryDirectory(prefix="polity-smoke-") as tmp:
        var = Path(tmp)
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": fresh_database(server, name),
            "POLITY_ENV": "production",
            "POLITY_SECRET_KEY": secrets.token_urlsafe(50),
            "POLITY_AUDIT_KEY": secrets.token_urlsafe(32),
            "POLITY_ALLOWED_HOSTS": "127.0.0.1",
            "POLITY_VAR_DIR": str(var),
            "POLITY_STATIC_ROOT": str(var / "static"),
            "POLITY_MEDIA_ROOT": str(var / "media"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        try:
            polity(env, "migrate", "--noinput", "-v", "0")
            report = polity(env, "check", "--deploy", "--fail-level", "WARNING")
            check("no issues" in report, f"check --deploy: {report}")
            polity(env, "collectstatic", "--noinput", "-v", "0")
            polity(env, "demo", "--members", "300", "--seed", str(SEED))
            gunicorn = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"]
            worker = [sys.executable, "-m", "polity.cli", "worker", "--no-reload"]
            with (
                started(gunicorn, env, var / "gunicorn.log") as web,
                started(worker, env, var / "worker.log"),
            ):
                wait_for_port(port, web, var / "gunicorn.log")
                secret = demo_totp_secret(var / "demo-logins.txt", "secretary")
                drive(f"http://127.0.0.1:{port}", secret, env["DATABASE_URL"])
                check(web.poll() is None, "gunicorn died during the test")
        finally:
            drop_database(server, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
