"""The roll is fixed at the freeze date: later joiners, members too new, in arrears or lapsed are not
on it, and each is refused a ballot with the reason; a member can see why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import make_person
from polity.elections import clock
from polity.elections.models import RollEntry
from polity.elections.roll import voter_standing
from polity.elections.rules import ROLL, ElectionRefused
from polity.elections.services import ballot_cast
from polity.members.models import Status


def _on_roll(walk, person) -> bool:
    return RollEntry.objects.filter(election=walk.election, person=person).exists()


def test_standing_on_the_freeze_date_decides_the_roll(walk, org):
    unit = org.units["north_a_1"]
    today = clock.now().date()
    too_new = make_person(unit, "Tom", "Toonew")
    too_new.joined_on = today - timedelta(weeks=7)
    too_new.save()
    in_arrears = make_person(unit, "Ari", "Arrears", paid_until=today - timedelta(days=31))
    within_grace = make_person(unit, "Gus", "Grace", paid_until=today - timedelta(days=29))
    lapsed = make_person(unit, "Lou", "Lapsed")
    lapsed.status = Status.LAPSED
    lapsed.save()
    elsewhere = org.people["outsider"]
    walk.freeze()
    assert _on_roll(walk, within_grace)
    for person in (too_new, in_arrears, lapsed, elsewhere):
        assert not _on_roll(walk, person), person

    why = voter_standing(walk.election, too_new, clock.now())
    assert not why.eligible and why.fixed
    assert "8 weeks" in why.reasons[0]
    why = voter_standing(walk.election, in_arrears, clock.now())
    assert "arrears" in why.reasons[0]
    why = voter_standing(walk.election, elsewhere, clock.now())
    assert "not among the voters" in why.reasons[-1]
    why = voter_standing(walk.election, org.people["member"], clock.now())
    assert why.eligible and "on the roll" in why.reasons[0]


def test_a_member_who_joins_after_the_freeze_is_refused_with_the_reason(walk, org):
    from polity.accounts.models import User

    walk.freeze()
    walk.stand("member")
    walk.open_poll()
    late = make_person(org.units["north_a_1"], "Lena", "Late")
    late.joined_on = walk.election.freeze_on + timedelta(days=1)
    late.save()
    User.objects.create_user(username="late", password="x-pass-word-1", person=late)
    org.users["late"] = User.objects.get(username="late")
    with pytest.raises(ElectionRefused) as refused:
        ballot_cast(actor=org.actor("late"), election=walk.election, ranking=[1])
    assert refused.value.rule == ROLL
    why = voter_standing(walk.election, late, clock.now())
    assert not why.eligible
    assert "after the freeze date" in why.reasons[0]


def test_the_roll_does_not_follow_later_changes(walk, org):
    walk.freeze()
    member = org.people["member"]
    member.status = Status.LAPSED  # lapses after the freeze: stays on the roll fixed then
    member.save()
    assert _on_roll(walk, member)
    late = make_person(org.units["north_a_1"], "Paul", "Postfreeze")
    assert not _on_roll(walk, late)
    assert walk.election.roll_size == RollEntry.objects.filter(election=walk.election).count()


def test_before_the_freeze_a_member_sees_a_forecast(walk, org):
    why = voter_standing(walk.election, org.people["member"], clock.now())
    assert why.eligible and not why.fixed and "fixed on the freeze date" in why.reasons[0]


def test_a_body_electorate_is_its_office_holders(walk, org):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor
    from polity.elections.services import election_create, election_freeze

    gc = org.units["north_a_gc"]
    office_appoint(
        actor=Actor.system(),
        person=org.people["member2"],
        office="delegate",
        unit=org.units["north_a"],
        body=gc,
    )
    e = election_create(
        actor=org.actor("national"),
        title="GC chair",
        office="Chair of the general committee",
        unit=org.units["north_a"],
        method="fptp",
        returning_officer=walk.ro,
        electorate_body=gc,
    )
    e = election_freeze(actor=walk.ro_actor(), election=e)
    assert list(RollEntry.objects.filter(election=e).values_list("person_id", flat=True)) == [
        org.people["member2"].pk
    ]
    assert date.today() >= e.freeze_on - timedelta(days=1)
