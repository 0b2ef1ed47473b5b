"""The ``polity count`` command and the text, JSON and SVG renderers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from polity.counting import Election, count
from polity.counting.cli import main
from polity.counting.render_json import render_json
from polity.counting.render_svg import render_svg
from polity.counting.render_text import render_text

DATA = Path(__file__).parent / "data"
MODEL = str(DATA / "ers97_model.blt")


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([MODEL, "--method", "stv-scottish"]) == 0
    out = capsys.readouterr().out
    assert "Quota: 108.00000" in out
    assert "Stage 2: Surplus of Smith (transfer value 0.19402)" in out
    assert out.strip().splitlines()[-1].startswith("Elected: Smith")


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([MODEL, "--method", "stv-ers97", "--format", "json", "--seed", "7"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "stv-ers97"
    assert data["seats"] == 6
    assert data["seed"] == 7
    assert data["quota"] == "107.58"
    assert data["stages"][1]["action"] == "surplus"
    assert data["stages"][1]["subject"] == ["Smith"]
    assert data["stages"][1]["transfer_value"] == "0.21"
    assert data["stages"][1]["totals"]["Smith"] == "107.58"
    assert data["stages"][1]["non_transferable"] == "0.59"
    assert len(data["elected"]) == 6


def test_svg_output_is_well_formed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([MODEL, "--method", "stv-meek", "--format", "svg"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert root.tag.endswith("svg")
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) > 11


def test_seats_override_and_single_winner_methods(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([MODEL, "--method", "av", "--seats", "1"]) == 0
    assert "av, 1 seat(s)" in capsys.readouterr().out
    assert main([MODEL, "--method", "fptp", "--seats", "2"]) == 0
    assert "Elected: Smith, Duke" in capsys.readouterr().out


def test_bad_file_exits_2_with_file_line_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.blt"
    bad.write_text("2 1\n1 1 2 0\n1 3 0\n0\nA\nB\n")
    assert main([str(bad), "--method", "av"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{bad}:3: unknown candidate 3" in captured.err


def test_impossible_count_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([MODEL, "--method", "sv", "--seats", "2"]) == 2
    assert "one seat" in capsys.readouterr().err


def test_csv_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "b.csv"
    path.write_text("Ann,Bob,Cat\n4,Ann\n3,Bob,Cat\n2,Cat,Bob\n")
    assert main([str(path), "--method", "av"]) == 0
    assert "Elected: Bob" in capsys.readouterr().out


def test_renderers_escape_names() -> None:
    election = Election.from_rankings(["<A & B>", '"Q"'], [(2, [0]), (1, [1])])
    result = count(election, "fptp")
    ET.fromstring(render_svg(result))
    assert json.loads(render_json(result))["elected"] == ["<A & B>"]
    assert "<A & B>" in render_text(result)
