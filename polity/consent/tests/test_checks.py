from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_person
from polity.consent.addresses import address_hash
from polity.consent.checks import contact_permitted, contact_permitted_many
from polity.consent.models import ConsentEvent, Suppression
from polity.members.models import Person


def _event(person, action, *, purpose="campaigning", channel="email", at=None):
    return ConsentEvent.objects.create(
        person=person,
        purpose=purpose,
        channel=channel,
        action=action,
        occurred_at=at or timezone.now(),
        method="web_form",
        recorded_by_label="test",
        wording="May we email you about our campaigns?",
    )


def _check(person, purpose="campaigning", channel="email", at=None):
    return contact_permitted(person_id=person.pk, purpose=purpose, channel=channel, at=at)


def test_campaigning_needs_consent_per_channel(org):
    member = org.people["member"]
    assert _check(member) == (False, "no consent")
    _event(member, "given")
    assert _check(member) == (True, "ok")
    assert _check(member, channel="sms") == (False, "no consent")
    _event(member, "withdrawn")
    assert _check(member) == (False, "no consent")


def test_consent_is_judged_at_the_time_asked(org):
    member = org.people["member"]
    given_at = timezone.now() - timedelta(days=10)
    _event(member, "given", at=given_at)
    _event(member, "withdrawn", at=given_at + timedelta(days=5))
    assert _check(member, at=given_at + timedelta(days=1)) == (True, "ok")
    assert _check(member, at=given_at - timedelta(days=1)) == (False, "no consent")
    assert _check(member) == (False, "no consent")


def test_governance_needs_no_consent_and_service_is_opt_out(org):
    member = org.people["member"]
    assert _check(member, purpose="governance") == (True, "ok")
    assert _check(member, purpose="service") == (True, "ok")
    _event(member, "withdrawn", purpose="service")
    assert _check(member, purpose="service") == (False, "no consent")
    _event(member, "withdrawn", purpose="governance")
    assert _check(member, purpose="governance") == (True, "ok")


def test_unknown_purpose_channel_and_person(org):
    member = org.people["member"]
    assert _check(member, purpose="gossip") == (False, "unknown purpose")
    assert _check(member, purpose="governance", channel="phone") == (False, "channel not allowed")
    assert contact_permitted(person_id=999_999, purpose="governance", channel="email") == (
        False,
        "unknown person",
    )


def test_no_address(org):
    person = make_person(org.units["north_a_1"], "No", "Mail", email="", phone="")
    assert _check(person, purpose="governance") == (False, "no address")
    assert _check(person, purpose="governance", channel="sms") == (False, "no address")
    assert _check(person, purpose="governance", channel="post") == (False, "no address")


def test_suppression_by_normalised_address_and_scope(org):
    member = org.people["member"]
    _event(member, "given")
    Suppression.objects.create(
        kind="email",
        address_hash=address_hash("email", "  " + member.email.upper()),
        scope="optional",
        reason="unsubscribed",
        created_at=timezone.now() - timedelta(seconds=1),
        created_by_label="test",
    )
    assert _check(member) == (False, "suppressed")
    # An opt-out suppression does not stop notices nobody may opt out of.
    assert _check(member, purpose="governance") == (True, "ok")
    Suppression.objects.create(
        kind="email",
        address_hash=address_hash("email", member.email),
        scope="all",
        reason="hard bounce",
        created_at=timezone.now() - timedelta(seconds=1),
        created_by_label="test",
    )
    assert _check(member, purpose="governance") == (False, "suppressed")


def test_phone_suppression_matches_any_spelling(org):
    person = make_person(org.units["north_a_1"], "Pho", "Ne", phone="07700 900999")
    Suppression.objects.create(
        kind="phone",
        address_hash=address_hash("phone", "+44 7700 900999"),
        scope="all",
        reason="complaint",
        created_at=timezone.now() - timedelta(seconds=1),
        created_by_label="test",
    )
    assert _check(person, purpose="service", channel="sms") == (False, "suppressed")


@pytest.mark.parametrize("as_queryset", [False, True])
def test_many_uses_a_constant_number_of_queries(org, as_queryset):
    from polity.consent import checks

    people = [make_person(org.units["north_a_1"], f"P{i}", "Bulk") for i in range(30)]
    for person in people[::2]:
        _event(person, "given")
    ids = [p.pk for p in people] + [999_999]
    old = checks._IN_LIST_MAX
    checks._IN_LIST_MAX = 5  # force the id-range path too
    try:
        with CaptureQueriesContext(connection) as ctx:
            if as_queryset:
                answer = contact_permitted_many(
                    person_ids=Person.objects.filter(family_name="Bulk").values("pk"),
                    purpose="campaigning",
                    channel="email",
                )
            else:
                answer = contact_permitted_many(person_ids=ids, purpose="campaigning", channel="email")
    finally:
        checks._IN_LIST_MAX = old
    assert (
        len(ctx.captured_queries) <= 4
    )  # people, latest consents, objections in force, suppressions: any size
    assert sum(1 for ok, _ in answer.values() if ok) == 15
    assert answer[people[1].pk] == (False, "no consent")
    if not as_queryset:
        assert answer[999_999] == (False, "unknown person")
        assert org.people["member"].pk not in answer
    else:
        assert set(answer) == {p.pk for p in people}
