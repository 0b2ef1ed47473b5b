"""The password sign-in throttle: wrong passwords counted by account and by client address.

Failures are counted in Django's cache (the `POLITY_SIGNIN_THROTTLE_CACHE` alias, "default" unless set), in
a window that starts with the first failure and lasts `POLITY_SIGNIN_THROTTLE_SECONDS` (default 900). Once an
account has had `POLITY_SIGNIN_MAX_FAILURES_PER_ACCOUNT` failures (default 10) in its window, or an address
`POLITY_SIGNIN_MAX_FAILURES_PER_ADDRESS` (default 50, for a whole office behind one address), every sign-in
for that account or from that address is refused until the window ends, the right password too, and the
password is not even checked. A successful sign-in clears its account's count, never its address's: an
attacker who owns one account must not reset the address count between guesses at others.

These are operational settings (from the environment), not rules of the organisation: they do not live in
the rulebook. The second step (the code from the app) has its own throttle in django-otp, per device.

With several web processes the cache must be one they share (Redis, memcached or Django's database cache):
with the default per-process memory cache each process counts on its own, so the limits are per process.
Behind a reverse proxy, set `POLITY_CLIENT_ADDRESS_HEADER` (e.g. `HTTP_X_FORWARDED_FOR`) so the address is
the client's, not the proxy's: the right-most entry of that header, the one the proxy itself added, is used.

When a count reaches its limit, an `account.signin_throttle` event goes to the access log (about the account's
person, if the username is one of ours), once per window: refused attempts during it are not each logged, so
an attacker cannot fill the log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from polity.accounts.models import User
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError

_PREFIX = "polity:signin-failures"


@dataclass(frozen=True)
class Limits:
    per_account: int
    per_address: int
    window_seconds: int


def _positive(name: str, default: int) -> int:
    value = int(getattr(settings, name, default))
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1 (it is {value})")
    return value


def limits() -> Limits:
    return Limits(
        per_account=_positive("POLITY_SIGNIN_MAX_FAILURES_PER_ACCOUNT", 10),
        per_address=_positive("POLITY_SIGNIN_MAX_FAILURES_PER_ADDRESS", 50),
        window_seconds=_positive("POLITY_SIGNIN_THROTTLE_SECONDS", 900),
    )


def _cache() -> BaseCache:
    return caches[getattr(settings, "POLITY_SIGNIN_THROTTLE_CACHE", "default")]


class SignInThrottled(DomainError):
    """Too many wrong passwords for this account or from this address: sign-in is paused (429)."""

    code = "throttled"

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(
            "Too many failed sign-in attempts for this account or from your network. For your protection, "
            f"signing in is paused for up to {minutes} minute{'s' if minutes != 1 else ''}; try again then. "
            "If you have forgotten your password, choose a new one with the link on the sign-in page."
        )


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the last entry of POLITY_CLIENT_ADDRESS_HEADER behind a proxy."""
    header = getattr(settings, "POLITY_CLIENT_ADDRESS_HEADER", "")
    if header:
        forwarded = [part.strip() for part in str(request.META.get(header, "")).split(",") if part.strip()]
        if forwarded:
            return forwarded[-1][:64]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _account_key(username: str) -> str:
    # usernames are compared as Django does (case-sensitively), but an attacker varying the case must not
    # get a fresh count: fold it. Hashed so the cache holds no usernames.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"{_PREFIX}:account:{digest}"


def _address_key(address: str) -> str:
    return f"{_PREFIX}:address:{hashlib.sha256(address.encode()).hexdigest()}"


def signin_check(*, username: str, address: str) -> None:
    """Refuse (SignInThrottled) while the account or the address has reached its limit of failures."""
    limit = limits()
    counts = _cache().get_many([_account_key(username), _address_key(address)])
    if (
        counts.get(_account_key(username), 0) >= limit.per_account
        or counts.get(_address_key(address), 0) >= limit.per_address
    ):
        raise SignInThrottled(minutes=-(-limit.window_seconds // 60))


def _bump(key: str, window_seconds: int) -> int:
    cache = _cache()
    cache.add(key, 0, timeout=window_seconds)  # the window starts with the first failure
    try:
        return int(cache.incr(key))
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return 1


def signin_failed(*, username: str, address: str) -> None:
    """Count a wrong password (or an unknown account) against the account and the address."""
    limit = limits()
    reached: list[str] = []
    if _bump(_account_key(username), limit.window_seconds) == limit.per_account:
        reached.append("account")
    if _bump(_address_key(address), limit.window_seconds) == limit.per_address:
        reached.append("address")
    if reached:
        user = User.objects.filter(username=username.strip()).only("pk", "person_id").first()
        data: dict[str, object] = {"by": reached, "window_seconds": limit.window_seconds}
        if "account" in reached:
            data["failures_per_account"] = limit.per_account
        if "address" in reached:
            data["failures_per_address"] = limit.per_address
            data["address"] = address
        audit_record(
            actor=Actor.system("sign-in throttle"),
            verb="account.signin_throttle",
            subjects=[user.person_id] if user is not None and user.person_id else [],
            object_type="user" if user is not None else "",
            object_id=user.pk if user is not None else "",
            data=data,
        )


def signin_succeeded(*, username: str) -> None:
    """A right password: the account's count starts again (the address's does not, see the docstring)."""
    _cache().delete(_account_key(username))
