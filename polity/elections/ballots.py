"""Reading a ballot as a voter filled it in: numbers against candidates (ranked methods) or crosses
(first past the post), with errors a person can act on. No Django: the web form, the API and the tellers'
entry all read marks through here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Marks:
    """The outcome of reading a ballot: the ballot positions in order of preference, or the errors."""

    ranking: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_candidate: dict[int, str] = field(default_factory=dict)  # position -> error beside that candidate

    @property
    def ok(self) -> bool:
        return not self.errors


def read_numbers(
    numbers: Mapping[int, str], names: Mapping[int, str], *, max_preferences: int | None = None
) -> Marks:
    """Numbers typed against candidates (position -> text; blank = no preference) -> a ranking.

    The numbers must run 1, 2, 3... without a gap or a repeat; a voter may stop at any point.
    """
    marks = Marks()
    given: dict[int, list[int]] = {}
    for position, text in numbers.items():
        text = (text or "").strip()
        if not text:
            continue
        if not text.isdigit() or int(text) < 1:
            marks.by_candidate[position] = "write a whole number (1 for your first choice), or leave it blank"
            marks.errors.append(f"{names[position]}: “{text}” is not a preference number")
            continue
        given.setdefault(int(text), []).append(position)
    if marks.errors:
        return marks
    if not given:
        marks.errors.append("Your ballot is empty: write 1 beside your first choice.")
        return marks
    for number, positions in sorted(given.items()):
        if len(positions) > 1:
            who = " and ".join(names[p] for p in positions)
            marks.errors.append(f"You gave the number {number} to more than one candidate ({who}).")
            for p in positions:
                marks.by_candidate[p] = f"{number} is given to more than one candidate"
    highest = max(given)
    missing = [n for n in range(1, highest + 1) if n not in given]
    if missing:
        marks.errors.append(
            f"Your numbers skip {_list(missing)}: number your choices 1, 2, 3 and so on without a gap."
        )
    if max_preferences is not None and highest > max_preferences:
        marks.errors.append(f"This ballot takes at most {max_preferences} preferences (1 and 2).")
    if marks.errors:
        return marks
    marks.ranking = [given[n][0] for n in sorted(given)]
    return marks


def read_crosses(chosen: Sequence[int], names: Mapping[int, str], *, seats: int) -> Marks:
    """Candidates marked with a cross (first past the post): at least one, at most one per seat."""
    marks = Marks()
    unique = sorted(set(chosen))
    unknown = [p for p in unique if p not in names]
    if unknown:
        marks.errors.append("Your ballot marks a candidate who is not on the ballot paper.")
    elif not unique:
        marks.errors.append(
            "Your ballot is empty: choose a candidate." if seats == 1 else "Your ballot is empty."
        )
    elif len(unique) > seats:
        marks.errors.append(
            f"You chose {len(unique)} candidates; this ballot takes at most {seats}."
            if seats > 1
            else "Choose one candidate only."
        )
    else:
        marks.ranking = unique
    return marks


def encode(ranking: Sequence[int]) -> str:
    return " ".join(str(p) for p in ranking)


def decode(text: str) -> list[int]:
    return [int(x) for x in text.split()]


def _list(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
