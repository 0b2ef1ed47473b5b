"""Tunables of delivery. Technical, not the organisation's rules, so they live in settings, not the rulebook.

settings.POLITY_OUTBOX may override any key of DEFAULTS.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, float] = {
    "BATCH_SIZE": 50,  # entries claimed at once; also the most a crash can send twice, per worker
    "LEASE_SECONDS": 300,  # an entry still "sending" after this goes back to the queue
    "BACKOFF_BASE_SECONDS": 60,  # temporary failures wait base * 2**(attempts-1), capped below
    "BACKOFF_MAX_SECONDS": 6 * 3600,
    "MAX_ATTEMPTS": 10,  # then the entry fails for good
    "PARALLEL_TASKS": 2,  # delivery tasks started per dispatch (one per worker is right)
    "TASK_BUDGET_SECONDS": 120,  # a delivery task hands over to a fresh one after this
    "WATCH_SECONDS": 60,  # how often a dispatch's watchdog task looks for expired leases and due retries
    "INSERT_CHUNK": 20_000,  # outbox rows written per INSERT
}


def outbox_setting(name: str) -> float:
    overrides = getattr(settings, "POLITY_OUTBOX", {}) or {}
    return float(overrides.get(name, DEFAULTS[name]))


def outbox_int(name: str) -> int:
    return int(outbox_setting(name))
