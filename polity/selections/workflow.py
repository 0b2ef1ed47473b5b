"""The selection's states and which action each allows (checked first in every service)."""

from __future__ import annotations

from polity.selections.models import Selection, State
from polity.selections.rules import WORKFLOW, SelectionRefused

_BEFORE_SHORTLIST = frozenset({State.OPEN, State.CLOSED, State.LONGLISTED})

ALLOWED: dict[str, frozenset[str]] = {
    "apply": frozenset({State.OPEN}),
    "withdraw": frozenset({State.OPEN, State.CLOSED, State.LONGLISTED, State.SHORTLISTED}),
    "close": frozenset({State.OPEN}),
    "appoint_panel": _BEFORE_SHORTLIST,
    "remove_panel": _BEFORE_SHORTLIST,
    "relationship": frozenset(State.values) - {State.SELECTED},
    "longlist": frozenset({State.CLOSED}),
    "shortlist": frozenset({State.LONGLISTED}),
    "change": frozenset({State.SHORTLISTED}),
    "appeal": frozenset({State.LONGLISTED, State.SHORTLISTED}),
    "appeal_panel": frozenset({State.LONGLISTED, State.SHORTLISTED}),
    "appeal_decide": frozenset({State.LONGLISTED, State.SHORTLISTED}),
    "hustings": frozenset({State.SHORTLISTED, State.BALLOT}),
    "ballot": frozenset({State.SHORTLISTED}),
    "declare": frozenset({State.BALLOT}),
}

WORDS = {
    "apply": "take applications",
    "withdraw": "take withdrawals",
    "close": "close applications",
    "appoint_panel": "change its shortlisting panel",
    "remove_panel": "change its shortlisting panel",
    "relationship": "take declarations",
    "longlist": "take a longlist",
    "shortlist": "take a shortlist",
    "change": "take a change to its shortlist",
    "appeal": "take appeals",
    "appeal_panel": "take an appeal panel",
    "appeal_decide": "take an appeal decision",
    "hustings": "call hustings",
    "ballot": "call its member ballot",
    "declare": "declare the ballot's result",
}


def require_state(selection: Selection, action: str) -> None:
    if selection.state not in ALLOWED[action]:
        raise SelectionRefused(
            WORKFLOW,
            f"selection {selection.reference} is at '{selection.get_state_display()}': "
            f"it does not {WORDS[action]} now",
        )
