"""Property: whatever filters an audience has, it never reaches past the scope of whoever resolves it."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polity.access.perms import Perm
from polity.access.policy import visible_members
from polity.comms.models import Audience, BodyPart
from polity.comms.selectors import audience_members
from polity.members.models import Person, Status

UNITS = ["national", "north", "south", "north_a", "north_b", "south_a", "north_a_1", "north_a_2", "south_a_1"]
ACTORS = ["national", "regional", "secretary", "branchsec", "dpo", "member", "outsider"]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    who=st.sampled_from(ACTORS),
    unit=st.sampled_from(UNITS),
    extra=st.lists(st.sampled_from(UNITS), max_size=2),
    with_body=st.booleans(),
    part=st.sampled_from([BodyPart.MEMBERS, BodyPart.DELEGATES]),
    statuses=st.lists(st.sampled_from(Status.values), max_size=2),
    arrears=st.one_of(st.none(), st.integers(0, 400)),
    joined=st.one_of(st.none(), st.dates(date(2019, 1, 1), date(2030, 1, 1))),
    offices=st.lists(st.sampled_from(["secretary", "delegate", "regional_officer"]), max_size=2),
)
def test_audience_never_exceeds_scope(
    org, who, unit, extra, with_body, part, statuses, arrears, joined, offices
):
    audience = Audience(
        name="p",
        unit=org.units[unit],
        unit_ids=[org.units[u].pk for u in extra],
        body=org.units["north_a_gc"] if with_body else None,
        body_part=part if with_body else "",
        statuses=statuses,
        min_days_in_arrears=arrears,
        joined_since=joined,
        offices=offices,
        created_by_label="p",
    )
    actor = org.actor(who)
    reached = set(audience_members(actor=actor, audience=audience).values_list("pk", flat=True))
    allowed = set(
        visible_members(Person.objects.all(), actor=actor, perm=Perm.MESSAGES_SEND).values_list(
            "pk", flat=True
        )
    )
    inside = set(
        Person.objects.filter(home_unit__path__startswith=org.units[unit].path).values_list("pk", flat=True)
    )
    assert reached <= allowed & inside
