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

    def rule(self, key: str) -> Rule:
        """A duration rule by its dotted key, e.g. "membership.arrears_grace"."""
        try:
            return Rule(key, self.durations[key], self.version)
        except KeyError:
            raise KeyError(f"the rulebook {self.path} has no rule {key!r}") from None

    def number(self, key: str) -> int:
        """A whole number by its dotted key, e.g. "comms.approval_threshold"."""
        try:
            return self.numbers[key]
        except KeyError:
            raise KeyError(f"the rulebook {self.path} has no number {key!r}") from None

    def office(self, key: str) -> OfficeType:
        return self.offices[key]

    def level_index(self, level: str) -> int:
        return self.levels.index(level)


REQUIRED_DURATIONS = (
    "membership.subscription_period",
    "membership.arrears_grace",
    "membership.lapse_after",
    "membership.min_length_to_vote",
    "membership.min_length_to_stand",
    "subject_access.response",
    "subject_access.extension",
    "retention.access_log",
)


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

    # Every other table holds the organisation's numbers: durations ("7d") and plain whole numbers.
    durations: dict[str, Duration] = {}
    numbers: dict[str, int] = {}
    for section, table in raw.items():
        if section in {"organisation", "bodies", "offices"}:
            continue
        if not isinstance(table, dict):
            raise RulebookError(p, section, "must be a table of rules")
        for key, value in table.items():
            where = f"{section}.{key}"
            if isinstance(value, str):
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
        bodies[key] = BodyType(key, _str(spec, "label", where, p), body_levels, notice, quorum)

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

    return Rulebook(p, name, version, levels, offices, bodies, durations, numbers)


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
