"""PDFs that print every name as it is written: fpdf2 (decision 0024) with DejaVu Sans embedded (only the
glyphs used), committed beside this module with its licence (polity/common/fonts/): Latin in every accent,
Greek, Cyrillic, Hebrew, Arabic and more. A letter the font has no glyph for (Chinese, Japanese, Korean,
emoji) is written as the replacement mark U+FFFD, and `replaced` says so, for the document to tell its reader.
Used by the subject access package (polity.dsr.render) and the printable sign-in sheet (polity.exports.writers).
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TTFFont

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
MISSING = "\ufffd"


class UnicodePdf(FPDF):
    """An FPDF with DejaVu Sans (regular and bold) loaded as FAMILY, and `shown` to mark missing letters."""

    replaced = False

    def setup_fonts(self) -> None:
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        regular, bold = self.fonts[FAMILY.lower()], self.fonts[FAMILY.lower() + "B"]
        assert isinstance(regular, TTFFont) and isinstance(bold, TTFFont)
        self._covered = set(regular.cmap) & set(bold.cmap)

    def shown(self, text: str) -> str:
        """The text with each letter the font lacks written as U+FFFD (and `replaced` set)."""
        if all(ord(ch) in self._covered or ch in "\n\t" for ch in text):
            return text
        self.replaced = True
        return "".join(ch if ord(ch) in self._covered or ch in "\n\t" else MISSING for ch in text)
