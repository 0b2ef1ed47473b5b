"""Writes of candidate selections. Each service checks who may act first, then the selection's state, then
the rules; it writes in one transaction with its audit event and queues notices through the outbox."""

from polity.selections.services.appeals import appeal_decide, appeal_lodge, appeal_panel_appoint
from polity.selections.services.ballot import ballot_create, ballot_result_declare, hustings_call
from polity.selections.services.decisions import longlist_decide, shortlist_change, shortlist_decide
from polity.selections.services.setup import (
    application_submit,
    application_withdraw,
    applications_close,
    panel_appoint,
    panel_remove,
    relationship_declare,
    selection_create,
)

__all__ = [
    "ballot_create",
    "ballot_result_declare",
    "hustings_call",
    "appeal_decide",
    "appeal_lodge",
    "appeal_panel_appoint",
    "application_submit",
    "application_withdraw",
    "applications_close",
    "longlist_decide",
    "panel_appoint",
    "panel_remove",
    "relationship_declare",
    "selection_create",
    "shortlist_change",
    "shortlist_decide",
]
