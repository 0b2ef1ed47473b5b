"""Decoys: how many a file needs (decision 0026), and making them.

A leaked excerpt of k rows taken from a file of n members and d decoys holds no decoy with probability
    P0(n, d, k) = C(n, k) / C(n + d, k) = Π_{i<k} (n − i) / (n + d − i)
(any k rows, in any order). We take the smallest d ≥ `exports.decoys_min` with P0 ≤ 1 − confidence for
k = `exports.excerpt_rows` (or the whole file, when it is shorter: then every decoy is in it). For large n
this is about 2 decoys per 100 rows for 150 rows at 95%; `decoys_min` keeps small files traceable when only
a part of them leaks.

A decoy is a plausible person (the demo's name lists, a street of the unit's town) whose email address is
at a domain the organisation receives mail for (POLITY_DECOY_MAIL_DOMAINS) and whose phone number is in a
range it answers (POLITY_DECOY_PHONE_RANGE); each value is unique across every export ever made.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from polity.demo import words
from polity.rulebook.loader import get_rulebook


def p_no_decoy(members: int, decoys: int, excerpt: int) -> float:
    """The chance that `excerpt` rows drawn from the file hold no decoy."""
    k = min(excerpt, members + decoys)
    if k > members:
        return 0.0
    log = 0.0
    for i in range(k):
        log += math.log((members - i) / (members + decoys - i))
    return math.exp(log)


def decoys_needed(members: int) -> int:
    rulebook = get_rulebook()
    low = rulebook.number("exports.decoys_min")
    excerpt = rulebook.number("exports.excerpt_rows")
    miss = 1 - rulebook.number("exports.attribution_confidence") / 100
    d = max(1, low)
    if p_no_decoy(members, d, excerpt) <= miss:
        return d
    hi = d
    while p_no_decoy(members, hi, excerpt) > miss:
        hi *= 2
    while d < hi:  # the smallest count that is enough
        mid = (d + hi) // 2
        if p_no_decoy(members, mid, excerpt) <= miss:
            hi = mid
        else:
            d = mid + 1
    return d


@dataclass
class Made:
    given_name: str
    family_name: str
    membership_number: str
    email: str
    phone: str
    address_line: str
    town: str
    postcode: str
    joined_on: date


def _phone_range() -> tuple[int, int, str]:
    """(low, high, prefix) from "07700 900000-07700 999999": numbers are low..high, written like low."""
    low_text, _, high_text = settings.POLITY_DECOY_PHONE_RANGE.partition("-")
    low, high = (
        int("".join(ch for ch in low_text if ch.isdigit())),
        int("".join(ch for ch in high_text if ch.isdigit())),
    )
    return low, high, low_text.strip()


def _format_phone(n: int, like: str) -> str:
    digits = str(n).rjust(sum(ch.isdigit() for ch in like), "0")
    out, i = [], 0
    for ch in like:
        if ch.isdigit():
            out.append(digits[i])
            i += 1
        else:
            out.append(ch)
    return "".join(out)


def _candidate(
    rng: secrets.SystemRandom, domains: list[str], phones: tuple[int, int, str], towns: list[str], today: date
) -> Made:
    low, high, like = phones
    given, family = rng.choice(words.GIVEN_NAMES), rng.choice(words.FAMILY_NAMES)
    town = rng.choice(towns) if towns else rng.choice(words.PLACE_STARTS) + rng.choice(words.PLACE_ENDS)
    return Made(
        given_name=given,
        family_name=family,
        membership_number=f"M{rng.randrange(1, 10_000_000):07d}",
        email=f"{given.lower()}.{family.lower()}.{rng.randrange(10, 99999)}@{rng.choice(domains)}",
        phone=_format_phone(rng.randrange(low, high + 1), like),
        address_line=f"{rng.randrange(1, 240)} {rng.choice(words.STREETS)} {rng.choice(words.STREET_KINDS)}",
        town=town,
        postcode=(
            f"{rng.choice(words.POSTCODE_AREAS)} {rng.randrange(1, 10)}"
            f"{rng.choice(words.POSTCODE_LETTERS)}{rng.choice(words.POSTCODE_LETTERS)}"
        ),
        joined_on=today - timedelta(days=rng.randrange(60, 3650)),
    )


def make(count: int, *, towns: list[str], today: date) -> list[Made]:
    """`count` new decoys, none sharing an email, phone or membership number with another decoy, nor a
    membership number with a member. Candidates are checked in batches (four queries each)."""
    from polity.exports.models import Decoy
    from polity.members.models import Person

    rng = secrets.SystemRandom()
    domains = [d.strip() for d in settings.POLITY_DECOY_MAIL_DOMAINS.split(",") if d.strip()]
    phones = _phone_range()
    out: list[Made] = []
    seen: set[str] = set()
    decoys = Decoy.objects.order_by()  # no join for the model's ordering: only the values are asked for
    while len(out) < count:
        # A tenth more than needed: a random number is now and then a member's (one in twenty with 500,000
        # members), and another round costs four more queries.
        wanted = count - len(out)
        batch = [_candidate(rng, domains, phones, towns, today) for _ in range(wanted + wanted // 10 + 4)]
        numbers = [m.membership_number for m in batch]
        used = set(decoys.filter(membership_number__in=numbers).values_list("membership_number", flat=True))
        used |= set(
            Person.objects.order_by()
            .filter(membership_number__in=numbers)
            .values_list("membership_number", flat=True)
        )
        used |= set(decoys.filter(email__in=[m.email for m in batch]).values_list("email", flat=True))
        used |= set(decoys.filter(phone__in=[m.phone for m in batch]).values_list("phone", flat=True))
        for m in batch:
            values = (m.membership_number, m.email, m.phone)
            if len(out) < count and not any(v in used or v in seen for v in values):
                seen.update(values)
                out.append(m)
    return out
