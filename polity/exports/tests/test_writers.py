"""The printable sign-in sheet prints every name as it is written (DejaVu Sans), not folded to Latin-1."""

from __future__ import annotations

from pypdf import PdfReader

from polity.common.pdf import MISSING
from polity.exports.writers import PdfWriter, write_all


def _text(path):  # type: ignore[no-untyped-def]
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_sign_in_sheet_prints_names_outside_latin_1(tmp_path):
    path = tmp_path / "sheet.pdf"
    names = ["Łukasz Nowak", "Siobhán Ó Briain", "Zoë Ðorđević", "Анна Кузнецова"]
    write_all(PdfWriter(path, ["Name"], title="Sign-in – Gdańsk branch"), ([n] for n in names))
    text = _text(path)
    assert "Sign-in – Gdańsk branch" in text
    for name in names:
        assert name in text
    assert MISSING not in text and "could not be printed" not in text


def test_a_letter_the_font_lacks_is_marked_and_the_sheet_says_so(tmp_path):
    path = tmp_path / "sheet.pdf"
    write_all(PdfWriter(path, ["Name"], title="Sign-in"), [["李 Wei"]])
    text = _text(path)
    assert f"{MISSING} Wei" in text and "could not be printed" in text
