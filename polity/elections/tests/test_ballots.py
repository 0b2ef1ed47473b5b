"""Reading a filled-in ballot: numbers must run 1, 2, 3 without repeats or gaps; errors say what to fix."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from polity.elections.ballots import decode, encode, read_crosses, read_numbers

NAMES = {1: "Ann Bell", 2: "Cy Dee", 3: "Eve Fox", 4: "Gil Ho"}


def test_numbers_in_order_make_a_ranking():
    marks = read_numbers({1: "2", 2: "", 3: "1", 4: " 3 "}, NAMES)
    assert marks.ok and marks.ranking == [3, 1, 4]


def test_a_repeated_number_names_both_candidates():
    marks = read_numbers({1: "1", 2: "1", 3: "2"}, NAMES)
    assert not marks.ok
    assert "You gave the number 1 to more than one candidate (Ann Bell and Cy Dee)." in marks.errors
    assert set(marks.by_candidate) == {1, 2}


def test_a_skipped_number_is_named():
    marks = read_numbers({1: "1", 2: "3", 3: "5"}, NAMES)
    assert marks.errors == ["Your numbers skip 2 and 4: number your choices 1, 2, 3 and so on without a gap."]


def test_no_first_choice_is_a_skip_too():
    assert "skip 1" in read_numbers({1: "2"}, NAMES).errors[0]


def test_words_and_zero_are_not_numbers():
    marks = read_numbers({1: "first", 2: "0"}, NAMES)
    assert len(marks.errors) == 2 and marks.by_candidate[1].startswith("write a whole number")


def test_an_empty_ballot_says_so():
    assert read_numbers({1: "", 2: " "}, NAMES).errors == [
        "Your ballot is empty: write 1 beside your first choice."
    ]


def test_supplementary_vote_takes_two_preferences():
    marks = read_numbers({1: "1", 2: "2", 3: "3"}, NAMES, max_preferences=2)
    assert marks.errors == ["This ballot takes at most 2 preferences (1 and 2)."]


def test_crosses_for_first_past_the_post():
    assert read_crosses([2], NAMES, seats=1).ranking == [2]
    assert read_crosses([1, 2], NAMES, seats=1).errors == ["Choose one candidate only."]
    assert read_crosses([], NAMES, seats=1).errors == ["Your ballot is empty: choose a candidate."]
    assert read_crosses([1, 2, 3], NAMES, seats=2).errors == [
        "You chose 3 candidates; this ballot takes at most 2."
    ]
    assert read_crosses([9], NAMES, seats=1).errors


@given(st.permutations([1, 2, 3, 4]), st.integers(min_value=1, max_value=4))
def test_any_valid_numbering_reads_back_as_its_ranking(order, length):
    ranking = list(order)[:length]
    numbers = {p: str(ranking.index(p) + 1) if p in ranking else "" for p in NAMES}
    marks = read_numbers(numbers, NAMES)
    assert marks.ok and marks.ranking == ranking
    assert decode(encode(ranking)) == ranking
