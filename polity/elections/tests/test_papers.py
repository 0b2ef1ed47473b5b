"""Paper and postal ballots: the envelope marks the voter (no web ballot after, no second paper), two
different tellers enter each paper, agreement makes a ballot, a discrepancy waits for the returning
officer's reading with reasons, and the count refuses while any paper waits."""

from __future__ import annotations

import pytest

from polity.common.errors import Forbidden, InvalidInput
from polity.elections.models import Ballot, PaperState
from polity.elections.rules import DOUBLE_ENTRY, INDEPENDENT, ONE_BALLOT, ElectionRefused
from polity.elections.services import (
    ballot_cast,
    election_count,
    paper_enter,
    paper_mark_received,
    paper_resolve,
    teller_appoint,
)


@pytest.fixture
def tellers(walk, org):
    walk.freeze()
    walk.stand("member", "member2")
    walk.open_poll()
    for name in ("branchsec", "regional"):
        teller_appoint(actor=walk.ro_actor(), election=walk.election, person=org.people[name])
    return org.actor("branchsec"), org.actor("regional")


def test_two_agreeing_entries_make_one_ballot(walk, org, tellers):
    one, two = tellers
    paper_mark_received(actor=one, election=walk.election, person=org.people["national"])
    paper = paper_enter(actor=one, election=walk.election, reference="P-001", ranking=[2, 1])
    assert paper.state == PaperState.PENDING and Ballot.objects.count() == 0
    with pytest.raises(ElectionRefused) as refused:
        paper_enter(actor=one, election=walk.election, reference="P-001", ranking=[2, 1])
    assert refused.value.rule == DOUBLE_ENTRY
    paper = paper_enter(actor=two, election=walk.election, reference="P-001", ranking=[2, 1])
    assert paper.state == PaperState.AGREED
    assert list(Ballot.objects.values_list("ranking", "receipt_hash")) == [("2 1", None)]


def test_a_discrepancy_is_shown_and_resolved_with_reasons(walk, org, tellers):
    one, two = tellers
    paper_mark_received(actor=one, election=walk.election, person=org.people["national"])
    paper_enter(actor=one, election=walk.election, reference="P-002", ranking=[1])
    paper = paper_enter(actor=two, election=walk.election, reference="P-002", ranking=[2])
    assert paper.state == PaperState.DISCREPANCY and Ballot.objects.count() == 0
    walk.close()
    with pytest.raises(ElectionRefused, match="second entry or a resolution"):
        election_count(actor=walk.ro_actor(), election=walk.election)
    with pytest.raises(Forbidden):
        paper_resolve(actor=one, election=walk.election, reference="P-002", ranking=[1], reasons="x")
    with pytest.raises(InvalidInput):
        paper_resolve(
            actor=walk.ro_actor(), election=walk.election, reference="P-002", ranking=[1], reasons=" "
        )
    paper = paper_resolve(
        actor=walk.ro_actor(),
        election=walk.election,
        reference="P-002",
        ranking=[1],
        reasons="The 1 is clear.",
    )
    assert paper.state == PaperState.RESOLVED
    counted = election_count(actor=walk.ro_actor(), election=walk.election)
    assert counted.sealed_count == 1


def test_a_postal_voter_cannot_vote_again_on_the_web_or_the_reverse(walk, org, tellers):
    one, _two = tellers
    paper_mark_received(actor=one, election=walk.election, person=org.people["national"])
    with pytest.raises(ElectionRefused) as refused:
        ballot_cast(actor=org.actor("national"), election=walk.election, ranking=[1])
    assert refused.value.rule == ONE_BALLOT
    ballot_cast(actor=org.actor("secretary"), election=walk.election, ranking=[1])
    with pytest.raises(ElectionRefused) as refused:
        paper_mark_received(actor=one, election=walk.election, person=org.people["secretary"])
    assert refused.value.rule == ONE_BALLOT


def test_more_papers_than_postal_voters_stops_the_count(walk, org, tellers):
    one, two = tellers
    for who in (one, two):
        paper_enter(actor=who, election=walk.election, reference="P-009", ranking=[1])
    walk.close()
    with pytest.raises(ElectionRefused, match="only 0 postal voters"):
        election_count(actor=walk.ro_actor(), election=walk.election)


def test_only_tellers_enter_papers_and_a_candidate_cannot_be_one(walk, org, tellers):
    with pytest.raises(Forbidden):
        paper_enter(actor=org.actor("outsider"), election=walk.election, reference="P-1", ranking=[1])
    with pytest.raises(ElectionRefused) as refused:
        teller_appoint(actor=walk.ro_actor(), election=walk.election, person=org.people["member"])
    assert refused.value.rule == INDEPENDENT
