"""The register's services: who may do what, what they leave in the log, and what they refuse."""

from datetime import date

import pytest

from polity.audit.models import Event
from polity.audit.services import audit_verify
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.members.models import MembershipPeriod, Person, Status
from polity.members.selectors import member_get, member_list
from polity.members.services import (
    arrears_status,
    member_join,
    member_record_payment,
    member_rejoin,
    member_set_status,
    member_transfer,
    members_refresh_arrears,
)


def last_event():
    return Event.objects.order_by("-seq").first()


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("national", "ok"),
        ("regional", "ok"),
        ("secretary", Forbidden),
        ("branchsec", Forbidden),
        ("member", Forbidden),
        ("outsider", Forbidden),
        ("dpo", Forbidden),
    ],
)
def test_join_permission_table(org, persona, outcome):
    kwargs = dict(
        actor=org.actor(persona),
        home_unit=org.units["north_a_1"],
        joined_on=date(2026, 1, 5),
        membership_number="N1",
        given_name="New",
        family_name="Joiner",
    )
    if outcome == "ok":
        person = member_join(**kwargs)
        assert person.periods.count() == 1
        assert last_event().verb == "member.join"
        assert last_event().subject_ids == [person.pk]
    else:
        with pytest.raises(outcome):
            member_join(**kwargs)
        assert not Person.objects.filter(membership_number="N1").exists()


def test_join_refuses_a_non_branch_home(org):
    with pytest.raises(InvalidInput, match="branch"):
        member_join(
            actor=org.actor("national"),
            home_unit=org.units["north_a"],
            joined_on=date(2026, 1, 1),
            membership_number="N2",
            given_name="A",
            family_name="B",
        )


@pytest.mark.parametrize(
    ("persona", "target", "outcome"),
    [
        ("secretary", "member", "ok"),  # secretaries may view
        ("branchsec", "member2", "ok"),
        ("branchsec", "member", NotVisible),  # other branch: as if it did not exist
        ("secretary", "outsider", NotVisible),
        ("member", "member2", NotVisible),
        ("member", "member", "self"),
        ("regional", "outsider", NotVisible),
        ("national", "outsider", "ok"),
    ],
)
def test_member_get_table(org, persona, target, outcome):
    before = Event.objects.count()
    person_id = org.people[target].pk
    if outcome in {"ok", "self"}:
        assert member_get(actor=org.actor(persona), member_id=person_id).pk == person_id
        if outcome == "ok":
            event = last_event()
            assert (event.verb, event.subject_ids, event.actor_label) == ("member.view", [person_id], persona)
        else:
            assert Event.objects.count() == before  # reading yourself is not a disclosure
    else:
        with pytest.raises(outcome):
            member_get(actor=org.actor(persona), member_id=person_id)
        with pytest.raises(outcome):
            member_get(actor=org.actor(persona), member_id=10**9)  # nonexistent answers the same
        assert Event.objects.count() == before


def test_member_list_records_who_was_shown(org):
    page = member_list(actor=org.actor("branchsec"))
    shown = {p.pk for p in page.members}
    assert shown == {org.people[n].pk for n in ("national", "regional", "branchsec", "member2")}
    event = last_event()
    assert event.verb == "members.list"
    assert set(event.subject_ids) == shown
    assert audit_verify().ok


def test_transfer_moves_the_member_and_ends_the_old_units_access(org):
    member2 = org.people["member2"]
    assert member_get(actor=org.actor("branchsec"), member_id=member2.pk)
    member_transfer(
        actor=org.actor("regional"), person=member2, to_unit=org.units["north_b_1"], reason="moved house"
    )
    member2.refresh_from_db()
    assert member2.home_unit == org.units["north_b_1"]
    assert member2.transfers.count() == 1
    with pytest.raises(NotVisible):
        member_get(actor=org.actor("branchsec"), member_id=member2.pk)
    assert last_event().verb == "member.transfer"


@pytest.mark.parametrize(
    ("persona", "to_unit", "outcome"),
    [
        ("secretary", "north_b_1", Forbidden),
        ("regional", "south_a_1", Forbidden),
        ("outsider", "north_b_1", NotVisible),
    ],
)
def test_transfer_refusals(org, persona, to_unit, outcome):
    with pytest.raises(outcome):
        member_transfer(
            actor=org.actor(persona), person=org.people["member2"], to_unit=org.units[to_unit], reason="x"
        )
    org.people["member2"].refresh_from_db()
    assert org.people["member2"].home_unit == org.units["north_a_1"]


