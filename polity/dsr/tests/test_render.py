"""The package's PDF shows every name as it is written (DejaVu Sans embedded), not only Latin-1; a letter the
font lacks is marked and the PDF says so, while the archive keeps every character."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from conftest import make_person
from polity.common.actor import Actor
from polity.dsr.render import MISSING, render_archive, render_pdf
from polity.dsr.selectors import package_for_person


def _text(pdf: bytes) -> str:
    """The PDF's text, its spacing and line breaks made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Łukasz", "Nowak"),
        ("Siobhán", "Ó Briain"),
        ("Zoë", "Ðorđević"),
        ("Αλέξανδρος", "Παπαδόπουλος"),
        ("Анна", "Кузнецова"),
        ("Şükrü", "Çelik"),
    ],  # fmt: skip
)
def test_names_outside_latin_1_are_written_as_they_are(org, given, family):
    person = make_person(org.units["north_a_1"], given, family)
    pdf = render_pdf(package_for_person(actor=Actor.system("test"), person_id=person.pk))
    text = _text(pdf)
    assert f"{given} {family}" in text
    assert "“" not in text or "”" in text  # typographic marks are kept, not flattened
    assert MISSING not in text and "could not be shown" not in text
    assert "Your rights over it: You may see it" in text  # per holding, from its lawful basis
    assert PdfReader(io.BytesIO(pdf)).metadata.title.startswith("Your personal data")


def test_letters_the_font_lacks_are_marked_and_the_archive_keeps_them(org):
    person = make_person(org.units["north_a_1"], "李", "Wei")
    package = package_for_person(actor=Actor.system("test"), person_id=person.pk)
    text = _text(render_pdf(package))
    assert f"{MISSING} Wei" in text and "李" not in text
    assert "could not be shown in this document" in text
    with zipfile.ZipFile(io.BytesIO(render_archive(package))) as archive:
        assert json.loads(archive.read("package.json"))["subject"].startswith("李 Wei")
