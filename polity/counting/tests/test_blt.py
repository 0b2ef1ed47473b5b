"""Reading and writing BLT files: dialects, round trips and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polity.counting import BallotFileError, Election, parse_blt, read_blt, write_blt


def ballots_of(election: Election) -> dict[tuple[int, ...], int]:
    out: dict[tuple[int, ...], int] = {}
    for weight, ranking in election.rankings():
        out[ranking] = out.get(ranking, 0) + weight
    return out


def test_unquoted_names_and_title_without_trailing_newline() -> None:
    election = parse_blt(b"3 2\n2 1 2 0\n1 3 0\n2 1 2 0\n0\nAnn Bell (Lab)\nBob Cole\nCat Dunn\nWard 7")
    assert election.candidates == ("Ann Bell (Lab)", "Bob Cole", "Cat Dunn")
    assert election.title == "Ward 7"
    assert election.seats == 2
    assert ballots_of(election) == {(0, 1): 4, (2,): 1}


def test_quoted_names_withdrawn_comments_crlf_and_ballot_ids() -> None:
    text = (
        b"# a comment\r\n3 1\r\n-2\r\n(a) 3 1 2 3 0\r\n(b) 1 2 0  # another\r\n0\r\n"
        b'"Ann \\"Annie\\" Bell" "Bob"\r\n"Cat"\r\n"The title"\r\n'
    )
    election = parse_blt(text)
    assert election.candidates == ('Ann "Annie" Bell', "Bob", "Cat")
    assert election.withdrawn == frozenset({1})
    assert election.title == "The title"
    assert ballots_of(election) == {(0, 1, 2): 3, (1,): 1}


def test_no_title() -> None:
    election = parse_blt(b'2 1\n1 1 0\n0\n"A"\n"B"\n')
    assert election.title == ""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (b"", None, "empty file"),
        (b"# only a comment\n", None, "empty file"),
        (b"3\n", 1, "first line must give"),
        (b"3 4\n0\nA\nB\nC\n", 1, "wrong counts"),
        (b"3 1\n1 1 4 0\n0\nA\nB\nC\n", 2, "unknown candidate 4"),
        (b"3 1\n1 1 2 0\n1 2 2 0\n0\nA\nB\nC\n", 3, "repeated candidate 2"),
        (b"3 1\n1 1 0\nx 1 0\n0\nA\nB\nC\n", 3, "bad weight 'x'"),
        (b"3 1\n1 1 0\n-1 2 0\n0\nA\nB\nC\n", 3, "bad weight"),
        (b"3 1\n1 1 0\n1.5 2 0\n0\nA\nB\nC\n", 3, "bad weight '1.5'"),
        (b"3 1\n1 1 2\n0\nA\nB\nC\n", 2, "must end with 0"),
        (b"3 1\n1 1 0\n0\nA\nB\n", None, "3 candidates declared, 2 names given"),
        (b"3 1\n1 1 0\n0\nA\nB\nC\nT\nextra\n", 8, "unexpected text"),
        (b"3 1\n1 1 0\n", None, "no '0' line"),
        (b"3 1\n-4\n1 1 0\n0\nA\nB\nC\n", 2, "withdrawn candidate 4"),
        (b"3 1\n0\nA\nB\nC\n", 2, "no ballots"),
    ],
)
def test_errors_name_line_and_fault(text: bytes, line: int | None, message: str) -> None:
    with pytest.raises(BallotFileError) as caught:
        parse_blt(text, source="ward.blt")
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith("ward.blt:" if line is not None else "ward.blt: ")


def test_error_message_has_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.blt"
    path.write_bytes(b"2 1\n1 1 0\n1 1 3 0\n0\nA\nB\n")
    with pytest.raises(BallotFileError, match=r"bad\.blt:3: unknown candidate 3"):
        read_blt(path)


def test_missing_file() -> None:
    with pytest.raises(BallotFileError, match="cannot read file"):
        read_blt("/nonexistent/ward.blt")


def test_weights_merge_identical_rankings_and_spacing_variants() -> None:
    election = parse_blt(b"2 1\n2 1 2 0\n3 1 2 0\n1  1   2 0\n0 2 0\n0\nA\nB\n")
    assert ballots_of(election) == {(0, 1): 6}


rankings = st.lists(st.integers(0, 5), unique=True, max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    ballots=st.lists(st.tuples(st.integers(1, 50), rankings), min_size=1, max_size=30),
    withdrawn=st.sets(st.integers(0, 5), max_size=2),
    title=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
)
def test_round_trip(ballots: list[tuple[int, list[int]]], withdrawn: set[int], title: str) -> None:
    names = [f"Cand {i}" for i in range(6)]
    election = Election.from_rankings(names, ballots, seats=2, withdrawn=withdrawn, title=title.strip())
    if election.ballot_count == 0:
        return
    again = parse_blt(write_blt(election).encode())
    assert again.candidates == election.candidates
    assert again.withdrawn == election.withdrawn
    assert again.title == election.title
    assert ballots_of(again) == ballots_of(election)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), rankings, st.booleans()), min_size=1, max_size=25))
def test_fast_and_careful_paths_agree(lines: list[tuple[int, list[int], bool]]) -> None:
    """Odd spacing sends a file down the line-by-line path; the ballots must come out the same."""
    plain = [f"{w} {' '.join(str(c + 1) for c in r)} 0".replace("  ", " ") for w, r, _ in lines]
    spaced = [
        ("  " if odd else "") + line.replace(" ", "  " if odd else " ")
        for line, (_, _, odd) in zip(plain, lines, strict=True)
    ]
    head = "6 1\n"
    tail = "0\n" + "\n".join(f"C{i}" for i in range(6)) + "\n"
    if sum(w for w, _, _ in lines) == 0:
        return
    fast = parse_blt((head + "\n".join(plain) + "\n" + tail).encode())
    careful = parse_blt((head + "\n".join(spaced) + "\n" + tail).encode())
    assert ballots_of(fast) == ballots_of(careful)


def test_dialects_seen_in_the_scottish_files() -> None:
    """Doubled quotes, a party field after the name, names only in comments, trailing commas."""
    doubled = parse_blt(b'2 1\n1 1 0\n0\n"Lab ""Ann BELL"" "\n"SNP ""Bob COLE"""\nWard 1')
    assert doubled.candidates == ('Lab "Ann BELL"', 'SNP "Bob COLE"')
    party = parse_blt(b'2 1\n1 1 0\n0\n"Ann BELL" "Labour"\n"Bob COLE" "SNP"\n"Ward 2"\n')
    assert party.candidates == ("Ann BELL (Labour)", "Bob COLE (SNP)")
    assert party.title == "Ward 2"
    comments = parse_blt(
        b"2 1\n1 1 0\n0\n# ALTERNATIVE NAME 1: Ann Bell (Lab)\n# ALTERNATIVE NAME 2: Bob Cole\nPartick"
    )
    assert comments.candidates == ("Ann Bell (Lab)", "Bob Cole")
    assert comments.title == "Partick"
    commas = parse_blt(b"2 1,\n3 2 1 0,\n0,\nAnn,\nBob,\nWard 9,")
    assert commas.candidates == ("Ann", "Bob")
    assert ballots_of(commas) == {(1, 0): 3}


