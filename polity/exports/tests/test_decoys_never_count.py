"""Decoys are never people: whatever exports are made, every query that counts or lists people (the members
list and search, audiences and their reach, a body's members for a quorum, the people a case may name, the
public statistics, the consent check) gives exactly what the register alone gives, and never shows a decoy.
Decoys live only in the exports app's tables (decision 0026), so this holds by construction; the property
test checks the construction under many mixes of exports."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polity.access.policy import visible_members
from polity.cases.actions import case_people
from polity.comms.selectors import audience_members, body_member_ids, reach_counts
from polity.exports.models import Decoy, Export
from polity.exports.services import export_request
from polity.exports.tests.conftest import give_consent
from polity.members.models import Person
from polity.members.selectors import member_search_qs
from polity.transparency import quarters
from polity.transparency.figures import compute

KINDS = [
    ("service", "", ["name", "membership_number", "branch"], "csv"),
    ("service", "email", ["name", "email"], "xlsx"),
    ("campaigning", "phone", ["name", "phone"], "csv"),
    ("campaigning", "post", ["name", "address"], "pdf"),
]


def _counts(world):  # type: ignore[no-untyped-def]
    org = world.org
    secretary = org.actor("secretary")
    national = org.actor("national")
    people = audience_members(actor=secretary, audience=world.audience)
    ids, preview = reach_counts(people, purpose="service", channel="email")
    stats = compute(org.units["national"], quarters.current()).as_dict()
    total = next(s for s in stats["series"] if s["key"] == "members.total")["figures"][0]["value"]
    return {
        "search": member_search_qs(actor=national).count(),
        "search_decoy_name": member_search_qs(actor=national, q="Decoyish").count(),
        "visible": visible_members(Person.objects.all(), actor=secretary).count(),
        "audience": people.count(),
        "reach": preview.total,
        "reachable": len(ids),
        "body": body_member_ids(org.units["north_a_gc"], "members").count(),
        "case_people": case_people(national).count(),
        "members_total": total,
        "persons": Person.objects.count(),
    }


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=3))
def test_decoys_never_reach_a_count_of_people(world, django_capture_on_commit_callbacks, kinds):
    for person in world.extra[:4]:
        give_consent(person, "campaigning", "phone")
        give_consent(person, "campaigning", "post")
    before = _counts(world)
    decoys_before = Decoy.objects.count()
    for purpose, channel, columns, fmt in kinds:
        with django_capture_on_commit_callbacks(execute=True):
            export_request(
                actor=world.org.actor("secretary"),
                audience=world.audience,
                purpose=purpose,
                channel=channel,
                columns=columns,
                format=fmt,
                reason="property",
            )
    assert Decoy.objects.count() > decoys_before  # the exports did make decoys
    assert _counts(world) == before
    decoys = Decoy.objects.all()
    numbers = set(decoys.values_list("membership_number", flat=True))
    emails = set(decoys.values_list("email", flat=True))
    phones = set(decoys.values_list("phone", flat=True))
    assert not Person.objects.filter(membership_number__in=numbers).exists()
    assert not Person.objects.filter(email__in=emails).exists()
    everyone = audience_members(actor=world.org.actor("secretary"), audience=world.audience)
    assert not everyone.filter(phone__in=phones).exists()
    assert Export.objects.filter(state="ready").count() >= len(kinds)
