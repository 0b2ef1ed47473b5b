"""A keyed checksum of the subject index, computed alike from events' `subjects` text and from index rows.

For a set of (event id, person id) pairs the digest is their count and the sum, modulo 2**64, of
PostgreSQL's `hashint8extended(person_id, seed # event_id)` for each pair. PostgreSQL computes it over the
EventSubject rows in one aggregate; this module computes the same numbers from the `subjects` text the
chain's hashes cover (and from fetched rows on other databases), with numpy, a few nanoseconds a pair.

Any added, removed or changed row changes the count or the sum; several changes cancel out only by a
2**-64 chance, and cannot be chosen to cancel without the seed, which is derived from the audit key.
The hash is Bob Jenkins' lookup3 as PostgreSQL implements it (src/common/hashfn.c), whose results
PostgreSQL keeps stable across versions because hash partitions depend on them.
"""

from __future__ import annotations

import hashlib
import hmac
import warnings
from collections.abc import Sequence
from decimal import Decimal
from itertools import compress

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
_INIT = np.uint32((0x9E3779B9 + 4 + 3923095) & 0xFFFFFFFF)
_BLOCK = 65_536  # pairs hashed at a time: three uint32 blocks stay in the CPU cache
_MASK = (1 << 64) - 1
_EVENT_BREAK = b",-1,"
_TOO_LONG = 10**18  # ids this long could overflow int64 in the fast parse: they take the exact path


def index_seed(key: bytes) -> int:
    """The secret seed (a signed 64-bit integer, as PostgreSQL's bigint) derived from the audit key."""
    return int.from_bytes(hmac.digest(key, b"polity subject index", hashlib.sha256)[:8], "big", signed=True)


def _rot(x: U32, k: int) -> U32:
    return (x << np.uint32(k)) | (x >> np.uint32(32 - k))


def _mix(a: U32, b: U32, c: U32) -> tuple[U32, U32, U32]:
    a = a - c
    a ^= _rot(c, 4)
    c = c + b
    b = b - a
    b ^= _rot(a, 6)
    a = a + c
    c = c - b
    c ^= _rot(b, 8)
    b = b + a
    a = a - c
    a ^= _rot(c, 16)
    c = c + b
    b = b - a
    b ^= _rot(a, 19)
    a = a + c
    c = c - b
    c ^= _rot(b, 4)
    b = b + a
    return a, b, c


def _final_in_place(a: U32, b: U32, c: U32, t: U32) -> None:
    """lookup3's final(a, b, c), in place; `t` is scratch space of the same length."""
    for x, y, k in ((c, b, 14), (a, c, 11), (b, a, 25), (c, b, 16), (a, c, 4), (b, a, 14), (c, b, 24)):
        np.bitwise_xor(x, y, out=x)
        # x -= rot(y, k): the two shifted halves share no bit, so subtract them one after the other.
        np.left_shift(y, np.uint32(k), out=t)
        np.subtract(x, t, out=x)
        np.right_shift(y, np.uint32(32 - k), out=t)
        np.subtract(x, t, out=x)


def _seeded(seeds: npt.NDArray[np.int64]) -> tuple[U32, U32, U32]:
    """The state hash_bytes_uint32_extended reaches from each seed, before the key is added."""
    s = seeds.view(np.uint64)
    a = np.full(len(s), _INIT, np.uint32)
    b = a.copy()
    c = a.copy()
    a2, b2, c2 = _mix(a + (s >> np.uint64(32)).astype(np.uint32), b + s.astype(np.uint32), c)
    zero = s == 0  # PostgreSQL skips the seed's mixing for a zero seed
    if zero.any():
        a2[zero], b2[zero], c2[zero] = a[zero], b[zero], c[zero]
    return a2, b2, c2


def _sum(seeds: npt.NDArray[np.int64], counts: npt.NDArray[np.int64], persons: npt.NDArray[np.int64]) -> int:
    """Sum mod 2**64 of hashint8extended(person, seed) where seeds[i] applies to the next counts[i] persons."""
    if not len(persons):
        return 0
    sa, sb, sc = _seeded(seeds)
    if int(persons.min()) >= 0 and int(persons.max()) <= 0xFFFFFFFF:
        key = persons.astype(np.uint32)  # the usual case: the high half is zero
    else:  # hashint8extended folds the high half in
        hi = (persons >> 32).astype(np.uint32)
        key = persons.astype(np.uint32) ^ np.where(persons >= 0, hi, ~hi)
    a_all = np.repeat(sa, counts)
    a_all += key
    b_all = np.repeat(sb, counts)
    c_all = np.repeat(sc, counts)
    scratch = np.empty(min(_BLOCK, len(persons)), np.uint32)
    high = low = 0
    for start in range(0, len(persons), _BLOCK):
        a, b, c = a_all[start : start + _BLOCK], b_all[start : start + _BLOCK], c_all[start : start + _BLOCK]
        _final_in_place(a, b, c, scratch[: len(a)])
        high += int(b.sum(dtype=np.uint64))  # the hash is (b << 32) | c
        low += int(c.sum(dtype=np.uint64))
    return ((high << 32) + low) & _MASK


def digest_rows(event_ids: Sequence[int], persons: Sequence[int], seed: int) -> tuple[int, int]:
    """The digest of index rows given as parallel lists of event id and person id."""
    e = np.asarray(event_ids, np.int64)
    p = np.asarray(persons, np.int64)
    return len(p), _sum(e ^ np.int64(seed), np.ones(len(p), np.int64), p)


def digest_texts(event_ids: Sequence[int], texts: Sequence[bytes], seed: int) -> tuple[int, int] | None:
    """The digest of the pairs that events' `subjects` texts name, or None if a text is not plain ids.

    Texts (UTF-8) written by audit_record are decimal ids joined by commas. numpy's parser reads them as int()
    would; where it could not (an empty item, a sign, a very long number, other characters) it fails,
    reads a different number of items, or the checks below refuse, and the caller compares exactly.
    """
    named = list(compress(texts, texts))
    if not named:
        return 0, 0
    # One parse for the whole chunk, events separated by a -1 that no id can be (no text has a '-').
    joined = _EVENT_BREAK.join(named)
    if joined.count(b"-") != len(named) - 1:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # older numpy warns instead of raising
            items = np.fromstring(joined, dtype=np.int64, sep=",")  # C parser: ~15 ns an id
    except ValueError:
        return None
    if len(items) != joined.count(b",") + 1:
        return None
    breaks = np.flatnonzero(items == -1)
    if len(breaks) != len(named) - 1:
        return None
    persons = np.delete(items, breaks)
    if len(persons) and int(persons.max()) >= _TOO_LONG:  # numpy clamps what overflows
        return None
    counts = np.diff(breaks, prepend=-1, append=len(items)) - 1
    seeds = np.fromiter(compress(event_ids, texts), np.int64, len(named)) ^ np.int64(seed)
    return len(persons), _sum(seeds, counts, persons)


def from_database(count: int, total: Decimal | int | None) -> tuple[int, int]:
    """PostgreSQL's count and exact sum of signed hashes, as a digest (the sum taken modulo 2**64)."""
    return int(count), (int(total) if total is not None else 0) & _MASK
