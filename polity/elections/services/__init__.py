"""Election services: each owns its transaction, checks permission first and writes its audit event."""

from polity.elections.services.count import election_count, election_publish, election_recount
from polity.elections.services.lifecycle import (
    GroupSpec,
    election_close,
    election_create,
    election_freeze,
    election_name_returning_officer,
    election_open_nominations,
    election_open_poll,
)
from polity.elections.services.nominations import (
    agent_appoint,
    body_nomination_choices,
    candidate_accept,
    candidate_add,
    candidate_nominate,
    candidate_statement,
    candidate_validate,
    may_record_body_nomination,
    nomination_record,
    refuse_if_from_shortlist,
    teller_appoint,
)
from polity.elections.services.papers import paper_enter, paper_mark_received, paper_resolve
from polity.elections.services.voting import ballot_cast

__all__ = [
    "GroupSpec",
    "agent_appoint",
    "body_nomination_choices",
    "may_record_body_nomination",
    "ballot_cast",
    "candidate_accept",
    "candidate_add",
    "candidate_nominate",
    "candidate_statement",
    "candidate_validate",
    "election_close",
    "election_count",
    "election_create",
    "election_freeze",
    "election_name_returning_officer",
    "election_open_nominations",
    "election_open_poll",
    "election_publish",
    "election_recount",
    "nomination_record",
    "paper_enter",
    "paper_mark_received",
    "paper_resolve",
    "refuse_if_from_shortlist",
    "teller_appoint",
]
