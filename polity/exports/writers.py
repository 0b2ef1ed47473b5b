"""Writing an export's file row by row, so memory stays flat however many rows: CSV with the standard library,
XLSX with XlsxWriter in its constant-memory mode, and a printable sign-in sheet with fpdf2 (decision 0027) in
DejaVu Sans (polity.common.pdf), so every name prints as it is written."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol


class Writer(Protocol):
    def write(self, cells: list[str]) -> None: ...
    def close(self) -> None: ...


class CsvWriter:
    def __init__(self, path: Path, headings: list[str], *, title: str) -> None:
        self.handle = path.open("w", newline="", encoding="utf-8-sig")
        self.out = csv.writer(self.handle)
        self.out.writerow(headings)

    def write(self, cells: list[str]) -> None:
        self.out.writerow([_defuse(c) if c[:1] in _RISKY else c for c in cells])

    def close(self) -> None:
        self.handle.close()


class XlsxWriter:
    def __init__(self, path: Path, headings: list[str], *, title: str) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.sheet = self.book.add_worksheet("Members")
        bold = self.book.add_format({"bold": True})
        for col, heading in enumerate(headings):
            self.sheet.write_string(0, col, heading, bold)
        self.row = 1

    def write(self, cells: list[str]) -> None:
        for col, value in enumerate(cells):
            self.sheet.write_string(self.row, col, value)
        self.row += 1

    def close(self) -> None:
        self.book.close()


class PdfWriter:
    """A sign-in sheet: one line per person with an empty box to sign, headed with the list's title. A letter
    the font lacks is printed as U+FFFD and a line at the end says so."""

    def __init__(self, path: Path, headings: list[str], *, title: str) -> None:
        from polity.common.pdf import UnicodePdf

        self.path = path
        self.headings = [*headings, "Signature"]
        self.pdf = UnicodePdf(orientation="landscape", format="A4")
        self.pdf.setup_fonts()
        self.pdf.set_auto_page_break(auto=True, margin=12)
        self.pdf.set_title(title)
        self.title = title
        self.widths = self._widths()
        self.pdf.add_page()
        self._head()

    def _widths(self) -> list[float]:
        usable = 297 - 20
        sign = 60.0
        each = (usable - sign) / max(1, len(self.headings) - 1)
        return [each] * (len(self.headings) - 1) + [sign]

    def _head(self) -> None:
        from polity.common.pdf import FAMILY

        self.pdf.set_font(FAMILY, "B", 12)
        self.pdf.cell(0, 8, self.pdf.shown(self.title), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font(FAMILY, "B", 9)
        for heading, width in zip(self.headings, self.widths, strict=True):
            self.pdf.cell(width, 7, self.pdf.shown(heading), border=1)
        self.pdf.ln()
        self.pdf.set_font(FAMILY, "", 9)

    def write(self, cells: list[str]) -> None:
        if self.pdf.will_page_break(9):
            self.pdf.add_page()
            self._head()
        for value, width in zip([*cells, ""], self.widths, strict=True):
            self.pdf.cell(width, 9, self.pdf.shown(value)[:48], border=1)
        self.pdf.ln()

    def close(self) -> None:
        from polity.common.pdf import MISSING

        if self.pdf.replaced:
            self.pdf.ln(3)
            self.pdf.cell(0, 6, f"Some letters could not be printed and are shown as {MISSING}.")
        self.pdf.output(str(self.path))


_RISKY = frozenset("=@+-")  # the first characters `_defuse` looks further at


def _defuse(value: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first) is written as text."""
    first, second = value[:1], value[1:2]
    if first in ("=", "@") or (first in ("+", "-") and not (second.isdigit() or second == " ")):
        return "'" + value
    return value


WRITERS: dict[str, type[CsvWriter] | type[XlsxWriter] | type[PdfWriter]] = {
    "csv": CsvWriter,
    "xlsx": XlsxWriter,
    "pdf": PdfWriter,
}
SUFFIX = {"csv": ".csv", "xlsx": ".xlsx", "pdf": ".pdf"}
CONTENT_TYPE = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def write_all(writer: Writer, rows: Iterable[list[str]]) -> None:
    for cells in rows:
        writer.write(cells)
    writer.close()
