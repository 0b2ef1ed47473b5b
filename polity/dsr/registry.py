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

# A person's rights over one kind of data, as the package says them ("You may ...").
RIGHT_WORDS = {
    "access": "see it, as in this document",
    "rectify": "have it corrected when it is wrong",
    "erase": "have it erased when there is no reason left to keep it",
    "restrict": "have its use stopped while you dispute it",
    "object": "object to its use, which then stops unless we show grounds that override yours "
    "(campaigning stops at once)",
    "withdraw": "withdraw your consent at any time, which stops its use from then on",
    "port": "receive what you gave us in a form a computer can read, to take elsewhere",
}
# Which rights apply depends on the lawful basis (UK GDPR Arts. 17, 20, 21; the ICO's guide to the bases):
# erasure not where the law requires the data, portability only for consent and contract, objection only
# for public tasks and legitimate interests (for consent, withdrawing it is the way).
RIGHTS_BY_BASIS: dict[str, tuple[str, ...]] = {
    "consent": ("access", "rectify", "erase", "restrict", "withdraw", "port"),
    "contract": ("access", "rectify", "erase", "restrict", "port"),
    "legal_obligation": ("access", "rectify", "restrict"),
    "vital_interests": ("access", "rectify", "erase", "restrict"),
    "public_task": ("access", "rectify", "restrict", "object"),
    "legitimate_interest": ("access", "rectify", "erase", "restrict", "object"),
}
# What erasure does by default: what the law requires us to hold is kept, and says so.
KEPT_BY_LAW = "The law requires us to keep it for as long as said above"


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
    the period comes from the rulebook; `retention` says the period in words either way.

    Defaults follow the lawful basis, so apps do not repeat them: `rights` (keys of RIGHT_WORDS) are those
    of RIGHTS_BY_BASIS; `on_erasure` is "keep" for a legal obligation (with KEPT_BY_LAW unless
    `kept_because` says more) and "anonymise" otherwise. Give either to say otherwise.
    """

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
    # Empty: by the lawful basis (see the class's docstring).
    on_erasure: str = ""
    kept_because: str = ""
    rights: tuple[str, ...] = ()  # empty: RIGHTS_BY_BASIS[lawful_basis]
    # None: the holding holds nothing beyond its link to the person, whose record is anonymised.
    erase: EraseFn | None = None
    order: int = 100
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        basis = self.lawful_basis
        if not self.rights and basis in RIGHTS_BY_BASIS:
            object.__setattr__(self, "rights", RIGHTS_BY_BASIS[basis])
        if not self.on_erasure:
            keep = basis == "legal_obligation" and self.erase is None
            object.__setattr__(self, "on_erasure", "keep" if keep else "anonymise")
        if self.on_erasure == "keep" and not self.kept_because and basis == "legal_obligation":
            object.__setattr__(self, "kept_because", KEPT_BY_LAW)

    @property
    def rights_in_words(self) -> str:
        """The rights in one sentence: "You may see it, ... and have its use stopped while you dispute it."."""
        words = [RIGHT_WORDS[r] for r in self.rights if r in RIGHT_WORDS]
        if not words:
            return ""
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        return f"You may {listed}."


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
    unknown = [r for r in holding.rights if r not in RIGHT_WORDS]
    if unknown:
        raise RegistryError(f"{holding.key}: unknown rights {unknown}: use keys of {sorted(RIGHT_WORDS)}")
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
