"""Case services: every write to a case, each checking the workflow, the actor's role and due process."""

from polity.cases.services.decisions import (
    case_appeal,
    case_close,
    case_communicate,
    case_decide,
    case_decide_appeal,
    case_record_delivery,
)
from polity.cases.services.evidence import case_add_evidence
from polity.cases.services.intake import (
    case_acknowledge,
    case_add_party,
    case_dismiss,
    case_link,
    case_open,
    case_refusal_record,
    case_triage,
)
from polity.cases.services.measures import case_review_suspension, case_suspend
from polity.cases.services.parties import (
    case_acknowledge_message,
    case_add_statement,
    case_message_party,
    case_message_team,
    case_supply_evidence,
)
from polity.cases.services.process import (
    case_assign_investigator,
    case_assign_panel,
    case_reply,
    case_schedule_hearing,
    case_send_notice,
)

__all__ = [
    "case_acknowledge",
    "case_acknowledge_message",
    "case_add_statement",
    "case_message_party",
    "case_message_team",
    "case_supply_evidence",
    "case_add_evidence",
    "case_add_party",
    "case_appeal",
    "case_assign_investigator",
    "case_assign_panel",
    "case_close",
    "case_communicate",
    "case_decide",
    "case_decide_appeal",
    "case_dismiss",
    "case_link",
    "case_open",
    "case_record_delivery",
    "case_refusal_record",
    "case_reply",
    "case_review_suspension",
    "case_schedule_hearing",
    "case_send_notice",
    "case_suspend",
    "case_triage",
]
