"""A member keeps their own contact details and renews; nobody else does it for them through these doors."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.utils import timezone

from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput, NotVisible
from polity.consent.models import ConsentEvent, Suppression
from polity.members.models import Payment, Person, Status
from polity.members.self_service import member_renew, member_update_contact, renewal_quote
from polity.members.services import SELF_SERVICE, member_record_payment, member_set_status


def test_a_member_changes_their_own_contact_details_and_the_log_names_fields_not_values(org):
    person = org.people["member"]
    member_update_contact(
        actor=org.actor("member"), person=person, email="mina@new.example", postcode="N1 1AA"
    )
    person.refresh_from_db()
    assert (person.email, person.postcode) == ("mina@new.example", "N1 1AA")
    event = Event.objects.filter(verb="member.update_contact").get()
    assert json.loads(event.data) == {"fields": ["email", "postcode"]}
    assert "mina@new.example" not in event.data and event.subject_ids == [person.pk]


def test_an_email_change_neither_records_nor_lifts_consent_or_suppression(org):
    from polity.consent.services import suppression_add

    person = org.people["member"]
    suppression_add(
        actor=Actor.system(), kind="email", address=person.email, scope="all", reason="hard bounce"
    )
    member_update_contact(actor=org.actor("member"), person=person, email="mina@new.example")
    assert not ConsentEvent.objects.filter(person=person).exists()
    assert Suppression.objects.count() == 1  # the old address stays suppressed, whoever enters it again


@pytest.mark.parametrize(
    ("who", "error"),
    [("regional", Forbidden), ("secretary", Forbidden), ("member2", NotVisible), ("outsider", NotVisible)],
)
def test_nobody_else_changes_a_members_contact_details_here(org, who, error):
    with pytest.raises(error):
        member_update_contact(actor=org.actor(who), person=org.people["member"], email="x@example.org")
    assert Person.objects.get(pk=org.people["member"].pk).email == "mina.member@example.invalid"


def test_a_bad_address_or_field_is_refused(org):
    with pytest.raises(InvalidInput, match="email"):
        member_update_contact(actor=org.actor("member"), person=org.people["member"], email="not an address")
    with pytest.raises(InvalidInput, match="unknown fields"):
        member_update_contact(actor=org.actor("member"), person=org.people["member"], status="active")
    with pytest.raises(InvalidInput, match="postcode"):
        member_update_contact(actor=org.actor("member"), person=org.people["member"], postcode="X" * 13)


def test_a_member_renews_with_the_rulebooks_subscription_through_the_payment_service(org):
    person = org.people["member"]
    payment = member_renew(actor=org.actor("member"), person=person)
    assert (payment.amount_pence, payment.method, payment.paid_on) == (
        3600,
        SELF_SERVICE,
        timezone.localdate(),
    )
    assert Event.objects.filter(verb="member.record_payment", subject_rows__person_id=person.pk).exists()
    # The self-service door of the payment service takes only the rulebook's amount.
    with pytest.raises(InvalidInput, match="rulebook's subscription"):
        member_record_payment(
            actor=org.actor("member"),
            person=person,
            amount_pence=1,
            paid_on=date.today(),
            method=SELF_SERVICE,
        )
    with pytest.raises(Forbidden):
        member_record_payment(
            actor=org.actor("member"), person=person, amount_pence=3600, paid_on=date.today()
        )


def test_a_lapsed_member_renewing_rejoins_with_a_new_period(org):
    person = org.people["member"]
    Person.objects.filter(pk=person.pk).update(paid_until=date(2025, 1, 1))
    member_set_status(actor=Actor.system("arrears"), person=person, status=Status.LAPSED, reason="unpaid")
    person.refresh_from_db()
    quote = renewal_quote(actor=org.actor("member"), person=person)
    assert quote.rejoins and quote.amount_pence == 3600
    member_renew(actor=org.actor("member"), person=person)
    person.refresh_from_db()
    assert person.status == Status.ACTIVE and person.periods.count() == 2
    assert person.paid_until == quote.covers_until


def test_an_expelled_member_applies_again_through_the_officer(org):
    person = org.people["member"]
    member_set_status(actor=Actor.system("case C-1"), person=person, status=Status.EXPELLED, reason="C-1")
    person.refresh_from_db()
    with pytest.raises(Forbidden, match="membership officer"):
        member_renew(actor=org.actor("member"), person=person)
    assert not Payment.objects.filter(person=person).exists()


@pytest.mark.parametrize(("who", "error"), [("regional", Forbidden), ("member2", NotVisible)])
def test_nobody_renews_for_a_member_here(org, who, error):
    with pytest.raises(error):
        member_renew(actor=org.actor(who), person=org.people["member"])
