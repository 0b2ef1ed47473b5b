import pytest
from django.db import DatabaseError, connection, transaction

from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.consent.checks import contact_permitted
from polity.consent.models import AppendOnlyError, ConsentEvent
from polity.consent.selectors import consent_states
from polity.consent.services import (
    consent_record,
    consent_unsubscribe,
    suppression_add,
    unsubscribe_token,
)


def _record(org, who, whom, method, **extra):
    return consent_record(
        actor=org.actor(who),
        person=org.people[whom],
        purpose=extra.pop("purpose", "campaigning"),
        channel=extra.pop("channel", "email"),
        action=extra.pop("action", "given"),
        method=method,
        **extra,
    )


@pytest.mark.parametrize(
    ("who", "whom", "method", "evidence", "outcome"),
    [
        ("member", "member", "web_form", "", None),
        ("member", "member", "api", "", None),
        ("member", "member2", "web_form", "", NotVisible),  # another member: not even visible
        ("secretary", "member", "web_form", "", Forbidden),  # officers cannot tick a member's box
        ("regional", "member", "officer", "phone call, 3 May", None),  # members.edit over the branch
        ("regional", "member", "officer", "", InvalidInput),  # on the member's word needs evidence
        ("secretary", "member", "officer", "phone call", Forbidden),  # sees, but no members.edit
        ("regional", "outsider", "officer", "phone call", NotVisible),  # other region
        ("national", "member", "import", "spring canvass sheet", None),
        ("regional", "member", "import", "sheet", Forbidden),  # no members.import
        ("member", "member", "unsubscribe", "", Forbidden),  # only the system
    ],
)
def test_permission_table(org, who, whom, method, evidence, outcome):
    if outcome is None:
        event = _record(org, who, whom, method, evidence=evidence)
        assert event.recorded_by_person_id == org.people[who].pk
        assert contact_permitted(person_id=org.people[whom].pk, purpose="campaigning", channel="email")[0]
    else:
        with pytest.raises(outcome):
            _record(org, who, whom, method, evidence=evidence)
        assert not ConsentEvent.objects.exists()


def test_audit_event_names_the_member(org):
    event = _record(org, "regional", "member", "officer", evidence="told me at the AGM")
    audit = Event.objects.filter(verb="consent.record").get()
    assert audit.object_id == str(event.pk)
    assert list(audit.subject_rows.values_list("person_id", flat=True)) == [org.people["member"].pk]
    assert audit.actor_person_id == org.people["regional"].pk
    assert event.wording and event.evidence == "told me at the AGM"


def test_governance_cannot_be_opted_out_of_and_channels_are_checked(org):
    with pytest.raises(DomainError):
        _record(org, "member", "member", "web_form", purpose="governance", action="withdrawn")
    with pytest.raises(DomainError):
        _record(org, "member", "member", "web_form", purpose="statutory")
    with pytest.raises(InvalidInput):
        _record(org, "member", "member", "web_form", purpose="service", channel="phone")


def test_ledger_refuses_updates_and_deletes(org):
    event = _record(org, "member", "member", "web_form")
    event.action = "withdrawn"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).update(action="withdrawn")
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).delete()
    # The database itself refuses, whatever the client.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE consent_consentevent SET action = 'withdrawn' WHERE id = %s", [event.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM consent_consentevent WHERE id = %s", [event.pk])
    assert ConsentEvent.objects.get(pk=event.pk).action == "given"


def test_current_state_is_the_latest_event(org):
    _record(org, "member", "member", "web_form")
    _record(org, "member", "member", "web_form", action="withdrawn")
    states = {
        (s.purpose, s.channel): s
        for s in consent_states(actor=org.actor("member"), person=org.people["member"])
    }
    assert states[("campaigning", "email")].state == "withdrawn"
    assert states[("campaigning", "sms")].state == "not asked"
    assert states[("service", "email")].state == "sent unless withdrawn"
    assert not states[("governance", "email")].may_refuse
    assert ConsentEvent.objects.count() == 2


def test_officer_reading_consents_is_logged_and_scoped(org):
    consent_states(actor=org.actor("secretary"), person=org.people["member"])
    assert Event.objects.filter(verb="consent.view", actor_person_id=org.people["secretary"].pk).exists()
    with pytest.raises(NotVisible):
        consent_states(actor=org.actor("secretary"), person=org.people["outsider"])


def test_one_click_unsubscribe_is_idempotent_and_tamper_proof(org):
    member = org.people["member"]
    _record(org, "member", "member", "web_form")
    token = unsubscribe_token(person_id=member.pk, purpose="campaigning", channel="email")
    assert consent_unsubscribe(token=token) is not None
    assert consent_unsubscribe(token=token) is None
    assert contact_permitted(person_id=member.pk, purpose="campaigning", channel="email") == (
        False,
        "no consent",
    )
    assert ConsentEvent.objects.filter(method="unsubscribe").count() == 1
    with pytest.raises(NotVisible):
        consent_unsubscribe(token=token[:-2] + "xx")
    governance = unsubscribe_token(person_id=member.pk, purpose="governance", channel="email")
    assert consent_unsubscribe(token=governance) is None


def test_suppression_outlives_the_person_and_only_the_system_adds(org):
    member = org.people["member"]
    with pytest.raises(Forbidden):
        suppression_add(
            actor=org.actor("national"), kind="email", address=member.email, scope="all", reason="x"
        )
    row = suppression_add(
        actor=Actor.system(), kind="email", address=member.email, scope="all", reason="bounce"
    )
    assert row is not None and member.email not in row.address_hash
    assert (
        suppression_add(
            actor=Actor.system(), kind="email", address=member.email.upper(), scope="all", reason="again"
        )
        is None
    )
    assert Event.objects.filter(verb="consent.suppress").count() == 1
    # Erasure blanks the person's address: the hash still stops a new record with the same address.
    from conftest import make_person

    again = make_person(org.units["north_b_1"], "New", "Record", email=member.email)
    assert contact_permitted(person_id=again.pk, purpose="statutory", channel="email") == (
        False,
        "suppressed",
    )


def test_saying_yes_again_lifts_an_unsubscribe_suppression_but_not_a_bounce(org):
    member = org.people["member"]
    _record(org, "member", "member", "web_form")
    suppression_add(
        actor=Actor.system(), kind="email", address=member.email, scope="optional", reason="unsubscribe link"
    )
    assert contact_permitted(person_id=member.pk, purpose="campaigning", channel="email") == (
        False,
        "suppressed",
    )
    _record(org, "member", "member", "web_form")
    assert contact_permitted(person_id=member.pk, purpose="campaigning", channel="email") == (True, "ok")
    assert Event.objects.filter(verb="consent.unsuppress").count() == 1
    suppression_add(
        actor=Actor.system(), kind="email", address=member.email, scope="all", reason="hard bounce"
    )
    _record(org, "member", "member", "web_form")
    assert contact_permitted(person_id=member.pk, purpose="campaigning", channel="email") == (
        False,
        "suppressed",
    )
