"""Hashing of events: canonical form, keyed hash, and verification of a stretch of the chain.

An event's `subjects` are stored as comma-separated ids and its `data` as canonical JSON text, exactly the
strings the hash covers, so verifying needs no JSON decoding or re-encoding.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
# An anonymised event (decision 0031) stands as this actor, and its seal is keyed apart from any link.
ANONYMISED_LABEL = "anonymised"
ANONYMISE_VERB = "audit.anonymise"
_SEAL = "anonymised:"
SEP = _SEP = "\x1f"  # between the fields of the canonical form
_encode_data = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode


def audit_key() -> bytes:
    from django.conf import settings

    key = os.environ.get("POLITY_AUDIT_KEY") or f"polity-audit:{settings.SECRET_KEY}"
    return hashlib.sha256(key.encode()).digest()


def encode_subjects(subjects: Iterable[int]) -> str:
    return ",".join(str(s) for s in sorted({int(s) for s in subjects}))


def decode_subjects(text: str) -> list[int]:
    return [int(s) for s in text.split(",")] if text else []


def encode_data(data: dict[str, Any] | None) -> str:
    return _encode_data(data) if data else "{}"


def _text(value: str) -> str:
    """Escape the separator so no two different events share a canonical form."""
    if "\\" not in value and _SEP not in value:  # nearly always: no copy needed
        return value
    return value.replace("\\", "\\\\").replace(_SEP, "\\u001f")


def _when(value: datetime | str) -> str:
    if isinstance(value, str):
        # Already canonical (PostgreSQL's verifier selects it so: "2026-11-24T09:38:01.123456+00:00").
        if len(value) == 32 and value[10] == "T" and value.endswith("+00:00"):
            return value
        value = datetime.fromisoformat(value)  # SQLite through a raw cursor
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(
    seq: int,
    occurred_at: datetime | str,
    actor_user_id: int | None,
    actor_person_id: int | None,
    actor_label: str,
    verb: str,
    purpose: str,
    object_type: str,
    object_id: str,
    subjects: str,
    data: str,
) -> bytes:
    """The bytes an event's hash covers: every field, separated unambiguously, in a fixed order."""
    return canonical_text(seq, occurred_at, actor_user_id, actor_person_id, actor_label, verb, purpose,
                          object_type, object_id, subjects, data).encode()  # fmt: skip


def canonical_text(
    seq: int,
    occurred_at: datetime | str,
    actor_user_id: int | None,
    actor_person_id: int | None,
    actor_label: str,
    verb: str,
    purpose: str,
    object_type: str,
    object_id: str,
    subjects: str,
    data: str,
) -> str:
    """canonical() before encoding. PostgreSQL's verifier builds the same text in SQL (verification.py)."""
    return _SEP.join(
        (
            str(seq),
            _when(occurred_at),
            "" if actor_user_id is None else str(actor_user_id),
            "" if actor_person_id is None else str(actor_person_id),
            _text(actor_label),
            _text(verb),
            _text(purpose),
            _text(object_type),
            _text(object_id),
            subjects,
            data,
        )
    )


def link(key: bytes, prev_hash: str, payload: bytes) -> str:
    return hmac.digest(key, prev_hash.encode() + b"\n" + payload, "sha256").hex()


def linker(key: bytes) -> Callable[[str, bytes], str]:
    """link() for many events under one key: the key's two padded blocks are hashed once, not per event.

    This is HMAC-SHA256 as RFC 2104 defines it, resuming from copies of the padded key's hash states;
    it takes half the time of hmac.digest on an event.
    """
    block = hashlib.sha256().block_size
    padded = (key if len(key) <= block else hashlib.sha256(key).digest()).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def link_(prev_hash: str, payload: bytes) -> str:
        h = inner.copy()
        h.update(prev_hash.encode() + b"\n" + payload)
        o = outer.copy()
        o.update(h.digest())
        return o.hexdigest()

    return link_


def seal(link_: Callable[[str, bytes], str], stored_hash: str, payload: bytes) -> int:
    """One anonymised event's share of its anonymisation's seal: a keyed hash of its number, its hash as it
    was written (which the next event's link still covers) and its canonical form as it stands now."""
    return int(link_(_SEAL + stored_hash, payload), 16)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    head_hash: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"intact: {self.checked} events checked; head {self.head_hash[:16]}"
        return f"BROKEN at event #{self.first_bad_seq}: {self.problem}"


# An event as the verifier reads it: seq, canonical form (bytes: what the hash covers), prev_hash, hash, id,
# and anonymised_in (the seq of the anonymisation that sealed it, or None).
Row = Sequence[Any]
# The fields canonical() takes, in its order.
FIELDS = (
    "seq", "occurred_at", "actor_user_id", "actor_person_id", "actor_label", "verb", "purpose",
    "object_type", "object_id", "subjects", "data",
)  # fmt: skip


@dataclass(frozen=True)
class Stretch:
    """The result of checking consecutive events from `first_seq` on.

    `bad_seq` names the first event where the chain breaks (changed, missing, inserted, reordered);
    `index_bad_seq` the first whose subject index rows disagree with the people it names. The checker
    stops at whichever comes first, so when both are set the index problem lies before the chain's.
    """

    first_seq: int
    count: int
    first_prev: str  # prev_hash of the first event in the stretch
    last_hash: str
    bad_seq: int | None = None
    problem: str = ""
    index_bad_seq: int | None = None
    index_problem: str = ""
    # For the anonymised events met: anonymisation seq -> (XOR of their seals, how many, lowest seq).
    seals: dict[int, tuple[int, int, int]] = field(default_factory=dict)


