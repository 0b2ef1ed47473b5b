"""The ranked-ballot CSV format."""

from __future__ import annotations

from pathlib import Path

import pytest

from polity.counting import BallotFileError, Election, parse_blt, read_ballot_file, read_csv, write_csv
from polity.counting.ranked_csv import parse_csv


def test_read_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "ballots.csv"
    path.write_text("Ann,Bob,Cat\n3,Bob,Ann\n1,Cat,,\n# comment\n2,Bob,Ann\n")
    election = read_csv(path, seats=1)
    assert election.candidates == ("Ann", "Bob", "Cat")
    assert sorted(election.rankings()) == [(1, (2,)), (5, (1, 0))]
    again = parse_csv(write_csv(election))
    assert sorted(again.rankings()) == sorted(election.rankings())
    assert read_ballot_file(path, seats=1).candidates == election.candidates


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "empty file"),
        ("Ann,Bob\n1,Dan\n", 2, "unknown candidate 'Dan'"),
        ("Ann,Bob\n1,Ann,Ann\n", 2, "repeated candidate 'Ann'"),
        ("Ann,Bob\nx,Ann\n", 2, "bad weight 'x'"),
        ("Ann,Bob\n-2,Ann\n", 2, "bad weight -2"),
        ("Ann,Bob\n", None, "no ballots"),
        ("Ann,Ann\n1,Ann\n", 1, "named twice"),
    ],
)
def test_errors(text: str, line: int | None, message: str) -> None:
    with pytest.raises(BallotFileError) as caught:
        parse_csv(text, source="b.csv")
    assert caught.value.line == line
    assert message in caught.value.message


def test_from_rankings_names() -> None:
    election = Election.from_rankings(["A", "B"], [(2, ["B", "A"]), (1, [0])])
    assert sorted(election.rankings()) == [(1, (0,)), (2, (1, 0))]


def test_names_a_spreadsheet_would_run_are_neutralised_and_read_back(tmp_path: Path) -> None:
    """Candidate names come from people's names: a formula-looking one is written with a leading quote
    (polity.common.spreadsheet), and reading the file gives the name back."""
    path = tmp_path / "ballots.csv"
    path.write_text("=Evil(),+Plus,Ann,-Dash,@At\n3,=Evil(),+Plus\n1,Ann\n2,-Dash,@At\n")
    election = read_csv(path, seats=1)
    text = write_csv(election)
    assert text.splitlines()[0] == "'=Evil(),'+Plus,Ann,'-Dash,'@At"
    assert all(
        not cell.startswith(("=", "+", "-", "@")) for line in text.splitlines() for cell in line.split(",")
    )
    again = parse_csv(text)
    assert again.candidates == election.candidates == ("=Evil()", "+Plus", "Ann", "-Dash", "@At")
    assert sorted(again.rankings()) == sorted(election.rankings())


def test_weights_past_the_arithmetic_are_refused_naming_the_row() -> None:
    with pytest.raises(BallotFileError) as caught:
        parse_csv("Ann,Bob\n600000000,Ann\n1,Bob\n400000000,Bob\n", source="big.csv")
    assert caught.value.line == 4
    assert "weigh 1,000,000,001" in caught.value.message


def test_equal_preferences_cannot_be_written_as_csv() -> None:
    with pytest.raises(BallotFileError, match="equal preferences cannot be written as CSV"):
        write_csv(parse_blt(b"2 1\n1 1=2 0\n0\nA\nB\n"))
