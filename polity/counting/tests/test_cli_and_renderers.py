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


# --- issue 15: every option reachable from the command line, refusals with an exit status ------------


def test_av_on_a_two_seat_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fix 3: the header's 2 seats are refused as --seats 2 is (it counted one seat and exited 0)."""
    path = tmp_path / "two.blt"
    path.write_text("3 2\n4 1 2 0\n3 2 0\n1 3 0\n0\nA\nB\nC\n")
    for method in ("av", "sv"):
        assert main([str(path), "--method", method]) == 2
        err = capsys.readouterr().err
        assert "fill one seat; the ballot file asks for 2" in err
    assert main([str(path), "--method", "av", "--seats", "1"]) == 0
    assert "Elected: A" in capsys.readouterr().out


def test_no_valid_vote_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fix 5: nothing to count is reported, never a winner drawn by lot."""
    path = tmp_path / "empty.blt"
    path.write_text('3 1\n5 0\n0\n"A"\n"B"\n"C"\n')
    for method in ("fptp", "av", "sv", "stv-scottish", "stv-ers97", "stv-meek"):
        assert main([str(path), "--method", method]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "no valid vote" in captured.err


def test_weight_overflow_exits_2_naming_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fix 9: the weight that overflowed 64 bits (and elected a candidate with no votes) is refused."""
    path = tmp_path / "big.blt"
    path.write_text("2 1\n92233720368548 1 0\n1 2 0\n0\nA\nB\n")
    assert main([str(path), "--method", "stv-scottish"]) == 2
    assert f"{path}:2: bad weight 92,233,720,368,548" in capsys.readouterr().err
    path.write_text("2 1\n9223372037 1 0\n1 2 0\n0\nA\nB\n")  # the Meek overflow of the issue
    assert main([str(path), "--method", "stv-meek"]) == 2
    assert f"{path}:2: bad weight" in capsys.readouterr().err


def test_equal_preferences_refused_by_rule_name_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "eq.blt"
    path.write_text("3 1\n4 1 0\n3 2=3 0\n0\nA\nB\nC\n")
    assert main([str(path), "--method", "stv-scottish"]) == 2
    assert "equal preferences (e.g. 1=2) are not defined by the Scottish STV rules" in capsys.readouterr().err
    assert main([str(path), "--method", "stv-meek"]) == 0
    assert "B                 1.500000000" in capsys.readouterr().out


RESERVED = """5 3
30 1 2 0
28 2 1 0
25 3 1 0
9 4 5 0
8 5 4 0
0
"Ann" "Bob" "Cat" "Dev" "Eli"
"A reserved seat"
"""


def test_reserved_seat_and_group_minimum_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fix 8: --reserve and --at-least reach the count and are written in the result."""
    path = tmp_path / "r.blt"
    path.write_text(RESERVED)
    assert main([str(path), "--method", "stv-scottish"]) == 0
    assert "Elected: Ann, Bob, Cat" in capsys.readouterr().out
    assert main([str(path), "--method", "stv-scottish", "--reserve", "BAME:4,Eli", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["constraints"] == [{"label": "BAME", "minimum": 1, "members": ["Dev", "Eli"]}]
    assert len(data["elected"]) == 3 and {"Dev", "Eli"} & set(data["elected"])
    assert main([str(path), "--method", "stv-ers97", "--at-least", "women:2:Dev,5,Cat"]) == 0
    out = capsys.readouterr().out
    assert "At least 2 of women: Cat, Dev, Eli" in out
    elected = out.strip().splitlines()[-1].removeprefix("Elected: ").split(", ")
    assert len({"Cat", "Dev", "Eli"} & set(elected)) >= 2


def test_constraints_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.blt"
    path.write_text(RESERVED)
    rules = tmp_path / "groups.toml"
    rules.write_text('[[group]]\nlabel = "BAME"\nminimum = 1\nmembers = [4, "Eli"]\n')
    assert main([str(path), "--method", "stv-meek", "--constraints", str(rules), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["constraints"] == [{"label": "BAME", "minimum": 1, "members": ["Dev", "Eli"]}]
    assert {"Dev", "Eli"} & set(data["elected"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--reserve", "BAME"], "write GROUP:CANDIDATES"),
        (["--reserve", "BAME:9"], "there is no candidate 9"),
        (["--at-least", "women:x:1,2"], "write GROUP:N:CANDIDATES"),
        (["--at-least", "women:3:1,2"], "asks for more seats than can be filled"),
        (["--reserve", "a:1", "--reserve", "a:2"], "a group is named twice"),
        (["--reserve", "a:Zed"], "no candidate is called 'Zed'"),
        (["--ties", "permutation"], "needs --tie-order, or a [tie ...] line"),
        (["--ties", "lot", "--tie-order", "1,2,3,4,5"], "--tie-order goes with --ties permutation"),
        (["--tie-order", "1,2"], "the tie-break permutation leaves out: Cat, Dev, Eli"),
    ],
)
def test_bad_options_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    path = tmp_path / "r.blt"
    path.write_text(RESERVED)
    assert main([str(path), "--method", "stv-scottish", *options]) == 2
    assert message in capsys.readouterr().err


def test_bad_constraints_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.blt"
    path.write_text(RESERVED)
    rules = tmp_path / "groups.toml"
    for text, message in [
        ("[[group]]\nlabel = 'x'\nminimum = 0\nmembers = [1]\n", "minimum must be a whole number"),
        ("[[group]]\nlabel = 'x'\nmembers = [1]\n", "give exactly label, minimum and members"),
        ("[other]\n", "expected only [[group]] tables"),
        ("[[group]\n", "constraints file"),
    ]:
        rules.write_text(text)
        assert main([str(path), "--method", "stv-scottish", "--constraints", str(rules)]) == 2
        assert message in capsys.readouterr().err


TIED = """3 1
2 1 0
2 2 0
1 3 0
0
"Ann" "Bob" "Cat"
"Ann and Bob tie"
"""


def test_tie_break_modes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fix 8: candidate order and a published permutation instead of the lot; the default stays."""
    path = tmp_path / "t.blt"
    path.write_text(TIED)
    # Cat is excluded; her ballot exhausts; Ann and Bob stay equal at every stage: the lot decides
    assert main([str(path), "--method", "av", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tie_break"] == "lot" and "decided by lot (seed 0)" in data["lots"][0]
    assert main([str(path), "--method", "av", "--ties", "candidate-order", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tie_break"] == "candidate-order"
    assert data["elected"] == ["Ann"]  # Bob, later on the paper, is excluded
    assert main([str(path), "--method", "av", "--tie-order", "Bob,Cat,Ann", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tie_break"] == "permutation: Bob, Cat, Ann"
    assert data["elected"] == ["Bob"]
    assert "decided by permutation: Bob, Cat, Ann" in data["lots"][0]


def test_tie_order_from_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.blt"
    path.write_text(TIED.replace("3 1\n", "3 1\n[tie 2 3 1]\n", 1))
    assert main([str(path), "--method", "stv-scottish", "--ties", "permutation"]) == 0
    out = capsys.readouterr().out
    assert "Ties after the rule's look-back: permutation: Bob, Cat, Ann" in out
    assert out.strip().splitlines()[-2] == "Elected: Bob"


def test_json_stage_quota(capsys: pytest.CaptureFixture[str]) -> None:
    """Fix 6: every stage carries the quota in force."""
    assert main([MODEL, "--method", "stv-ers97", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {s["quota"] for s in data["stages"]} == {"107.58"}
