"""What a member does for themself from their own page or the API: keep their contact details, renew.

(Resigning is in polity.members.resignations.) Each is refused for anyone but the member themself: another
member answers 404 (they may not see the record), an officer who may see it is told it is the member's own.

Contact details and consent: the consent ledger is kept per person, purpose and channel, not per address,
so a new email address carries the member's choices with it; the suppression list is kept per address hash,
so a suppressed (bounced or unsubscribed) address stays suppressed whoever enters it, and a new address is
judged on its own. Changing an address therefore neither records nor lifts any consent or suppression.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from polity.access.policy import require_member
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.members.models import Payment, Person, Status
from polity.members.services import (
    SELF_REJOIN,
    SELF_SERVICE,
    _is_self,
    member_record_payment,
    member_rejoin,
)
from polity.rulebook.loader import get_rulebook

CONTACT_FIELDS = ("email", "phone", "address_line", "town", "postcode")
_LIMITS = {"email": 254, "phone": 40, "address_line": 200, "town": 100, "postcode": 12}  # the columns' sizes


def _own(actor: Actor, person: Person, what: str) -> None:
    require_member(actor, person)
    if not _is_self(actor, person):
        raise Forbidden(f"{what} is done by the member themself, from their own page")


def member_update_contact(*, actor: Actor, person: Person, **contact: str) -> Person:
    """The member changes their own email, phone or postal address. The change is audited (which fields,
    never the values)."""
    _own(actor, person, "changing contact details")
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}")
    values = {key: str(value).strip() for key, value in contact.items()}
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            raise InvalidInput("email: not a valid email address") from None
    for key, value in values.items():
        limit = _LIMITS[key]
        if len(value) > limit:
            raise InvalidInput(f"{key}: at most {limit} characters")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        changed = sorted(key for key, value in values.items() if getattr(person, key) != value)
        if not changed:
            return person
        for key in changed:
            setattr(person, key, values[key])
        person.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            verb="member.update_contact",
            subjects=[person.pk],
            object_type="person",
            object_id=person.pk,
            data={"fields": changed},
        )
    return person


@dataclass(frozen=True)
class RenewalQuote:
    """What renewing now would do, shown before the member confirms."""

    amount_pence: int
    covers_until: date
    rejoins: bool


def renewal_quote(*, actor: Actor, person: Person) -> RenewalQuote:
    _own(actor, person, "renewing")
    rulebook = get_rulebook()
    today = timezone.localdate()
    rejoins = person.status in SELF_REJOIN
    start = max(today, person.paid_until) if person.paid_until else today  # as member_record_payment does
    return RenewalQuote(
        amount_pence=rulebook.number("membership.subscription_pence"),
        covers_until=rulebook.rule("membership.subscription_period").add_to(start),
        rejoins=rejoins,
    )


def member_renew(*, actor: Actor, person: Person) -> Payment:
    """The member renews: a payment of the rulebook's subscription, recorded through the same service as any
    payment. A member whose membership lapsed or who resigned rejoins first (a new membership period)."""
    _own(actor, person, "renewing")
    if person.status in (Status.EXPELLED, Status.REFUSED):
        raise Forbidden(
            "after an expulsion or a refused application, membership is applied for again through the "
            "membership officer"
        )
    today = timezone.localdate()
    with transaction.atomic():
        if person.status in SELF_REJOIN:
            person = member_rejoin(actor=actor, person=person, joined_on=today, reason="rejoined by renewing")
        return member_record_payment(
            actor=actor,
            person=person,
            amount_pence=get_rulebook().number("membership.subscription_pence"),
            paid_on=today,
            method=SELF_SERVICE,
        )
