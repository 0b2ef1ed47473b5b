"""The personal-data registry: each app declares here what it holds about a person.

An app that stores anything about a person adds a `personal_data.py` module (found at start by
`DsrConfig.ready`) that calls `register(Holding(...))` once per kind of data: what the data is, why it is
held (purposes), on which lawful basis, who receives it, how long it is kept, where it came from, which
models hold it, and a function that yields that person's records. The subject access package, erasure
and the retention job all work through this registry, so an app that does not register is invisible to
them; `polity/dsr/tests/test_registry.py` fails for any model with personal data that no holding names.

See docs/dsr.md ("Registering an app's personal data").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import Model

    from polity.members.models import Person

# Lawful bases (UK GDPR Art. 6(1)); the words are in polity.common.labels.
LAWFUL_BASES = frozenset(
    {"consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interest"}
)


@dataclass(frozen=True)
class Subject:
    """The person a request is about: a person on the register, or someone known only by email address
    (a former member after erasure, a non-member who complained). Holdings look up by whichever they keep."""

    person: Person | None = None
    emails: tuple[str, ...] = ()

    @property
    def person_id(self) -> int | None:
        return None if self.person is None else int(self.person.pk)

    def all_emails(self) -> tuple[str, ...]:
        found = {e.strip().lower() for e in self.emails if e.strip()}
        if self.person is not None and self.person.email:
            found.add(self.person.email.strip().lower())
        return tuple(sorted(found))


@dataclass(frozen=True)
class Mention:
    """Someone else's data inside a record: redacted from the package unless the DPO lifts it.

    `text` is the words to hide inside the field's value; empty hides the whole field. `reason` is a key of
    polity.dsr.redaction.REASONS (the fixed list)."""

    field: str
    text: str = ""
    reason: str = "third_party"
    person_id: int | None = None


Value = str | int | bool | date | datetime | None


@dataclass(frozen=True)
class Record:
    """One thing held about the person, as it goes into the package: a kind ("Payment"), a reference
    unique within its holding ("payment:12", which redactions are keyed on), when, and its fields in
    the order a person reads them."""

    kind: str
    ref: str
    at: date | datetime | None
    fields: dict[str, Value]
    mentions: tuple[Mention, ...] = ()


RecordsFn = Callable[[Subject], Iterable[Record]]
# Erase or anonymise what the holding keeps about these people (ids) or addresses (normalised emails);
# returns the number of rows changed. Works on many people at once: the retention job passes a chunk.
EraseFn = Callable[[list[int], list[str]], int]


@dataclass(frozen=True)
class Holding:
    """What one app holds about a person, for one purpose. `retention_rule` names a rulebook key when
    the period comes from the rulebook; `retention` says the period in words either way."""

    key: str  # "members.register": app label, dot, a short name
    title: str  # "Your entry on the register"
    data: str  # the kinds of data, in words
    purposes: tuple[str, ...]
    lawful_basis: str  # a key of LAWFUL_BASES
    recipients: str
    retention: str
    source: str
    models: tuple[type[Model], ...]
    records: RecordsFn
    retention_rule: str = ""
    # What erasure does to it: "anonymise" (removed or anonymised), or "keep" with `kept_because` words.
    on_erasure: str = "anonymise"
    kept_because: str = ""
    # None: the holding holds nothing beyond its link to the person, whose record is anonymised.
    erase: EraseFn | None = None
    order: int = 100
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NotPersonal:
    """A model that looks personal to the registry's test (a person field, an address field) but holds
    nothing about a person that a request could reach, with the reason."""

    model: type[Model]
    reason: str


class RegistryError(Exception):
    pass


_holdings: dict[str, Holding] = {}
_not_personal: dict[type[Model], NotPersonal] = {}


def register(holding: Holding) -> Holding:
    """Declare a holding. Registering the same key twice with a different declaration is an error (two
    apps claiming one name); the same declaration again (a module imported twice) is harmless."""
    if holding.lawful_basis not in LAWFUL_BASES:
        raise RegistryError(
            f"{holding.key}: lawful basis {holding.lawful_basis!r} is not one of {sorted(LAWFUL_BASES)}"
        )
    if holding.on_erasure not in {"anonymise", "keep"}:
        raise RegistryError(f"{holding.key}: on_erasure must be 'anonymise' or 'keep'")
    if holding.on_erasure == "keep" and holding.erase is not None:
        raise RegistryError(f"{holding.key}: a holding kept on erasure has no erase function")
    if holding.on_erasure == "keep" and not holding.kept_because:
        raise RegistryError(f"{holding.key}: a holding kept on erasure says why (kept_because)")
    if not holding.purposes or not holding.models:
        raise RegistryError(f"{holding.key}: name at least one purpose and one model")
    existing = _holdings.get(holding.key)
    if existing is not None and existing.title != holding.title:
        raise RegistryError(f"{holding.key} is registered twice")
    _holdings[holding.key] = holding
    return holding


def not_personal(model: type[Model], reason: str) -> None:
    if not reason:
        raise RegistryError(f"{model.__name__}: say why it holds nothing about a person")
    _not_personal[model] = NotPersonal(model, reason)


def holdings() -> list[Holding]:
    return sorted(_holdings.values(), key=lambda h: (h.order, h.key))


def holding(key: str) -> Holding:
    return _holdings[key]


def covered_models() -> set[type[Model]]:
    return {m for h in _holdings.values() for m in h.models}


def exempt_models() -> dict[type[Model], NotPersonal]:
    return dict(_not_personal)


def records_for(subject: Subject) -> Iterator[tuple[Holding, Record]]:
    """Every record of every holding about the subject, holding by holding."""
    for h in holdings():
        for record in h.records(subject):
            yield h, record
