"""Group minimums and reserved seats written as text, for ``polity count`` and its constraints file.

* ``--reserve "BAME:3,7"``: a reserved seat, at least one of candidates 3 and 7;
* ``--at-least "women:4:1,2,5,8"``: at least four of candidates 1, 2, 5 and 8;
* ``--constraints FILE``: TOML, one ``[[group]]`` table per group::

      [[group]]
      label = "women"
      minimum = 4
      members = [1, 2, "Cat Dunn", 8]

Candidates are given by number (1 = first in ballot-paper order, as on a BLT line) or by name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from polity.counting.constraints import GroupMinimum
from polity.counting.errors import CountError


def _candidate(token: str | int, names: Sequence[str], where: str) -> str:
    if isinstance(token, int) or (isinstance(token, str) and token.strip().isdigit()):
        number = int(token)
        if not 1 <= number <= len(names):
            raise CountError(f"{where}: there is no candidate {number} (there are {len(names)})")
        return names[number - 1]
    name = str(token).strip()
    if name not in names:
        raise CountError(f"{where}: no candidate is called {name!r}")
    return name


def candidate_list(text: str, names: Sequence[str], where: str) -> tuple[str, ...]:
    """Comma-separated candidate numbers or names, as names."""
    tokens = [t for t in text.split(",") if t.strip()]
    if not tokens:
        raise CountError(f"{where}: no candidates given")
    return tuple(_candidate(t, names, where) for t in tokens)


def parse_reserve(text: str, names: Sequence[str]) -> GroupMinimum:
    """``LABEL:CANDIDATES``: at least one of the candidates is elected."""
    label, sep, members = text.partition(":")
    if not sep or not label.strip():
        raise CountError(f"--reserve {text!r}: write GROUP:CANDIDATES, e.g. 'BAME:3,7'")
    return GroupMinimum(label.strip(), frozenset(candidate_list(members, names, f"--reserve {text!r}")), 1)


def parse_at_least(text: str, names: Sequence[str]) -> GroupMinimum:
    """``LABEL:N:CANDIDATES``: at least N of the candidates are elected."""
    parts = text.split(":", 2)
    if len(parts) != 3 or not parts[0].strip() or not parts[1].strip().isdigit():
        raise CountError(f"--at-least {text!r}: write GROUP:N:CANDIDATES, e.g. 'women:4:1,2,5,8'")
    label, minimum, members = parts
    return GroupMinimum(
        label.strip(), frozenset(candidate_list(members, names, f"--at-least {text!r}")), int(minimum)
    )


def read_constraints_file(path: str | Path, names: Sequence[str]) -> list[GroupMinimum]:
    """Group minimums from a TOML file of ``[[group]]`` tables (label, minimum, members)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise CountError(f"cannot read constraints file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CountError(f"constraints file {path}: {exc}") from exc
    groups = data.get("group")
    unknown = sorted(set(data) - {"group"})
    if unknown or not isinstance(groups, list):
        raise CountError(f"constraints file {path}: expected only [[group]] tables")
    out = []
    for number, group in enumerate(groups, start=1):
        where = f"constraints file {path}, group {number}"
        if not isinstance(group, dict) or set(group) != {"label", "minimum", "members"}:
            raise CountError(f"{where}: give exactly label, minimum and members")
        label, minimum, members = group["label"], group["minimum"], group["members"]
        if not isinstance(label, str) or not label.strip():
            raise CountError(f"{where}: label must be a name")
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
            raise CountError(f"{where}: minimum must be a whole number of at least 1")
        if not isinstance(members, list) or not members:
            raise CountError(f"{where}: members must be a list of candidate numbers or names")
        chosen = frozenset(_candidate(m, names, where) for m in members)
        out.append(GroupMinimum(label.strip(), chosen, minimum))
    return out
