"""Offices and grants: who may give and end them, the reasons they need, and the notices they leave."""

from datetime import timedelta

import pytest
from django.utils import timezone

from polity.access.models import AccessNotice
from polity.access.perms import Perm
from polity.access.policy import has_perm, needs_second_factor
from polity.access.services import grant_give, grant_revoke, office_appoint
from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput


def last_verb():
    return Event.objects.order_by("-seq").values_list("verb", flat=True).first()


@pytest.mark.parametrize(
    ("persona", "unit", "outcome"),
    [
        ("national", "north_a", "ok"),
        ("regional", "north_a", "ok"),
        ("regional", "south_a", Forbidden),
        ("secretary", "north_a", Forbidden),
        ("member", "north_a", Forbidden),
    ],
)
def test_appoint_permission_table(org, persona, unit, outcome):
    kwargs = dict(
        actor=org.actor(persona), person=org.people["member"], office="secretary", unit=org.units[unit]
    )
    if outcome == "ok":
        term = office_appoint(**kwargs)
        assert term.ends_at is None
        assert last_verb() == "office.appoint"
    else:
        with pytest.raises(outcome):
            office_appoint(**kwargs)


def test_appoint_checks_the_rulebook(org):
    national = org.actor("national")
    with pytest.raises(InvalidInput, match="no office"):
        office_appoint(
            actor=national, person=org.people["member"], office="emperor", unit=org.units["north_a"]
        )
    with pytest.raises(InvalidInput, match="region"):
        office_appoint(
            actor=national, person=org.people["member"], office="regional_officer", unit=org.units["north_a"]
        )
    with pytest.raises(InvalidInput, match="general_committee"):
        office_appoint(
            actor=national, person=org.people["member"], office="delegate", unit=org.units["north_a"]
        )
    term = office_appoint(
        actor=national,
        person=org.people["member"],
        office="delegate",
        unit=org.units["north_a"],
        body=org.units["north_a_gc"],
    )
    assert term.body == org.units["north_a_gc"]


def test_terms_grant_nothing_before_they_start_or_after_they_end(org):
    now = timezone.now()
    term = office_appoint(
        actor=Actor.system(),
        person=org.people["member"],
        office="secretary",
        unit=org.units["north_b"],
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=30),
    )
    member = org.actor("member")
    assert not has_perm(member, Perm.MEMBERS_VIEW, org.units["north_b_1"])
    assert has_perm(member, Perm.MEMBERS_VIEW, org.units["north_b_1"], at=now + timedelta(days=2))
    assert not has_perm(member, Perm.MEMBERS_VIEW, org.units["north_b_1"], at=now + timedelta(days=31))
    assert term.pk


def test_grant_gives_scoped_expiring_access_and_revoking_needs_a_reason(org):
    now = timezone.now()
    regional = org.actor("regional")
    with pytest.raises(InvalidInput, match="purpose"):
        grant_give(
            actor=regional,
            person=org.people["member"],
            permissions=["members.view"],
            unit=org.units["north_b"],
            purpose=" ",
            expires_at=now + timedelta(days=7),
        )
    grant = grant_give(
        actor=regional,
        person=org.people["member"],
        permissions=["members.view"],
        unit=org.units["north_b"],
        purpose="phone bank for the by-election",
        expires_at=now + timedelta(days=7),
    )
    assert last_verb() == "grant.give"
    member = org.actor("member")
    assert has_perm(member, Perm.MEMBERS_VIEW, org.units["north_b_1"])
    assert not has_perm(member, Perm.MEMBERS_VIEW, org.units["north_a_1"])
    assert not has_perm(member, Perm.MEMBERS_VIEW, org.units["north_b_1"], at=now + timedelta(days=8))
    with pytest.raises(InvalidInput):
        grant_revoke(actor=regional, grant=grant, reason="")
    grant_revoke(actor=regional, grant=grant, reason="by-election over")
    assert AccessNotice.objects.filter(person=org.people["member"], reason="by-election over").exists()
    assert not has_perm(org.actor("member"), Perm.MEMBERS_VIEW, org.units["north_b_1"])
    with pytest.raises(DomainError):
        grant_revoke(actor=regional, grant=grant, reason="twice")


@pytest.mark.parametrize(
    ("persona", "perms", "unit", "outcome"),
    [
        ("secretary", ["members.view"], "north_a", Forbidden),  # no grants.manage
        ("regional", ["members.view"], "south_a", Forbidden),  # out of scope
        ("regional", ["members.import"], "north_a", Forbidden),  # cannot give what it does not hold
        ("regional", ["members.fly"], "north_a", InvalidInput),
    ],
)
def test_grant_refusals(org, persona, perms, unit, outcome):
    with pytest.raises(outcome):
        grant_give(
            actor=org.actor(persona),
            person=org.people["member"],
            permissions=perms,
            unit=org.units[unit],
            purpose="x",
            expires_at=timezone.now() + timedelta(days=1),
        )


def test_second_factor_is_required_for_anyone_who_can_see_others(org):
    assert needs_second_factor(org.actor("secretary"))
    assert needs_second_factor(org.actor("dpo"))
    assert not needs_second_factor(org.actor("member"))