def verify_stretch(rows: Iterable[Row], key: bytes, first_seq: int, prev: str | None = None) -> Stretch:
    """Check the events of one stretch: consecutive seqs, each linked to the one before, each hash intact.

    `prev`, when known (the hash of the event before `first_seq`), is checked against the first event's
    link; otherwise that link is returned as `first_prev` for the caller to check.
    """
    expected_seq = first_seq
    expected_prev: str | None = prev
    first_prev = prev or ""
    last = ""
    count = 0
    seals: dict[int, tuple[int, int, int]] = {}
    link_ = linker(key)
    for row in rows:
        seq, payload, prev_hash, stored = row[0], row[1], row[2], row[3]
        if seq != expected_seq:
            if seq > expected_seq:
                return Stretch(first_seq, count, first_prev, last, expected_seq,
                               f"event #{expected_seq} is missing (the next one is #{seq})",
                               seals=seals)  # fmt: skip
            return Stretch(first_seq, count, first_prev, last, seq, f"event #{seq} appears out of order",
                           seals=seals)  # fmt: skip
        if expected_prev is None:
            first_prev = prev_hash
        elif prev_hash != expected_prev:
            return Stretch(first_seq, count, first_prev, last, seq,
                           "its link to the event before it does not match: an event was removed, "
                           "inserted or reordered there", seals=seals)  # fmt: skip
        anonymised_in = row[5] if len(row) > 5 else None
        if anonymised_in is not None:
            # Its content no longer matches the hash it was written with, by design: its anonymisation's
            # seal covers what it holds now (checked in join_stretches); its link is checked as any other.
            if anonymised_in <= seq:
                return Stretch(first_seq, count, first_prev, last, seq,
                               f"it is marked as anonymised by event #{anonymised_in}, which does not come "
                               "after it", seals=seals)  # fmt: skip
            acc, n, low = seals.get(anonymised_in, (0, 0, seq))
            seals[anonymised_in] = (acc ^ seal(link_, stored, payload), n + 1, min(low, seq))
        elif not hmac.compare_digest(link_(prev_hash, payload), stored):
            return Stretch(first_seq, count, first_prev, last, seq,
                           "its content was changed after it was written", seals=seals)  # fmt: skip
        expected_prev = last = stored
        expected_seq += 1
        count += 1
    return Stretch(first_seq, count, first_prev, last, seals=seals)


def join_stretches(
    stretches: Sequence[Stretch],
    head: tuple[int, str] | None,
    sealed: dict[int, tuple[int, int]] | None = None,
) -> Verdict:
    """Stitch consecutive stretches into one verdict over the whole chain, checked against its head.

    The verdict names the problem at the lowest seq, whether a break in the chain or a subject index
    that disagrees with its event; at the same seq the chain's break is named. `sealed` maps each
    anonymisation event's seq to the seal and count it recorded (from its hashed details); once the chain
    holds, the anonymised events met must make up exactly those seals.
    """
    verdict = _join(stretches, head)
    if not verdict.ok:
        return verdict
    met: dict[int, tuple[int, int, int]] = {}
    for s in stretches:
        for at, (acc, n, low) in s.seals.items():
            acc0, n0, low0 = met.get(at, (0, 0, low))
            met[at] = (acc0 ^ acc, n0 + n, min(low0, low))
    sealed = sealed or {}
    for at in sorted(met.keys() - sealed.keys()):
        return Verdict(False, verdict.checked, met[at][2],
                       f"it is marked as anonymised by event #{at}, which recorded no anonymisation")  # fmt: skip
    for at in sorted(sealed):
        acc, n, _low = met.get(at, (0, 0, at))
        if (acc, n) != sealed[at]:
            return Verdict(False, verdict.checked, at,
                           f"the {sealed[at][1]} events it anonymised no longer match its seal ({n} carry "
                           "its mark): one was changed or unmarked afterwards, or another was marked as "
                           "anonymised without it")  # fmt: skip
    return verdict


def _join(stretches: Sequence[Stretch], head: tuple[int, str] | None) -> Verdict:
    expected_prev = GENESIS
    checked = 0
    for s in stretches:
        if s.count and s.first_prev != expected_prev:
            return Verdict(False, checked, s.first_seq,
                           "its link to the event before it does not match: an event was removed, inserted "
                           "or reordered there")  # fmt: skip
        if s.index_bad_seq is not None and (s.bad_seq is None or s.index_bad_seq < s.bad_seq):
            return Verdict(False, checked + s.index_bad_seq - s.first_seq, s.index_bad_seq, s.index_problem)
        if s.bad_seq is not None:
            return Verdict(False, checked + s.count, s.bad_seq, s.problem)
        if s.count:
            expected_prev = s.last_hash
        checked += s.count
    if head is not None:
        head_seq, head_hash = head
        if head_seq != checked:
            return Verdict(False, checked, checked + 1 if head_seq > checked else head_seq,
                           f"the chain head records {head_seq} events but {checked} follow one another: "
                           "events were removed from the end or added outside the log")  # fmt: skip
        if checked and head_hash != expected_prev:
            return Verdict(False, checked, head_seq, "the last event does not match the chain head")
    return Verdict(True, checked, head_hash=expected_prev)
