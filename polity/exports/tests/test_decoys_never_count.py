"""Decoys are never people: whatever exports are made, every query that counts or lists people (the members
list and search, audiences and their reach, a body's members for a quorum, good standing for a quorum and
for an electorate (a section's too), the people a case may name, the public statistics, the consent check) gives exactly what
the register alone gives, and never shows a decoy.

Decoys live only in the exports app's tables (decision 0026) and `members.Person` has no decoy flag any
more, so this holds by construction. The property test checks both halves of that construction under many
mixes of exports: the answers do not change, and not one of the queries behind them reads a table where a
decoy or an export's rows live (so no later change to those tables could reach a count)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polity.access.policy import visible_members
from polity.cases.actions import case_people
from polity.comms.selectors import audience_members, body_member_ids, reach_counts
from polity.elections.roll import VOTE_RULE, standing_q
from polity.exports.models import Decoy, DecoyContact, Entry, Export, Key
from polity.exports.services import export_request
from polity.exports.tests.conftest import give_consent
from polity.meetings.entitlement import entitled_people, in_good_standing
from polity.members.models import Person, SectionMembership
from polity.members.sections import in_section_q, section_declare
from polity.members.selectors import member_search_qs
from polity.transparency import quarters
from polity.transparency.figures import compute

KINDS = [
    ("service", "", ["name", "membership_number", "branch"], "csv"),
    ("service", "email", ["name", "email"], "xlsx"),
    ("campaigning", "phone", ["name", "phone"], "csv"),
    ("campaigning", "post", ["name", "address"], "pdf"),
]


# Where decoys and the rows of export files live: no query that counts people may read these.
DECOY_TABLES = tuple(m._meta.db_table for m in (Decoy, Entry, Key, DecoyContact))


def _counts(world):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        counts = _count_people(world)
    read = [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in DECOY_TABLES)]
    assert read == [], "a query that counts people reads where decoys live"
    return counts


def _count_people(world):  # type: ignore[no-untyped-def]
    org = world.org
    today = timezone.localdate()
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
        "quorum": entitled_people(org.units["north_a_gc"], timezone.now()).count(),
        "good_standing": in_good_standing(Person.objects.all(), today).count(),
        "electorate": Person.objects.filter(standing_q(today, VOTE_RULE)).count(),
        "section": Person.objects.filter(standing_q(today, VOTE_RULE), in_section_q("women", today)).count(),
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
    org = world.org
    if not SectionMembership.objects.exists():  # a section's electorate counts someone
        section_declare(actor=org.actor("member"), person=org.people["member"], section="women")
    before = _counts(world)
    assert before["section"] == 1
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