# --- droop's and OpenSTV's dialect, byte-order marks and weights past the arithmetic (issue 15) -----


def test_utf8_byte_order_mark_is_accepted() -> None:
    election = parse_blt(b'\xef\xbb\xbf2 1\n3 1 0\n1 2 0\n0\n"C\xc3\xa5stor"\n"Pollux"\n')
    assert election.candidates == ("Cåstor", "Pollux")
    assert ballots_of(election) == {(0,): 3, (1,): 1}


def test_droop_nick_withdrawn_and_tie_lines_are_read() -> None:
    text = (
        b"4 2\n[nick a b c d]\n[withdrawn d]\n[tie c a b d]\n"
        b'3 a b 0\n2 c 0\n(x7) 1 b=c a 0\n0\n"Ann"\n"Bob"\n"Cat"\n"Dan"\n"T"\n'
    )
    election = parse_blt(text)
    assert election.withdrawn == frozenset({3})
    assert election.tie_order == (2, 0, 1, 3)
    assert ballots_of(election) == {(0, 1): 3, (2,): 2}
    assert election.equal_ballots == ((1, ((1, 2), (0,))),)
    assert election.ballot_count == 6


def test_withdrawn_by_number_in_brackets_and_minus_line_together() -> None:
    election = parse_blt(b"3 1\n-1\n[withdrawn 2]\n1 3 0\n0\nA\nB\nC\n")
    assert election.withdrawn == frozenset({0, 1})


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (b"2 1\n[droop meek precision=12]\n1 1 0\n0\nA\nB\n", 2, "droop options line '[droop meek"),
        (b"2 1\n[elected 1]\n1 1 0\n0\nA\nB\n", 2, "unknown option line [elected]"),
        (b"2 1\n[tie 1 2\n1 1 0\n0\nA\nB\n", 2, "unterminated option line"),
        (b"2 1\n[nick a]\n1 a 0\n0\nA\nB\n", 2, "[nick] must give 2 different nicknames"),
        (b"2 1\n[tie 1]\n1 1 0\n0\nA\nB\n", 2, "[tie] must list each of the 2 candidates once"),
        (b"2 1\n[withdrawn z]\n1 1 0\n0\nA\nB\n", 2, "[withdrawn]: 'z' is not a candidate"),
        (b"2 1\n1 1 0\n[tie 2 1]\n0\nA\nB\n", 3, "option line [tie...] must come before the ballots"),
        (b"2 1\n1 1=3 0\n0\nA\nB\n", 2, "unknown candidate 3"),
        (b"2 1\n1 1=1 0\n0\nA\nB\n", 2, "repeated candidate 1"),
    ],
)
def test_dialect_errors_name_the_line(text: bytes, line: int, message: str) -> None:
    with pytest.raises(BallotFileError) as caught:
        parse_blt(text, source="x.blt")
    assert caught.value.line == line
    assert message in caught.value.message


