"""How a typed search names people: "Given Family", "Family, Given", or a membership number with or
without its prefix ("M0000045", "m45", "45"). One parser for the member list and the person picker."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, F, Func, Q, Value
from django.db.models.lookups import Exact

_NUMBER = re.compile(r"^([A-Za-z]{0,4})(\d{1,12})$")
MAX_TERMS = 4


@dataclass(frozen=True)
class PersonQuery:
    """What was typed, read: a possible membership number, and name parts.

    `family` and `given` are set when the text had a comma ("Owen, Jane"); otherwise `terms` are the
    words, each the start of the given or the family name."""

    text: str
    prefix: str = ""
    digits: str = ""
    family: str = ""
    given: str = ""
    terms: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.digits or self.family or self.given or self.terms)

    @property
    def is_number(self) -> bool:
        return bool(self.digits)


def parse_person_query(text: str) -> PersonQuery:
    text = " ".join((text or "").split())[:200]
    if "," in text:
        family, _, given = text.partition(",")
        return PersonQuery(text, family=family.strip(), given=given.replace(",", " ").strip())
    terms = tuple(text.split()[:MAX_TERMS])
    if len(terms) == 1 and (match := _NUMBER.match(terms[0])):
        return PersonQuery(text, prefix=match.group(1), digits=match.group(2), terms=terms)
    return PersonQuery(text, terms=terms)


# A membership number without its letters and leading zeros ("M0000137" → "137"). On PostgreSQL an index on
# exactly this expression (members migration 0005) finds a number typed without its prefix or zeros without
# reading the register: a regular expression alone cannot use an index.
NUMBER_DIGITS_PATTERN = "^[A-Za-z]*0*"


def number_digits() -> Func:
    return Func(
        F("membership_number"),
        Value(NUMBER_DIGITS_PATTERN),
        Value(""),
        function="REGEXP_REPLACE",
        output_field=CharField(),
    )


def _number_q(query: PersonQuery) -> Q:
    # The number as typed, or its digits without leading zeros after any (or the given) letters.
    prefix = re.escape(query.prefix) if query.prefix else "[A-Za-z]*"
    value = str(int(query.digits))
    pattern = Q(membership_number__iregex=rf"^{prefix}0*{value}$")
    if connection.vendor == "postgresql":
        pattern = (
            Q(Exact(number_digits(), value.lstrip("0"))) & pattern
        )  # the index finds, the pattern checks
    return Q(membership_number__iexact=query.text) | pattern


def person_query_q(query: PersonQuery) -> Q:
    """The condition on Person rows matching the query (an empty query matches everyone)."""
    if query.family or query.given:
        q = Q()
        for part in query.family.split()[:MAX_TERMS]:
            q &= Q(family_name__istartswith=part) | Q(family_name__icontains=f" {part}")
        if query.given:
            q &= Q(given_name__istartswith=query.given.split()[0])
        return q
    if query.is_number:
        return _number_q(query)
    if len(query.terms) == 1:
        term = query.terms[0]
        return (
            Q(membership_number__iexact=term)
            | Q(family_name__istartswith=term)
            | Q(given_name__istartswith=term)
        )
    q = Q()
    for term in query.terms:
        q &= Q(family_name__istartswith=term) | Q(given_name__istartswith=term)
    return q
