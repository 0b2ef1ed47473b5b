"""The rules a case service may refuse by, in words. A refusal names its rule (the API answers 409 with it)."""

from __future__ import annotations

from polity.common.errors import DomainError

ACKNOWLEDGE = "Every complaint and objection is acknowledged within the rulebook deadline (invariant 1)"
HEARD = "Nobody is sanctioned unheard: notice of the allegations and evidence first, then the reply window (invariant 2)"
NO_STAKE = "Nobody investigates, decides or hears an appeal in a case where they have a stake (invariant 3)"
SEPARATE = "Investigator, decision-makers and appeal panel are different people (invariant 3)"
REASONS = "Every decision records written reasons and is communicated with the appeal route (invariant 4)"
TOLD = "A case is closed only when its parties were told the outcome (invariant 4)"
SUSPENSION = "A suspension carries reasons and a review date (invariant 6)"
OBJECTION = "An objection to membership carries reasons and evidence and is disclosed to the applicant"
PANEL = "Cases are decided by the people and bodies the rulebook empowers to decide them"
WORKFLOW = "The case workflow"
APPEAL = "Appeals are lodged within the appeal window, once, by a party"


class CaseRefused(DomainError):
    """A due-process rule refused the action."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"{rule}: {detail}")
        self.rule = rule
        self.detail = detail
