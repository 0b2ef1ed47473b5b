"""The package as files: a PDF a person can read, and a ZIP a machine can read (package.json, records.csv).

The PDF uses fpdf2 (decision 0024) with DejaVu Sans embedded (the glyphs used only; polity.common.pdf loads
it): Latin in every accent, Greek, Cyrillic, Hebrew, Arabic and more. A letter the font has no glyph for
(Chinese, Japanese, Korean, emoji) is written as the replacement mark U+FFFD and the PDF says so; the archive
keeps every character as it is stored.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from fpdf.enums import XPos, YPos

from polity.common.labels import label
from polity.common.pdf import FAMILY, MISSING, UnicodePdf
from polity.dsr.package import Package, as_text, iter_rows


def package_json(package: Package) -> dict[str, Any]:
    return {
        "reference": package.reference,
        "subject": package.subject_label,
        "generated_at": package.generated_at.isoformat(),
        "holdings": [
            {
                "key": s.holding.key,
                "title": s.holding.title,
                "data": s.holding.data,
                "purposes": list(s.holding.purposes),
                "lawful_basis": label(s.holding.lawful_basis),
                "your_rights_over_it": s.holding.rights_in_words,
                "recipients": s.holding.recipients,
                "retention": s.holding.retention,
                "source": s.holding.source,
                "records": [
                    {
                        "kind": i.kind,
                        "reference": i.ref,
                        "when": as_text(i.at),
                        "fields": dict(i.fields),
                        "withheld": i.withheld,
                    }
                    for i in s.items
                ],
            }
            for s in package.sections
        ],
        "withheld": [
            {
                "number": w.number,
                "holding": w.holding,
                "record": w.ref,
                "kind": w.kind,
                "field": w.field,
                "reason": w.reason_in_full,
            }
            for w in package.withheld
        ],
        "your_rights": package.rights,
    }


def render_archive(package: Package) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("package.json", json.dumps(package_json(package), ensure_ascii=False, indent=1))
        rows = io.StringIO()
        writer = csv.DictWriter(rows, fieldnames=["holding", "record", "reference", "when", "field", "value"])
        writer.writeheader()
        writer.writerows(iter_rows(package))
        archive.writestr("records.csv", rows.getvalue())
        archive.writestr(
            "README.txt",
            f"Your personal data, request {package.reference}.\n\npackage.json: every kind of data we hold, why, on "
            "which basis, who receives it, how long it is kept and where it came from, with the records.\n"
            "records.csv: the same records, one row per field.\nWithheld pieces are numbered; their reasons are "
            'in package.json under "withheld".\n',
        )
    return buffer.getvalue()


class _Pdf(UnicodePdf):
    reference = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 6, f"Request {self.reference} – page {self.page_no()}/{{nb}}", align="C")


def render_pdf(package: Package) -> bytes:
    pdf = _Pdf(format="A4")
    pdf.setup_fonts()
    pdf.reference = package.reference
    pdf.set_title(f"Your personal data – {package.reference}")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def para(text: str, size: float = 10, style: str = "", gap: float = 1.5) -> None:
        pdf.set_font(FAMILY, style=style, size=size)
        pdf.multi_cell(0, size * 0.5, pdf.shown(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    para("The personal data we hold about you", 16, "B", 3)
    para(
        f"For {package.subject_label}. Request {package.reference}, prepared {as_text(package.generated_at)}."
    )
    para(
        "This document lists every kind of personal data we hold about you: what it is, why we hold it, on what "
        "basis, who receives it, how long we keep it and where it came from, followed by the records themselves. "
        "Where something is withheld it is marked [withheld N: ...] and the reason for each is listed at the end."
    )
    for section in package.sections:
        h = section.holding
        pdf.ln(2)
        para(h.title, 13, "B", 1)
        for name, text in (
            ("What", h.data),
            ("Why", "; ".join(h.purposes)),
            ("Lawful basis", label(h.lawful_basis)),
            ("Who receives it", h.recipients),
            ("How long we keep it", h.retention),
            ("Where it came from", h.source),
            ("Your rights over it", h.rights_in_words),
        ):
            para(f"{name}: {text}", 9, gap=0.5)
        para(f"{section.total} record{'s' if section.total != 1 else ''}:", 9, "B", 0.5)
        for item in section.items:
            when = f" – {as_text(item.at)}" if item.at else ""
            fields = "; ".join(f"{name}: {value}" for name, value in item.fields)
            para(f"{item.kind}{when}. {fields}", 8.5, gap=0.8)
    pdf.ln(2)
    para("What was withheld, and why", 13, "B", 1)
    if not package.withheld:
        para("Nothing was withheld.", 9)
    for w in package.withheld:
        para(f"{w.number}. {w.kind}, '{w.field}': {w.reason_in_full}", 9, gap=0.6)
    pdf.ln(2)
    para("Your rights", 13, "B", 1)
    para(package.rights, 9)
    if pdf.replaced:
        para(
            f"Some letters above could not be shown in this document and are written as {MISSING}. The "
            "archive sent with it (package.json, records.csv) has every character as we hold it.",
            9,
        )
    return bytes(pdf.output())
