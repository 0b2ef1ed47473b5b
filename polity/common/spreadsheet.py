"""Every CSV Polity writes goes through here, so no cell can run as a spreadsheet formula.

A value that begins with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip
before reading one of those) is taken as a formula by Excel, LibreOffice and Google Sheets when the file is
opened: `=HYPERLINK(...)` in a member's name would run on the officer's computer. Such values are stored as
they were given (they are text) and neutralised only when written out: a single quote goes in front, which
spreadsheets show as text and do not display. `restore` undoes it for files Polity reads back (ranked
ballots), so a value survives a round trip.

Plain Python (no Django): the counting library uses it too.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def neutralise(value: object) -> str:
    """The cell as text, with a leading `'` if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return _QUOTE + text if text.startswith(FORMULA_STARTS) else text


def restore(cell: str) -> str:
    """The value a neutralised cell stood for (a cell that was not neutralised is returned unchanged)."""
    if cell.startswith(_QUOTE) and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


class SafeWriter:
    """`csv.writer` whose every cell is neutralised. The one way Polity writes CSV."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        options.setdefault("lineterminator", "\n")
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
