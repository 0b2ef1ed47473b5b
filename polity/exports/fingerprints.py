"""Normalised, hashed values of a row, so a leaked copy matches whatever was done to it: columns dropped or
reordered, text re-cased, spaces and punctuation changed, a phone number written +44 or 0, a membership
number with or without its letter and leading zeros.

Kinds: "e" email, "p" phone, "n" membership number, "a" address line, "m" a name (given and family). The
first four are *strong* (one match names one person); a name is *weak* (people share names).
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections.abc import Callable, Iterable, Iterator

STRONG = frozenset("epna")

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\d[\d\s().-]{8,}\d")
_NUMBER = re.compile(r"\b([A-Za-z])\s?-?0*(\d{1,9})\b")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def key(kind: str, value: str) -> int:
    """A signed 64-bit hash of a normalised value (fits a PostgreSQL bigint)."""
    digest = hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _fold(text: str) -> str:
    if text.isascii():  # nearly always: no accents to strip
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def norm_email(value: str) -> str:
    return value.strip().casefold()


def norm_phone(value: str) -> str:
    """The last ten digits: "07700 900123", "+44 7700 900123" and "7700-900-123" agree."""
    digits = re.sub(r"\D", "", value)
    return digits[-10:] if len(digits) >= 10 else ""


def norm_number(value: str) -> str:
    """ "M0000045", "m45", "M 45" → "M45"."""
    value = value.strip()
    digits = value[1:]
    if (  # the common case, a letter and ASCII digits: what the pattern below finds, without it
        digits.isdigit()
        and digits.isascii()
        and value[0].isascii()
        and value[0].isalpha()
        and len(digits.lstrip("0")) <= 9
    ):
        return f"{value[0].upper()}{int(digits)}"
    match = _NUMBER.search(value)
    return f"{match.group(1).upper()}{int(match.group(2))}" if match else ""


def norm_address(value: str) -> str:
    words = re.findall(r"[a-z0-9]+", _fold(value))
    return " ".join(words)


def norm_name(given: str, family: str) -> str:
    """The first given name and the last family name: "Mary Ann Smith" → "mary|smith"."""
    if given.isalpha() and family.isalpha() and given.isascii() and family.isascii():  # the common case
        return f"{given.lower()}|{family.lower()}"
    givens, families = _WORD.findall(_fold(given)), _WORD.findall(_fold(family))
    return f"{givens[0] if givens else ''}|{families[-1] if families else ''}"


def row_keys(
    *, name: tuple[str, str] | None, email: str = "", phone: str = "", number: str = "", address: str = ""
) -> list[tuple[str, int]]:
    """The (kind, hash) keys of one exported row, from the values its file shows."""
    out = []
    if email and (v := norm_email(email)):
        out.append(("e", key("e", v)))
    if phone and (v := norm_phone(phone)):
        out.append(("p", key("p", v)))
    if number and (v := norm_number(number)):
        out.append(("n", key("n", v)))
    if address and (v := norm_address(address)):
        out.append(("a", key("a", v)))
    if name is not None:
        out.append(("m", key("m", norm_name(*name))))
    return out


_SIGNED = struct.Struct(">q").unpack


def row_hasher(
    *, name: bool, email: bool, phone: bool, number: bool, address: bool
) -> Callable[[str, str, str, str, str, str], list[int]]:
    """For a file whose columns are fixed: a function (given, family, email, phone, number, address) → the
    hashes `row_keys` gives for the values shown, in the same order. The export writes one per row; this
    skips `row_keys`'s keyword parsing and kind labels, and starts each hash from a copy of its kind's
    prefix already hashed (a test checks that the two always agree)."""
    e_, p_, n_, a_, m_ = (hashlib.blake2b(k, digest_size=8) for k in (b"e:", b"p:", b"n:", b"a:", b"m:"))

    def _of(start: hashlib.blake2b, value: str) -> int:
        h = start.copy()
        h.update(value.encode())
        return int(_SIGNED(h.digest())[0])

    def hashes(given: str, family: str, e: str, p: str, n: str, a: str) -> list[int]:
        out = []
        if email and e and (v := norm_email(e)):
            out.append(_of(e_, v))
        if phone and p and (v := norm_phone(p)):
            out.append(_of(p_, v))
        if number and n and (v := norm_number(n)):
            out.append(_of(n_, v))
        if address and a and (v := norm_address(a)):
            out.append(_of(a_, v))
        if name:
            out.append(_of(m_, norm_name(given, family)))
        return out

    return hashes


def excerpt_keys(cells: Iterable[str]) -> Iterator[tuple[str, int]]:
    """Every key a row of a leaked excerpt might show, whatever its columns: emails, phone numbers and
    membership numbers found anywhere, each cell as an address, and ordered pairs of words as names
    ("Given Family", "FAMILY, Given", or given and family in separate cells, in either order)."""
    cells = [c for c in (str(c).strip() for c in cells) if c]
    text = "  ".join(cells)
    emails = _EMAIL.findall(text)
    for email in emails:
        yield "e", key("e", norm_email(email))
    rest = _EMAIL.sub(" ", text)
    for phone in _PHONE.findall(rest):
        if v := norm_phone(phone):
            yield "p", key("p", v)
    for match in _NUMBER.finditer(rest):
        yield "n", key("n", f"{match.group(1).upper()}{int(match.group(2))}")
    for cell in cells:
        if "@" not in cell and (v := norm_address(cell)) and any(ch.isdigit() for ch in v):
            yield "a", key("a", v)
    words = [w for w in _WORD.findall(_fold(rest)) if len(w) > 1][:8]
    seen = set()
    for i, first in enumerate(words):
        for j, second in enumerate(words):
            if i != j and (first, second) not in seen:
                seen.add((first, second))
                yield "m", key("m", f"{first}|{second}")
