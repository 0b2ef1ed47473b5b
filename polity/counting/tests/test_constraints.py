"""The group-minimum rule on a small worked case."""

from __future__ import annotations

import pytest

from polity.counting import CountError, Election, GroupMinimum, count

# Two seats. Without a constraint the two men win; with "at least one woman", the woman strongest
# under the method takes the second seat: Wendy under STV; Xena under the block vote, where every
# ballot also counts for its second choice (Xena 25 votes, Wendy 15).
NAMES = ["Adam", "Bill", "Wendy", "Xena"]
BALLOTS = [(40, ["Adam", "Bill"]), (35, ["Bill", "Adam"]), (15, ["Wendy", "Xena"]), (10, ["Xena", "Adam"])]
WOMEN = GroupMinimum("women", frozenset({"Wendy", "Xena"}), 1)


@pytest.mark.parametrize(
    ("method", "woman"),
    [("stv-scottish", "Wendy"), ("stv-ers97", "Wendy"), ("stv-meek", "Wendy"), ("fptp", "Xena")],
)
def test_minimum_changes_the_outcome_as_documented(method: str, woman: str) -> None:
    election = Election.from_rankings(NAMES, BALLOTS, seats=2)
    assert set(count(election, method).elected) == {"Adam", "Bill"}
    result = count(election, method, constraints=[WOMEN])
    assert set(result.elected) == {"Adam", woman}
    assert len(result.elected) == 2


def test_non_members_are_excluded_first_when_the_group_needs_every_seat_left() -> None:
    election = Election.from_rankings(NAMES, BALLOTS, seats=2)
    result = count(election, "stv-scottish", constraints=[WOMEN])
    # Adam is elected on first preferences; one seat is left and the group still needs one, so Bill
    # is doomed and excluded before any woman.
    assert result.stages[0].elected == ("Adam",)
    excluded = [c for stage in result.stages for c in stage.excluded]
    assert excluded[0] == "Bill"
    assert any("group minimum" in note for stage in result.stages for note in stage.notes)


def test_unsatisfiable_or_unknown_constraints_are_refused() -> None:
    election = Election.from_rankings(NAMES, BALLOTS, seats=2)
    with pytest.raises(CountError, match="more seats than can be filled"):
        count(election, "stv-scottish", constraints=[GroupMinimum("w", frozenset({"Wendy"}), 2)])
    with pytest.raises(CountError, match="unknown candidates"):
        count(election, "stv-scottish", constraints=[GroupMinimum("w", frozenset({"Zoe"}), 1)])
    with pytest.raises(CountError, match="more than one seat"):
        count(election, "av", seats=1, constraints=[WOMEN])
