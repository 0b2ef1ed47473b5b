"""The case workflow as an explicit transition table. Services check it; pages and the API list from it.

Each action names the states it may be taken in, the state it leads to (None: the state does not
change), and who may take it:
  team         the case team (Perm.CASES_HANDLE over the case's unit), never a party to the case
  investigator the assigned investigator (or the team)
  panel        a member of the decision panel (Perm.CASES_DECIDE), not conflicted
  appeal_panel a member of the appeal panel (Perm.CASES_DECIDE), not involved before
  respondent   a respondent to the case
  party        a complainant or respondent

Parties add evidence and statements and write to the case team in every state but closed; a closed case
takes nothing more (`gate.require_action` says so in words).
"""

from __future__ import annotations

from dataclasses import dataclass

from polity.cases.models import CaseState as S


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None
    who: str


_OPEN = frozenset(
    {
        S.ACKNOWLEDGED,
        S.TRIAGED,
        S.INVESTIGATION,
        S.NOTICE_SENT,
        S.HEARING,
        S.DECIDED,
        S.COMMUNICATED,
        S.APPEAL,
        S.APPEAL_DECIDED,
    }
)
_NOT_CLOSED = _OPEN | {S.RECEIVED}
_BEFORE_DECISION = frozenset(
    {S.RECEIVED, S.ACKNOWLEDGED, S.TRIAGED, S.INVESTIGATION, S.NOTICE_SENT, S.HEARING}
)

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("acknowledge", "Acknowledge receipt", frozenset({S.RECEIVED}), S.ACKNOWLEDGED, "team"),
        Action("triage", "Triage with reasons", frozenset({S.ACKNOWLEDGED}), S.TRIAGED, "team"),
        Action(
            "dismiss",
            "Dismiss at triage with reasons",
            frozenset({S.ACKNOWLEDGED, S.TRIAGED}),
            S.DECIDED,
            "team",
        ),
        Action("add_party", "Add a complainant, respondent or witness", _BEFORE_DECISION, None, "team"),
        Action("link", "Link another case", _OPEN | {S.RECEIVED}, None, "team"),
        Action(
            "assign_investigator", "Assign the investigator", frozenset({S.TRIAGED}), S.INVESTIGATION, "team"
        ),
        Action("add_evidence", "Add evidence", _BEFORE_DECISION, None, "investigator"),
        Action(
            "send_notice",
            "Send the allegations and evidence to the respondent",
            frozenset({S.TRIAGED, S.INVESTIGATION, S.NOTICE_SENT}),
            S.NOTICE_SENT,
            "team",
        ),
        Action(
            "reply", "Reply to the allegations", frozenset({S.NOTICE_SENT, S.HEARING}), None, "respondent"
        ),
        Action(
            "schedule_hearing", "Arrange a hearing with notice", frozenset({S.NOTICE_SENT}), S.HEARING, "team"
        ),
        Action(
            "assign_panel",
            "Appoint the decision panel",
            frozenset({S.TRIAGED, S.INVESTIGATION, S.NOTICE_SENT, S.HEARING}),
            None,
            "team",
        ),
        Action("decide", "Decide with reasons", frozenset({S.NOTICE_SENT, S.HEARING}), S.DECIDED, "panel"),
        Action(
            "communicate",
            "Send the decision with the appeal route",
            frozenset({S.DECIDED, S.APPEAL_DECIDED}),
            S.COMMUNICATED,
            "team",
        ),
        Action("appeal", "Appeal against the decision", frozenset({S.COMMUNICATED}), S.APPEAL, "party"),
        Action("assign_appeal_panel", "Appoint the appeal panel", frozenset({S.APPEAL}), None, "team"),
        Action(
            "decide_appeal",
            "Decide the appeal with reasons",
            frozenset({S.APPEAL}),
            S.APPEAL_DECIDED,
            "appeal_panel",
        ),
        Action(
            "suspend",
            "Suspend the respondent pending the case (reasons, review date)",
            frozenset({S.TRIAGED, S.INVESTIGATION, S.NOTICE_SENT, S.HEARING}),
            None,
            "team",
        ),
        Action("review_suspension", "Review a suspension", _OPEN, None, "team"),
        Action("record_delivery", "Record a notice delivered by hand or post", _OPEN, None, "team"),
        Action("close", "Close the case", frozenset({S.COMMUNICATED}), S.CLOSED, "team"),
        # The parties in their own case, and the team's correspondence with them.
        Action("supply_evidence", "Add evidence of your own", _NOT_CLOSED, None, "party"),
        Action("add_statement", "Add a written statement", _NOT_CLOSED, None, "party"),
        Action("message_team", "Write to the case team", _NOT_CLOSED, None, "party"),
        Action("acknowledge_message", "Acknowledge a party's message", _NOT_CLOSED, None, "team"),
        Action("message_party", "Write to a party", _NOT_CLOSED, None, "team"),
    )
}


def allowed_in(state: str) -> list[Action]:
    """The actions the table allows in `state` (before asking who the actor is)."""
    return [a for a in ACTIONS.values() if state in a.sources]
