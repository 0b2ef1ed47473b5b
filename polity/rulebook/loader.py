"""Load and validate the organisation's rulebook (one TOML file). A bad file fails with file, key and reason."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from polity.access.perms import Perm
from polity.rulebook.durations import Duration


class RulebookError(Exception):
    def __init__(self, path: str, key: str, reason: str) -> None:
        super().__init__(f"{path}: [{key}] {reason}")
        self.path, self.key, self.reason = path, key, reason


@dataclass(frozen=True)
class Rule:
    """A number from the rulebook, remembering where it came from."""

    key: str
    duration: Duration
    version: str

    def add_to[T: (date, datetime)](self, start: T) -> T:
        return self.duration.add_to(start)

    def subtract_from[T: (date, datetime)](self, end: T) -> T:
        return self.duration.subtract_from(end)


@dataclass(frozen=True)
class OfficeType:
    key: str
    label: str
    levels: tuple[str, ...]
    permissions: frozenset[Perm]
    body: str | None = None
    is_staff: bool = False


@dataclass(frozen=True)
class BodyType:
    key: str
    label: str
    levels: tuple[str, ...]
    notice: Duration
    quorum: int
    # Decisions this kind of body takes beyond its own business (POWERS), e.g. changing a published shortlist.
    powers: frozenset[str] = frozenset()
    # Offices of the body's unit whose holders sit on it while they hold them (e.g. the chair).
    ex_officio: tuple[str, ...] = ()
    # When set, the quorum is this share (per cent, rounded up) of those entitled, never below `quorum`.
    quorum_percent: int = 0


@dataclass(frozen=True)
class MeetingKind:
    """A kind of meeting (ordinary, special, annual, emergency): its notice and who may call it.

    `notice` None means the body's own notice period. `callers` are offices of the body's unit, and
    "requisition" when members may oblige the secretary to call one. `waivable`: late notice of such a
    meeting may be waived at the meeting under the rule `meetings.waiver_percent`.
    """

    key: str
    label: str
    notice: Duration | None
    callers: tuple[str, ...]
    waivable: bool


@dataclass(frozen=True)
class Section:
    """A section of the membership (women, BAME, young, disabled, LGBT+ members...) and how one belongs.

    `basis` "declaration": the member says so themself, and may withdraw it (the register keeps the dates);
    "age": younger than `max_age` years on the day asked about, from the register's date of birth (no
    declaration; a member without a date of birth is in no age section).
    """

    key: str
    label: str
    basis: str
    max_age: int | None = None

    def age_limit_on(self, on: date) -> date:
        """Members born after this date are younger than `max_age` on `on` (an age section only)."""
        if self.max_age is None:
            raise ValueError(f"the section {self.key!r} is not an age section")
        year = on.year - self.max_age
        try:
            return on.replace(year=year)
        except ValueError:  # asked on 29 February: those born on 28 February of that year are of age
            return date(year, 2, 28)


SECTION_BASES = ("declaration", "age")
CHANNELS = ("email", "sms", "phone", "post")
# What a body may be empowered to decide, by `powers = [...]` in its [bodies.*] table.
POWERS = ("selections.change_shortlist", "selections.hear_appeal")
# Columns an export may hold (polity.exports.columns); the contact ones need a channel of their purpose.
EXPORT_COLUMNS = ("name", "membership_number", "branch", "status", "joined_on", "email", "phone", "address")
CONTACT_COLUMNS = {"email": ("email",), "phone": ("phone", "sms"), "address": ("post",)}
BASES = ("consent", "contract", "legitimate_interest", "legal_obligation")
CONSENT_MODES = ("required", "opt_out", "none")


@dataclass(frozen=True)
class Purpose:
    """Why personal data is used to contact someone, and on which lawful basis.

    consent: "required" (campaigning, fundraising: only after consent given per channel), "opt_out"
    (service messages: sent unless withdrawn), "none" (governance and statutory notices: no opt-out).
    `body_only` purposes go only to the members of a body (governance notices, while they sit on it).
    """

    key: str
    label: str
    basis: str
    consent: str
    channels: tuple[str, ...]
    needs_approval: bool = False
    body_only: bool = False
    # What an export for this purpose may hold; empty: no export for it at all.
    export_columns: tuple[str, ...] = ()

    @property
    def may_refuse(self) -> bool:
        return self.consent != "none"


@dataclass(frozen=True)
class Rulebook:
    path: str
    name: str
    version: str
    levels: tuple[str, ...]
    offices: dict[str, OfficeType]
    bodies: dict[str, BodyType]
    durations: dict[str, Duration] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    purposes: dict[str, Purpose] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    # Keys kept for a module to come (key -> module name): present, validated, but refused when read.
    reserved: dict[str, str] = field(default_factory=dict)
    meeting_kinds: dict[str, MeetingKind] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)

    def section(self, key: str) -> Section:
        try:
            return self.sections[key]
        except KeyError:
            raise KeyError(f"the rulebook {self.path} has no section {key!r}") from None

    def purpose(self, key: str) -> Purpose:
        try:
            return self.purposes[key]
        except KeyError:
            raise KeyError(f"the rulebook {self.path} has no purpose {key!r}") from None

    def rule(self, key: str) -> Rule:
        """A duration rule by its dotted key, e.g. "membership.arrears_grace"."""
        self._refuse_reserved(key)
        try:
            return Rule(key, self.durations[key], self.version)
        except KeyError:
            raise KeyError(f"the rulebook {self.path} has no rule {key!r}") from None

    def number(self, key: str) -> int:
        """A whole number by its dotted key, e.g. "comms.approval_threshold"."""
        self._refuse_reserved(key)
        try:
            return self.numbers[key]
        except KeyError:
            raise KeyError(f"the rulebook {self.path} has no number {key!r}") from None

    def flag(self, key: str) -> bool:
        """A yes-or-no rule by its dotted key, e.g. "cases.share_party_contact"."""
        self._refuse_reserved(key)
        try:
            return self.flags[key]
        except KeyError:
            raise KeyError(f"the rulebook {self.path} has no setting {key!r}") from None

    def _refuse_reserved(self, key: str) -> None:
        module = self.reserved.get(key)
        if module is not None:
            raise KeyError(
                f"the rulebook {self.path} reserves {key!r} for the module {module!r}: "
                "remove it from [reserved] in the change that starts reading it"
            )

    def office(self, key: str) -> OfficeType:
        return self.offices[key]

    def unit_officer_offices(self) -> list[str]:
        """Offices of a unit itself (chair, secretary...): not seats on a body, not staff roles."""
        return [key for key, office in self.offices.items() if office.body is None and not office.is_staff]

    def level_index(self, level: str) -> int:
        return self.levels.index(level)


REQUIRED_DURATIONS = (
    "membership.subscription_period",
    "membership.arrears_grace",
    "membership.lapse_after",
    "membership.min_length_to_vote",
    "membership.min_length_to_stand",
    "membership.min_length_to_hold_office",
    "access.restriction_review_max",
    "access.restriction_review_grace",
    "membership.resignation_cooling_off",
    "membership.resignation_dispute_window",
    "subject_access.response",
    "subject_access.extension",
    "retention.access_log",
    "cases.message_acknowledgement",
)
# Yes-or-no rules (true or false in the file); a boolean anywhere else is refused.
REQUIRED_FLAGS = ("cases.share_party_contact",)
# Whole numbers that must be there and be more than zero.
REQUIRED_POSITIVE = ("membership.subscription_pence",)


def load_rulebook(path: str | Path) -> Rulebook:
    p = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulebookError(p, "-", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError(p, "-", f"not valid TOML: {exc}") from None

    org = _table(raw, "organisation", p)
    name = _str(org, "name", "organisation", p)
    version = _str(org, "version", "organisation", p)
    levels_raw = org.get("levels")
    if (
        not isinstance(levels_raw, list)
        or len(levels_raw) < 2
        or not all(isinstance(x, str) for x in levels_raw)
    ):
        raise RulebookError(p, "organisation.levels", "must list at least two level names, top first")
    if len(set(levels_raw)) != len(levels_raw):
        raise RulebookError(p, "organisation.levels", "level names must be unique")
    levels = tuple(levels_raw)

    # Every other table holds the organisation's numbers: durations ("7d"), plain whole numbers, and
    # yes-or-no rules (true / false).
    durations: dict[str, Duration] = {}
    numbers: dict[str, int] = {}
    flags: dict[str, bool] = {}
    for section, table in raw.items():
        if section in {
            "organisation",
            "bodies",
            "offices",
            "purposes",
            "reserved",
            "meeting_kinds",
            "sections",
        }:
            continue
        if not isinstance(table, dict):
            raise RulebookError(p, section, "must be a table of rules")
        for key, value in table.items():
            where = f"{section}.{key}"
            if where in REQUIRED_FLAGS:  # only the named settings are yes-or-no: elsewhere true is a slip
                if not isinstance(value, bool):
                    raise RulebookError(p, where, "must be true or false")
                flags[where] = value
            elif isinstance(value, str):
                try:
                    durations[where] = Duration.parse(value)
                except ValueError as exc:
                    raise RulebookError(p, where, str(exc)) from None
            elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                numbers[where] = value
            else:
                raise RulebookError(p, where, 'must be a duration such as "7d" or a whole number')
    for key in REQUIRED_DURATIONS:
        if key not in durations:
            raise RulebookError(p, key, "is required")
    for key in REQUIRED_FLAGS:
        if key not in flags:
            raise RulebookError(p, key, "is required (true or false)")
    for key in REQUIRED_POSITIVE:
        if numbers.get(key, 0) < 1:
            raise RulebookError(p, key, "is required: a whole number more than zero")

    bodies: dict[str, BodyType] = {}
    for key, spec in _table(raw, "bodies", p).items():
        where = f"bodies.{key}"
        if not isinstance(spec, dict):
            raise RulebookError(p, where, "must be a table")
        body_levels = _levels(spec, where, levels, p)
        try:
            notice = Duration.parse(_str(spec, "notice", where, p))
        except ValueError as exc:
            raise RulebookError(p, f"{where}.notice", str(exc)) from None
        quorum = spec.get("quorum")
        if not isinstance(quorum, int) or isinstance(quorum, bool) or quorum < 1:
            raise RulebookError(p, f"{where}.quorum", "must be a whole number of at least 1")
        percent = spec.get("quorum_percent", 0)
        if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
            raise RulebookError(p, f"{where}.quorum_percent", "must be a whole number from 0 to 100")
        ex_officio = spec.get("ex_officio", [])
        if not isinstance(ex_officio, list) or not all(isinstance(x, str) for x in ex_officio):
            raise RulebookError(p, f"{where}.ex_officio", "must list offices of the body's unit")
        powers = spec.get("powers", [])
        if not isinstance(powers, list) or any(power not in POWERS for power in powers):
            raise RulebookError(p, f"{where}.powers", f"must list powers among {list(POWERS)}")
        bodies[key] = BodyType(
            key,
            _str(spec, "label", where, p),
            body_levels,
            notice,
            quorum,
            frozenset(powers),
            tuple(ex_officio),
            percent,
        )

    offices: dict[str, OfficeType] = {}
    known = {perm.value for perm in Perm}
    for key, spec in _table(raw, "offices", p).items():
        where = f"offices.{key}"
        if not isinstance(spec, dict):
            raise RulebookError(p, where, "must be a table")
        perms = spec.get("permissions", [])
        if not isinstance(perms, list):
            raise RulebookError(p, f"{where}.permissions", "must be a list")
        for perm in perms:
            if perm not in known:
                raise RulebookError(
                    p, f"{where}.permissions", f"unknown permission {perm!r}; known: {sorted(known)}"
                )
        body = spec.get("body")
        if body is not None and body not in bodies:
            raise RulebookError(p, f"{where}.body", f"no body type {body!r} in [bodies]")
        offices[key] = OfficeType(
            key=key,
            label=_str(spec, "label", where, p),
            levels=_levels(spec, where, levels, p),
            permissions=frozenset(Perm(x) for x in perms),
            body=body,
            is_staff=bool(spec.get("staff", False)),
        )
    if not offices:
        raise RulebookError(p, "offices", "at least one office type is required")

    for body_type in bodies.values():
        for office in body_type.ex_officio:
            if office not in offices:
                raise RulebookError(
                    p, f"bodies.{body_type.key}.ex_officio", f"no office {office!r} in [offices]"
                )
    meeting_kinds = _meeting_kinds(raw.get("meeting_kinds", {}), offices, p)
    purposes = _purposes(raw.get("purposes", {}), p)
    sections = _sections(raw.get("sections", {}), p)
    reserved = _reserved(raw.get("reserved", {}), {*durations, *numbers, *flags}, p)
    return Rulebook(
        p,
        name,
        version,
        levels,
        offices,
        bodies,
        durations,
        numbers,
        purposes,
        flags,
        reserved,
        meeting_kinds,
        sections,
    )


def _sections(raw: Any, path: str) -> dict[str, Section]:
    """The [sections.*] tables: label, basis ("declaration" or "age") and, for an age section, max_age."""
    if not isinstance(raw, dict):
        raise RulebookError(path, "sections", "must be a table of sections")
    out: dict[str, Section] = {}
    for key, spec in raw.items():
        where = f"sections.{key}"
        if not isinstance(spec, dict):
            raise RulebookError(path, where, "must be a table")
        if not key.replace("_", "").isalnum() or not key.islower() or len(key) > 30:
            raise RulebookError(path, where, "a section key is lower-case letters, digits and _, up to 30")
        basis = spec.get("basis")
        if basis not in SECTION_BASES:
            raise RulebookError(path, f"{where}.basis", f"must be one of {list(SECTION_BASES)}")
        max_age = spec.get("max_age")
        if basis == "age":
            if not isinstance(max_age, int) or isinstance(max_age, bool) or not 1 <= max_age <= 150:
                raise RulebookError(path, f"{where}.max_age", "an age section needs a whole number of years")
        elif max_age is not None:
            raise RulebookError(path, f"{where}.max_age", "only an age section has a maximum age")
        unknown = set(spec) - {"label", "basis", "max_age"}
        if unknown:
            raise RulebookError(path, f"{where}.{sorted(unknown)[0]}", "is not a section setting")
        out[key] = Section(key, _str(spec, "label", where, path), basis, max_age)
    return out


def _meeting_kinds(raw: Any, offices: dict[str, OfficeType], path: str) -> dict[str, MeetingKind]:
    """The [meeting_kinds.*] tables: label, notice (default: the body's), callers, waivable."""
    if not isinstance(raw, dict):
        raise RulebookError(path, "meeting_kinds", "must be a table of meeting kinds")
    out: dict[str, MeetingKind] = {}
    for key, spec in raw.items():
        where = f"meeting_kinds.{key}"
        if not isinstance(spec, dict):
            raise RulebookError(path, where, "must be a table")
        notice = None
        if "notice" in spec:
            try:
                notice = Duration.parse(_str(spec, "notice", where, path))
            except ValueError as exc:
                raise RulebookError(path, f"{where}.notice", str(exc)) from None
        callers = spec.get("callers")
        if not isinstance(callers, list) or not callers:
            raise RulebookError(path, f"{where}.callers", 'must list offices, or "requisition"')
        for caller in callers:
            if caller != "requisition" and caller not in offices:
                raise RulebookError(path, f"{where}.callers", f"no office {caller!r} in [offices]")
        waivable = spec.get("waivable", False)
        if not isinstance(waivable, bool):
            raise RulebookError(path, f"{where}.waivable", "must be true or false")
        unknown = set(spec) - {"label", "notice", "callers", "waivable"}
        if unknown:
            raise RulebookError(path, f"{where}.{sorted(unknown)[0]}", "is not a meeting kind setting")
        out[key] = MeetingKind(key, _str(spec, "label", where, path), notice, tuple(callers), waivable)
    return out


def _reserved(raw: Any, keys: set[str], path: str) -> dict[str, str]:
    """The [reserved] table: "section.key" = "module" for each rule kept for a module not written yet."""
    if not isinstance(raw, dict):
        raise RulebookError(path, "reserved", 'must be a table of "section.key" = "module"')
    out: dict[str, str] = {}
    for key, module in raw.items():
        where = f"reserved.{key}"
        if key not in keys:
            raise RulebookError(path, where, "reserves a key the rulebook does not have")
        if not isinstance(module, str) or not module.strip().isidentifier():
            raise RulebookError(path, where, 'must name the module that will read it, e.g. "meetings"')
        out[key] = module.strip()
    return out


def _purposes(raw: Any, path: str) -> dict[str, Purpose]:
    """The [purposes.*] tables: lawful basis and consent rule of every use of contact details."""
    if not isinstance(raw, dict):
        raise RulebookError(path, "purposes", "must be a table of purposes")
    out: dict[str, Purpose] = {}
    for key, spec in raw.items():
        where = f"purposes.{key}"
        if not isinstance(spec, dict):
            raise RulebookError(path, where, "must be a table")
        basis = spec.get("basis")
        if basis not in BASES:
            raise RulebookError(path, f"{where}.basis", f"must be one of {list(BASES)}")
        consent = spec.get("consent")
        if consent not in CONSENT_MODES:
            raise RulebookError(path, f"{where}.consent", f"must be one of {list(CONSENT_MODES)}")
        if (basis == "consent") != (consent == "required"):
            raise RulebookError(
                path,
                f"{where}.consent",
                'a purpose needs consent "required" exactly when its basis is "consent"',
            )
        channels = spec.get("channels")
        if not isinstance(channels, list) or not channels:
            raise RulebookError(path, f"{where}.channels", f"must list one or more of {list(CHANNELS)}")
        for channel in channels:
            if channel not in CHANNELS:
                raise RulebookError(
                    path, f"{where}.channels", f"unknown channel {channel!r}; known: {list(CHANNELS)}"
                )
        flags = {}
        for flag in ("needs_approval", "body_only"):
            value = spec.get(flag, False)
            if not isinstance(value, bool):
                raise RulebookError(path, f"{where}.{flag}", "must be true or false")
            flags[flag] = value
        if consent == "none" and flags["needs_approval"]:
            raise RulebookError(
                path, f"{where}.needs_approval", "notices members cannot opt out of never wait for approval"
            )
        columns = spec.get("export_columns", [])
        if not isinstance(columns, list) or not all(c in EXPORT_COLUMNS for c in columns):
            raise RulebookError(path, f"{where}.export_columns", f"must list some of {list(EXPORT_COLUMNS)}")
        for column in columns:
            needs = CONTACT_COLUMNS.get(column, ())
            if needs and not set(needs) & set(channels):
                raise RulebookError(
                    path, f"{where}.export_columns", f"{column!r} needs one of the channels {list(needs)}"
                )
        unknown = set(spec) - {
            "label",
            "basis",
            "consent",
            "channels",
            "needs_approval",
            "body_only",
            "export_columns",
        }
        if unknown:
            raise RulebookError(path, f"{where}.{sorted(unknown)[0]}", "is not a purpose setting")
        out[key] = Purpose(
            key=key,
            label=_str(spec, "label", where, path),
            basis=basis,
            consent=consent,
            channels=tuple(channels),
            needs_approval=flags["needs_approval"],
            body_only=flags["body_only"],
            export_columns=tuple(columns),
        )
    return out


def _table(raw: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise RulebookError(path, key, "section is missing")
    return value


def _str(spec: dict[str, Any], key: str, where: str, path: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RulebookError(path, f"{where}.{key}", "must be a non-empty string")
    return value


def _levels(spec: dict[str, Any], where: str, levels: tuple[str, ...], path: str) -> tuple[str, ...]:
    value = spec.get("levels")
    if not isinstance(value, list) or not value:
        raise RulebookError(path, f"{where}.levels", "must list one or more unit levels")
    for level in value:
        if level not in levels:
            raise RulebookError(
                path, f"{where}.levels", f"unknown level {level!r}; levels are {list(levels)}"
            )
    return tuple(value)


@cache
def get_rulebook() -> Rulebook:
    from django.conf import settings

    return load_rulebook(settings.POLITY_RULEBOOK)
