"""A simple CSV of ranked ballots.

The first row names the candidates (all of them, in ballot-paper order). Each further row is one
ballot, or a group of identical ballots: a whole-number weight, then candidate names in order of
preference; empty trailing cells are ignored. Rows starting with ``#`` are comments. For example::

    Ann,Bob,Cat
    3,Bob,Ann
    1,Cat

CSV carries neither seats nor withdrawals; give the seats to the count.

Written through polity.common.spreadsheet, so a name a spreadsheet would take for a formula (``=...``,
``+...``, ``-...``, ``@...``) is written with a leading ``'``; reading removes it again.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from polity.common.spreadsheet import SafeWriter, restore
from polity.counting.election import MAX_TOTAL_WEIGHT, Election, pack_rankings
from polity.counting.errors import BallotFileError


def read_csv(path: str | Path, *, seats: int = 1) -> Election:
    """Read a ranked-ballot CSV file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BallotFileError(str(path), None, f"cannot read file: {exc}") from exc
    return parse_csv(text, source=str(path), seats=seats)


def parse_csv(text: str, *, source: str = "<csv>", seats: int = 1) -> Election:
    """Parse ranked-ballot CSV text."""
    rows = [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text)), start=1)]
    rows = [(n, [restore(cell.strip()) for cell in row]) for n, row in rows if any(c.strip() for c in row)]
    rows = [(n, row) for n, row in rows if not row[0].startswith("#")]
    if not rows:
        raise BallotFileError(source, None, "empty file")
    header_line, header = rows[0]
    names = [c for c in header if c]
    if len(set(names)) != len(names):
        raise BallotFileError(source, header_line, "a candidate is named twice in the header")
    index = {name: i for i, name in enumerate(names)}
    grouped: dict[tuple[int, ...], int] = {}
    total = 0
    for number, row in rows[1:]:
        try:
            weight = int(row[0])
        except ValueError:
            raise BallotFileError(source, number, f"bad weight {row[0]!r}: not a whole number") from None
        if weight < 0:
            raise BallotFileError(source, number, f"bad weight {weight}: negative")
        total += weight
        if total > MAX_TOTAL_WEIGHT:
            raise BallotFileError(
                source,
                number,
                f"the ballots up to this row weigh {total:,}, more than the {MAX_TOTAL_WEIGHT:,} "
                "the exact arithmetic of a count holds",
            )
        ranking: list[int] = []
        for cell in row[1:]:
            if not cell:
                continue
            if cell not in index:
                raise BallotFileError(source, number, f"unknown candidate {cell!r}")
            if index[cell] in ranking:
                raise BallotFileError(source, number, f"repeated candidate {cell!r}")
            ranking.append(index[cell])
        if weight:
            key = tuple(ranking)
            grouped[key] = grouped.get(key, 0) + weight
    if sum(grouped.values()) == 0:
        raise BallotFileError(source, None, "no ballots")
    if not 1 <= seats <= len(names):
        raise BallotFileError(source, header_line, f"wrong counts: {seats} seats for {len(names)} candidates")
    ranks, weights = pack_rankings(list(grouped), list(grouped.values()))
    return Election(tuple(names), seats, ranks, weights, frozenset(), "")


def write_csv(election: Election, path: str | Path | None = None) -> str:
    """Render ballots as ranked CSV (withdrawals are not kept); write to ``path`` when given. CSV has
    no way to write equal preferences: an election with them is refused."""
    if election.equal_ballots:
        raise BallotFileError(
            str(path or "<csv>"), None, "equal preferences cannot be written as CSV; use BLT"
        )
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(election.candidates)
    for weight, ranking in election.rankings():
        writer.writerow([weight, *(election.candidates[c] for c in ranking)])
    text = out.getvalue()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
