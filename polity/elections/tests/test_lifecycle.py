"""An election from call to publication, and each step refused out of order, too early, or by the wrong
person (409 naming the rule, or 403)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from polity.audit.models import Event
from polity.common.errors import Forbidden, InvalidInput, NotVisible
from polity.elections.models import CandidateState, State
from polity.elections.rules import FREEZE, POLL_OPEN, STATES, ElectionRefused
from polity.elections.services import (
    ballot_cast,
    election_close,
    election_count,
    election_create,
    election_freeze,
    election_open_poll,
    election_publish,
    election_recount,
)


def test_an_election_from_call_to_publication(walk, org):
    e = walk.freeze()
    assert e.state == State.NOMINATIONS
    assert e.freeze_on is not None and e.roll_size == 6  # the north_a members, all in good standing
    assert e.nominations_close_at < e.poll_opens_at < e.poll_closes_at
    walk.stand("member", "member2", "secretary")
    walk.open_poll()
    assert walk.election.seed is not None  # published with the ballot paper, before any vote
    pos = walk.positions()
    voters = {
        "national": [pos["member"], pos["secretary"]],
        "regional": [pos["member2"]],
        "branchsec": [pos["member2"], pos["member"]],
        "member": [pos["member"]],
        "secretary": [pos["secretary"], pos["member2"]],
    }
    codes = [ballot_cast(actor=org.actor(n), election=walk.election, ranking=r) for n, r in voters.items()]
    assert len(set(codes)) == 5 and all(len(c) == 19 for c in codes)
    walk.close()
    e = election_count(actor=walk.ro_actor(), election=walk.election)
    assert e.state == State.COUNTED and e.sealed_count == 5
    assert e.result["elected"] == ["Milo Member"]
    e = election_publish(actor=walk.ro_actor(), election=e)
    assert e.state == State.PUBLISHED
    again = election_recount(actor=walk.ro_actor(), election=e)
    assert again["same"] is True
    verbs = set(Event.objects.filter(object_type="election").values_list("verb", flat=True))
    assert {"election.create", "election.freeze", "election.open_poll", "election.count"} <= verbs
    assert "election.recount" in verbs


def test_the_freeze_date_never_moves(walk):
    walk.freeze()
    with pytest.raises(ElectionRefused) as refused:
        election_freeze(actor=walk.ro_actor(), election=walk.election)
    assert refused.value.rule == FREEZE


def test_steps_refused_out_of_order_and_before_their_time(walk, org):
    with pytest.raises(ElectionRefused) as refused:
        election_open_poll(actor=walk.ro_actor(), election=walk.election)
    assert refused.value.rule == STATES
    walk.freeze()
    walk.stand("member")
    # The poll opens at its time in the timetable, not before.
    with pytest.raises(ElectionRefused, match="the poll opens on"):
        election_open_poll(actor=walk.ro_actor(), election=walk.election)
    # No ballot before the poll opens.
    with pytest.raises(ElectionRefused) as refused:
        ballot_cast(actor=org.actor("member2"), election=walk.election, ranking=[1])
    assert refused.value.rule == POLL_OPEN
    walk.open_poll()
    with pytest.raises(ElectionRefused, match="closes on"):
        election_close(actor=walk.ro_actor(), election=walk.election)
    with pytest.raises(ElectionRefused) as refused:
        election_count(actor=walk.ro_actor(), election=walk.election)
    assert refused.value.rule == STATES
    walk.close()
    with pytest.raises(ElectionRefused) as refused:
        ballot_cast(actor=org.actor("member2"), election=walk.election, ranking=[1])
    assert refused.value.rule == POLL_OPEN and "closed" in str(refused.value)


@pytest.mark.parametrize("who", ["national", "secretary", "member", "outsider"])
def test_only_the_named_returning_officer_takes_the_steps(walk, org, who):
    with pytest.raises(Forbidden, match="not the returning officer"):
        election_freeze(actor=org.actor(who), election=walk.election)


def test_calling_an_election_needs_elections_manage_in_scope(walk, org):
    args = dict(title="T", office="Chair", method="fptp", returning_officer=walk.ro)
    for who, unit in (("secretary", "north_a"), ("member", "north_a"), ("regional", "south_a")):
        with pytest.raises(Forbidden):
            election_create(actor=org.actor(who), unit=org.units[unit], **args)
    made = election_create(actor=org.actor("regional"), unit=org.units["north_b"], **args)
    assert made.electorate_unit == org.units["north_b"]


def test_a_returning_officer_must_hold_the_role(walk, org):
    with pytest.raises(ElectionRefused, match="returning officer's role"):
        election_create(
            actor=org.actor("national"),
            title="T",
            office="Chair",
            unit=org.units["north_a"],
            method="fptp",
            returning_officer=org.people["member"],
        )


@pytest.mark.parametrize(
    ("method", "seats", "message"),
    [("sv", 2, "fills one seat"), ("borda", 1, "method"), ("fptp", 0, "at least one")],
)
def test_an_election_that_cannot_be_counted_is_not_called(walk, org, method, seats, message):
    with pytest.raises(InvalidInput, match=message):
        election_create(
            actor=org.actor("national"),
            title="T",
            office="Chair",
            unit=org.units["north_a"],
            method=method,
            seats=seats,
            returning_officer=walk.ro,
        )


def test_a_refused_nomination_carries_reasons(walk, org):
    from polity.elections.services import candidate_nominate, candidate_validate

    walk.freeze()
    c = candidate_nominate(actor=org.actor("member"), election=walk.election)
    with pytest.raises(InvalidInput, match="reasons"):
        candidate_validate(actor=walk.ro_actor(), candidate=c, valid=False)
    with pytest.raises(ElectionRefused, match="accepted in writing"):
        candidate_validate(actor=walk.ro_actor(), candidate=c, valid=True)
    c = candidate_validate(
        actor=walk.ro_actor(), candidate=c, valid=False, reasons="Nomination form unsigned."
    )
    assert c.state == CandidateState.REFUSED and c.reasons == "Nomination form unsigned."


def test_nominations_close_at_their_time(walk, org):
    from polity.elections.services import candidate_nominate

    walk.freeze()
    with (
        walk.at(walk.election.nominations_close_at + timedelta(seconds=1)),
        pytest.raises(ElectionRefused, match="nominations closed"),
    ):
        candidate_nominate(actor=org.actor("member"), election=walk.election)


def test_a_member_too_new_to_stand_is_refused_with_the_reason(walk, org):
    from polity.elections.services import candidate_nominate

    walk.freeze()
    person = org.people["member"]
    person.joined_on = walk.election.freeze_on - timedelta(days=30)
    person.save()
    with pytest.raises(ElectionRefused, match="12 months"):
        candidate_nominate(actor=org.actor("member"), election=walk.election)


def test_nobody_sees_a_draft_election_from_outside(walk, org):
    from polity.elections.selectors import election_get

    with pytest.raises(NotVisible):
        election_get(actor=org.actor("outsider"), election_id=walk.election.pk)


def test_a_returning_officer_with_a_stake_is_refused_like_a_case(walk, org):
    from polity.access.services import office_appoint
    from polity.cases.services import case_open
    from polity.common.actor import Actor
    from polity.elections.rules import INDEPENDENT
    from polity.elections.services import candidate_nominate, election_name_returning_officer

    walk.freeze()
    walk.stand("member")
    # The returning officer may not become a candidate.
    with pytest.raises(ElectionRefused) as refused:
        candidate_nominate(actor=walk.ro_actor(), election=walk.election)
    assert refused.value.rule == INDEPENDENT
    # Someone on the other side of a case from a candidate may not be named returning officer.
    office_appoint(
        actor=Actor.system(),
        person=org.people["member2"],
        office="returning_officer",
        unit=org.units["national"],
    )
    case_open(
        actor=org.actor("member2"),
        kind="complaint",
        summary="Rude at a meeting.",
        respondents=[org.people["member"]],
    )
    with pytest.raises(ElectionRefused) as refused:
        election_name_returning_officer(
            actor=org.actor("national"), election=walk.election, person=org.people["member2"]
        )
    assert refused.value.rule == INDEPENDENT and "case" in refused.value.detail
    # A candidate may not be named returning officer either.
    office_appoint(
        actor=Actor.system(),
        person=org.people["member"],
        office="returning_officer",
        unit=org.units["national"],
    )
    with pytest.raises(ElectionRefused, match="is a candidate"):
        election_name_returning_officer(
            actor=org.actor("national"), election=walk.election, person=org.people["member"]
        )


def test_an_agent_sees_turnout_while_the_poll_is_open_and_others_do_not(walk, org):
    from polity.elections.selectors import turnout
    from polity.elections.services import agent_appoint

    walk.freeze()
    walk.stand("member", "member2")
    agent_appoint(
        actor=org.actor("member"), candidate=walk.candidates["member"], person=org.people["branchsec"]
    )
    walk.open_poll()
    ballot_cast(actor=org.actor("national"), election=walk.election, ranking=[1])
    assert turnout(actor=org.actor("branchsec"), election=walk.election) == 1
    assert turnout(actor=walk.ro_actor(), election=walk.election) == 1
    with pytest.raises(Forbidden):
        turnout(actor=org.actor("outsider"), election=walk.election)
    walk.close()
    assert turnout(actor=org.actor("outsider"), election=walk.election) == 1