def test_lapse_then_rejoin_is_a_new_period_for_the_same_person(org):
    person = org.people["member"]
    actor = org.actor("national")
    member_set_status(
        actor=Actor.system("arrears"),
        person=person,
        status=Status.LAPSED,
        reason="unpaid",
        on=date(2026, 3, 1),
    )
    with pytest.raises(DomainError):
        member_set_status(actor=actor, person=person, status=Status.ACTIVE, reason="oops")
    member_rejoin(actor=actor, person=person, joined_on=date(2026, 6, 1))
    person.refresh_from_db()
    periods = list(MembershipPeriod.objects.filter(person=person).order_by("started_on"))
    assert [(p.started_on, p.ended_on, p.end_status) for p in periods] == [
        (date(2020, 1, 1), date(2026, 3, 1), "lapsed"),
        (date(2026, 6, 1), None, ""),
    ]
    assert person.status == Status.ACTIVE
    assert Person.objects.filter(membership_number=person.membership_number).count() == 1


def test_status_change_needs_a_reason_and_rejoin_needs_an_ended_membership(org):
    with pytest.raises(InvalidInput):
        member_set_status(
            actor=org.actor("national"), person=org.people["member"], status=Status.SUSPENDED, reason=" "
        )
    with pytest.raises(DomainError):
        member_rejoin(actor=org.actor("national"), person=org.people["member"], joined_on=date(2026, 1, 1))


def test_payment_extends_paid_until_by_the_rulebook_period_and_clears_arrears(org):
    person = org.people["member"]
    person.paid_until = date(2026, 1, 10)
    person.status = Status.IN_ARREARS
    person.save()
    member_record_payment(
        actor=org.actor("national"), person=person, amount_pence=2400, paid_on=date(2026, 2, 1)
    )
    person.refresh_from_db()
    assert person.paid_until == date(2027, 2, 1)  # "1y" from the later of paid_on and paid_until
    assert person.status == Status.ACTIVE
    with pytest.raises(InvalidInput):
        member_record_payment(
            actor=org.actor("national"), person=person, amount_pence=0, paid_on=date(2026, 2, 1)
        )
    with pytest.raises(Forbidden):
        member_record_payment(
            actor=org.actor("secretary"), person=person, amount_pence=100, paid_on=date(2026, 2, 1)
        )


def test_arrears_follow_the_rulebook(org):
    paid = date(2026, 1, 1)
    assert arrears_status(paid, date(2026, 1, 31)) == Status.ACTIVE  # within 30 days' grace
    assert arrears_status(paid, date(2026, 2, 1)) == Status.IN_ARREARS
    assert arrears_status(paid, date(2026, 7, 2)) == Status.LAPSED  # 6 months on
    person = org.people["member"]
    Person.objects.filter(pk=person.pk).update(paid_until=paid)
    counts = members_refresh_arrears(actor=Actor.system(), today=date(2026, 2, 15))
    assert counts == {"in_arrears": 1, "lapsed": 0}
    counts = members_refresh_arrears(actor=Actor.system(), today=date(2026, 8, 1))
    assert counts == {"in_arrears": 0, "lapsed": 1}
    person.refresh_from_db()
    assert person.status == Status.LAPSED
    with pytest.raises(DomainError):
        members_refresh_arrears(actor=org.actor("national"))


def test_one_word_finds_a_membership_number_or_a_name(org):
    member = org.people["member"]
    found = member_list(actor=org.actor("secretary"), q=member.membership_number.lower())
    assert [p.pk for p in found.members] == [member.pk]
    assert {p.pk for p in member_list(actor=org.actor("secretary"), q="mem").members} == {
        org.people["member"].pk,
        org.people["member2"].pk,
    }
    assert [p.pk for p in member_list(actor=org.actor("secretary"), q="mina mem").members] == [member.pk]


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.EXPELLED, Status.REFUSED])
def test_adverse_statuses_need_a_case_not_an_officer(org, status):
    person = org.people["member"]
    with pytest.raises(DomainError, match="adverse decision"):
        member_set_status(actor=org.actor("national"), person=person, status=status, reason="I say so")
    person.refresh_from_db()
    assert person.status == Status.ACTIVE
    # The case services act with the case's authority (a system actor named after the case).
    member_set_status(actor=Actor.system("case C-1"), person=person, status=status, reason="case C-1")
    person.refresh_from_db()
    assert person.status == status


def test_a_refused_applicant_may_apply_again_as_an_applicant(org):
    person = org.people["member"]
    member_set_status(actor=Actor.system("case C-2"), person=person, status=Status.REFUSED, reason="case C-2")
    member_rejoin(actor=org.actor("national"), person=person, joined_on=date(2026, 9, 1))
    person.refresh_from_db()
    assert person.status == Status.APPLICANT
    assert person.periods.count() == 2
