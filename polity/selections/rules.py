"""The rules a selection service may refuse by, in words. A refusal names its rule (the API answers 409 with it)."""

from __future__ import annotations

from polity.common.errors import DomainError

WORKFLOW = "The selection's timetable"
APPLY = (
    "Applications come from members in good standing of the selecting unit, members for the rulebook's "
    "length to stand, once, before the closing date"
)
NO_STAKE = (
    "Nobody sits on a shortlisting or appeal panel who is an applicant, has a stake in a case with an "
    "applicant, or has a declared relationship with one"
)
PANEL = "Longlists and shortlists are decided by a full shortlisting panel, appeals by an appeal panel"
REASONS = "Every selection decision records written reasons and is sent to every applicant"
CHANGE = (
    "A published shortlist changes only by a recorded decision, with written reasons, of a body the "
    "rulebook empowers to change it"
)
APPEAL = "Appeals are lodged within the appeal window, once, by an applicant the decision left out"
SEPARATE = "An appeal is decided by the body above, by people not involved before"
APPEALS_FIRST = (
    "The shortlist waits until the longlist's appeal window has closed and its appeals are decided"
)

BALLOT = (
    "The member ballot is an election of the selecting unit's members, with the final shortlist as its "
    "ballot paper and a returning officer without a stake"
)
HUSTINGS = "Hustings are a meeting of the selecting body, called with the notice its rules ask"


class SelectionRefused(DomainError):
    """A rule of candidate selection refused the action."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"{rule}: {detail}")
        self.rule = rule
        self.detail = detail
