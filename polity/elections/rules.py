"""The rules an election service may refuse by, in words. A refusal names its rule (the API answers 409)."""

from __future__ import annotations

from polity.common.errors import DomainError

FREEZE = "The roll is fixed on the freeze date, published before nominations open and never moved afterwards"
ROLL = "Only members on the roll fixed at the freeze date may vote"
ONE_BALLOT = "Each member on the roll votes at most once"
POLL_OPEN = "Ballots are taken only while the poll is open"
INDEPENDENT = (
    "The returning officer, tellers and scrutineers are independent of the candidates and their agents"
)
RETURNING_OFFICER = "Only the election's named returning officer runs it"
STATES = "The election's timetable and its steps, in order"
NOMINATION = "Candidates are nominated as the rulebook says, accept in writing and are validated with reasons"
SECRECY = "No one sees a ballot with its voter, and no table links a voter to a ballot"
SHORTLIST = "When an election's candidates come from a shortlist, its creator alone puts them on the ballot"
BALLOT = "A ballot marks candidates as the method allows"
SEAL = "The count runs on the ballots sealed at the close"
DOUBLE_ENTRY = "Paper ballots are entered twice by different tellers"


class ElectionRefused(DomainError):
    """An election rule refused the action."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"{rule}: {detail}")
        self.rule = rule
        self.detail = detail
