"""Who may not run or tell an election: its candidates, their agents, and anyone on the other side of a
case from a candidate (the conflict graph of cases: a complainant against a candidate, say).

Refused like a stake in a case: the refusal names the rule and the stake, never another person's name.
"""

from __future__ import annotations

from django.db.models import Q

from polity.cases.models import Participant, Role
from polity.elections.models import Agent, Candidate, CandidateState, Election
from polity.elections.rules import INDEPENDENT, ElectionRefused

_SIDES = [Role.COMPLAINANT, Role.RESPONDENT]
_LIVE = [CandidateState.NOMINATED, CandidateState.ACCEPTED, CandidateState.VALID]


def stakes(election: Election, person_id: int) -> list[str]:
    """Why `person_id` has a stake in `election` (empty when independent)."""
    found: list[str] = []
    candidates = Candidate.objects.filter(election=election, state__in=_LIVE)
    if candidates.filter(person_id=person_id).exists():
        found.append("is a candidate in this election")
    if Agent.objects.filter(candidate__in=candidates, person_id=person_id).exists():
        found.append("is an agent of a candidate in this election")
    candidate_ids = list(candidates.values_list("person_id", flat=True))
    if candidate_ids:
        their_cases = Participant.objects.filter(person_id__in=candidate_ids, role__in=_SIDES).values(
            "case_id"
        )
        mine = Participant.objects.filter(person_id=person_id, role__in=_SIDES, case_id__in=their_cases)
        if mine.exclude(Q(person_id__in=candidate_ids)).exists():
            found.append("is on one side of a case in which a candidate is on the other")
    return found


def refuse_if_conflicted(election: Election, person_id: int, duty: str) -> None:
    found = stakes(election, person_id)
    if found:
        raise ElectionRefused(INDEPENDENT, f"the proposed {duty} {found[0]}")


def refuse_if_officials_conflicted(election: Election, person_id: int, role: str) -> None:
    """A new candidate or agent may not be the returning officer or a teller of the election."""
    if election.returning_officer_id == person_id:
        raise ElectionRefused(INDEPENDENT, f"the proposed {role} is this election's returning officer")
    if election.tellers.filter(person_id=person_id).exists():
        raise ElectionRefused(INDEPENDENT, f"the proposed {role} is a teller of this election")
