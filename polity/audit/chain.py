"""Hashing of events: canonical form, keyed hash, and verification of a whole chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def audit_key() -> bytes:
    import os

    from django.conf import settings

    key = os.environ.get("POLITY_AUDIT_KEY") or f"polity-audit:{settings.SECRET_KEY}"
    return hashlib.sha256(key.encode()).digest()


def canonical(
    seq: int,
    occurred_at: datetime,
    actor_user_id: int | None,
    actor_person_id: int | None,
    actor_label: str,
    verb: str,
    purpose: str,
    object_type: str,
    object_id: str,
    subjects: list[int],
    data: dict[str, Any],
) -> bytes:
    body = [
        seq,
        occurred_at.isoformat(timespec="microseconds"),
        actor_user_id,
        actor_person_id,
        actor_label,
        verb,
        purpose,
        object_type,
        object_id,
        subjects,
        data,
    ]
    return json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def link(key: bytes, prev_hash: str, payload: bytes) -> str:
    return hmac.new(key, prev_hash.encode() + b"\n" + payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"intact: {self.checked} events checked"
        return (
            f"BROKEN at event #{self.first_bad_seq}: {self.problem} ({self.checked} events checked before it)"
        )


Row = tuple[
    int, datetime, int | None, int | None, str, str, str, str, str, list[int], dict[str, Any], str, str
]


def verify_rows(rows: Iterable[Row], key: bytes, head: tuple[int, str] | None) -> Verdict:
    """Walk events in seq order. Names the first event that was changed, removed, inserted or reordered."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for row in rows:
        seq, prev_hash, stored = row[0], row[11], row[12]
        if seq != expected_seq:
            if seq > expected_seq:
                return Verdict(
                    False, checked, expected_seq, f"event #{expected_seq} is missing (next is #{seq})"
                )
            return Verdict(False, checked, seq, f"event #{seq} is out of order (expected #{expected_seq})")
        if prev_hash != expected_prev:
            return Verdict(
                False,
                checked,
                seq,
                "its link to the previous event does not match: an event before "
                "it was removed, inserted or reordered",
            )
        actual = link(key, prev_hash, canonical(*row[:11]))
        if not hmac.compare_digest(actual, stored):
            return Verdict(False, checked, seq, "its content was changed after it was written")
        expected_prev = stored
        expected_seq += 1
        checked += 1
    if head is not None:
        head_seq, head_hash = head
        if head_seq != checked:
            return Verdict(
                False,
                checked,
                checked + 1 if head_seq > checked else head_seq,
                f"the chain head says {head_seq} events but {checked} were found: events were removed "
                "from the end or added outside the log",
            )
        if checked and head_hash != expected_prev:
            return Verdict(False, checked, head_seq, "the last event does not match the chain head")
    return Verdict(True, checked)