def test_a_weight_past_the_arithmetic_is_refused_naming_the_line() -> None:
    """92,233,720,368,548 ballots times 10**5 (Scottish units) overflowed 64 bits and elected a
    candidate with no votes; the reader now refuses it on its line."""
    with pytest.raises(BallotFileError) as caught:
        parse_blt(b"2 1\n1 1 0\n92233720368548 2 0\n0\nA\nB\n", source="big.blt")
    assert caught.value.line == 3
    assert "more than the 900,000,000" in caught.value.message


def test_weights_summing_past_the_arithmetic_are_refused_naming_the_line() -> None:
    text = b"2 1\n500000000 1 0\n1 2 0\n500000000 2 0\n0\nA\nB\n"
    with pytest.raises(BallotFileError) as caught:
        parse_blt(text, source="big.blt")
    assert caught.value.line == 4
    assert "weigh 1,000,000,001" in caught.value.message


def test_weights_up_to_the_limit_are_counted_exactly() -> None:
    from decimal import Decimal

    from polity.counting import count

    election = parse_blt(b"3 1\n449999998 1 0\n449999999 2 0\n3 3 2 0\n0\nA\nB\nC\n")
    assert election.ballot_count == 900_000_000
    for method in ("stv-scottish", "stv-ers97", "stv-meek", "av"):
        result = count(election, method)
        assert result.elected == ("B",), method
        assert Decimal(result.stages[-1].totals["B"]) == 450_000_002, method


def test_write_blt_keeps_equal_preferences_and_the_tie_order() -> None:
    text = b"3 1\n[tie 3 1 2]\n2 1 0\n1 2=3 1 0\n0\nA\nB\nC\nT\n"
    election = parse_blt(text)
    again = parse_blt(write_blt(election).encode())
    assert again.equal_ballots == election.equal_ballots == ((1, ((1, 2), (0,))),)
    assert again.tie_order == (2, 0, 1)
    assert ballots_of(again) == {(0,): 2}
