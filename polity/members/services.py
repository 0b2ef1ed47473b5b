"""Writes to the register. Each service checks permission first, works in one transaction, and audits."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import require, require_member
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput
from polity.members.models import (
    ADVERSE_STATUSES,
    ENDING_STATUSES,
    MembershipPeriod,
    Payment,
    Person,
    Status,
    StatusChange,
    Transfer,
)
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

# Transitions an officer may record by hand; arrears and lapse are computed from payments.
_ALLOWED: dict[str, frozenset[str]] = {
    Status.APPLICANT: frozenset({Status.ACTIVE, Status.RESIGNED, Status.REFUSED}),
    Status.ACTIVE: frozenset(
        {Status.IN_ARREARS, Status.LAPSED, Status.SUSPENDED, Status.EXPELLED, Status.RESIGNED, Status.REFUSED}
    ),
    Status.IN_ARREARS: frozenset(
        {Status.ACTIVE, Status.LAPSED, Status.SUSPENDED, Status.EXPELLED, Status.RESIGNED}
    ),
    Status.SUSPENDED: frozenset(
        {Status.ACTIVE, Status.IN_ARREARS, Status.EXPELLED, Status.RESIGNED, Status.LAPSED}
    ),
    Status.LAPSED: frozenset(),
    Status.EXPELLED: frozenset(),
    Status.RESIGNED: frozenset(),
    Status.REFUSED: frozenset(),
}

PERSONAL_FIELDS = (
    "given_name",
    "family_name",
    "email",
    "phone",
    "address_line",
    "town",
    "postcode",
    "date_of_birth",
)


def _branch(unit: Unit) -> None:
    leaf = get_rulebook().levels[-1]
    if unit.level != leaf:
        raise InvalidInput(f"a member's home unit must be a {leaf}; {unit.name} is a {unit.level}")


def member_join(
    *,
    actor: Actor,
    home_unit: Unit,
    joined_on: date,
    status: str = Status.ACTIVE,
    membership_number: str,
    paid_until: date | None = None,
    **personal: object,
) -> Person:
    """Put a new person on the register with a first membership period."""
    require(actor, Perm.MEMBERS_EDIT, scope=home_unit, visible=False)
    _branch(home_unit)
    unknown = set(personal) - set(PERSONAL_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        person = Person.objects.create(
            home_unit=home_unit,
            joined_on=joined_on,
            status=status,
            membership_number=membership_number,
            paid_until=paid_until,
            **personal,
        )
        period = MembershipPeriod.objects.create(person=person, started_on=joined_on)
        StatusChange.objects.create(
            person=person,
            period=period,
            status=status,
            changed_at=timezone.now(),
            reason="joined",
            actor_label=actor.label,
        )
        audit_record(
            actor=actor,
            verb="member.join",
            subjects=[person.pk],
            object_type="person",
            object_id=person.pk,
            data={"unit": home_unit.pk, "status": status},
        )
    return person


def member_set_status(
    *, actor: Actor, person: Person, status: str, reason: str, on: date | None = None
) -> Person:
    """Record a status change; an ending status closes the current membership period."""
    require_member(actor, person)
    require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit, visible=False)
    if not reason.strip():
        raise InvalidInput("a status change needs a reason")
    if status not in Status.values:
        raise InvalidInput(f"status: {status!r} is not one of {', '.join(Status.values)}")
    if status in ADVERSE_STATUSES and not actor.is_system:
        raise DomainError(
            f"{Status(status).label.lower()} is an adverse decision: it is made only by a decision in a case, "
            "after written notice and a chance to reply"
        )
    return _apply_status(
        actor=actor, person=person, status=status, reason=reason, on=on or timezone.localdate()
    )


def _apply_status(*, actor: Actor, person: Person, status: str, reason: str, on: date) -> Person:
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        old = person.status
        if status not in _ALLOWED.get(old, frozenset()):
            raise DomainError(
                f"a member who is {Status(old).label.lower()} cannot become {Status(status).label.lower()}"
            )
        period = MembershipPeriod.objects.get(person=person, ended_on__isnull=True)
        person.status = status
        person.save(update_fields=["status", "updated_at"])
        if status in ENDING_STATUSES:
            period.ended_on = max(on, period.started_on)
            period.end_status = status
            period.save(update_fields=["ended_on", "end_status"])
        StatusChange.objects.create(
            person=person,
            period=period,
            status=status,
            changed_at=timezone.now(),
            reason=reason,
            actor_label=actor.label,
        )
        audit_record(
            actor=actor,
            verb="member.set_status",
            subjects=[person.pk],
            object_type="person",
            object_id=person.pk,
            data={"from": old, "to": status},
        )
    return person


def member_rejoin(*, actor: Actor, person: Person, joined_on: date, reason: str = "rejoined") -> Person:
    """A former member returns: a new membership period for the same person."""
    require_member(actor, person)
    require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit, visible=False)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.status not in ENDING_STATUSES:
            raise DomainError(
                "only a lapsed, resigned or expelled member can rejoin; this membership is still open"
            )
        period = MembershipPeriod.objects.create(person=person, started_on=joined_on)
        person.status = (
            Status.APPLICANT if person.status in (Status.EXPELLED, Status.REFUSED) else Status.ACTIVE
        )
        person.joined_on = joined_on
        person.save(update_fields=["status", "joined_on", "updated_at"])
        StatusChange.objects.create(
            person=person,
            period=period,
            status=person.status,
            changed_at=timezone.now(),
            reason=reason,
            actor_label=actor.label,
        )
        audit_record(
            actor=actor,
            verb="member.rejoin",
            subjects=[person.pk],
            object_type="person",
            object_id=person.pk,
            data={"period": period.pk, "status": person.status},
        )
    return person


def member_record_payment(
    *, actor: Actor, person: Person, amount_pence: int, paid_on: date, method: str = "direct_debit"
) -> Payment:
    """A subscription payment: extends paid-until by the rulebook's subscription period and clears arrears."""
    require_member(actor, person)
    require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit, visible=False)
    if amount_pence <= 0:
        raise InvalidInput("amount_pence: a payment must be more than zero")
    rule = get_rulebook().rule("membership.subscription_period")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        start = max(paid_on, person.paid_until) if person.paid_until else paid_on
        covers_until = rule.add_to(start)
        payment = Payment.objects.create(
            person=person,
            amount_pence=amount_pence,
            paid_on=paid_on,
            covers_until=covers_until,
            method=method,
            recorded_by=actor.label,
        )
        person.paid_until = covers_until
        person.save(update_fields=["paid_until", "updated_at"])
        audit_record(
            actor=actor,
            verb="member.record_payment",
            subjects=[person.pk],
            object_type="person",
            object_id=person.pk,
            data={"payment": payment.pk, "rule": rule.key, "version": rule.version},
        )
        if person.status == Status.IN_ARREARS:
            _apply_status(
                actor=actor, person=person, status=Status.ACTIVE, reason="payment received", on=paid_on
            )
    return payment


def member_transfer(*, actor: Actor, person: Person, to_unit: Unit, reason: str) -> Transfer:
    """Move a member to another branch in one step; the old unit's access to them ends with it."""
    require_member(actor, person)
    require(actor, Perm.MEMBERS_TRANSFER, scope=person.home_unit, visible=False)
    require(actor, Perm.MEMBERS_TRANSFER, scope=to_unit, visible=False)
    _branch(to_unit)
    if not reason.strip():
        raise InvalidInput("a transfer needs a reason")
    if to_unit.pk == person.home_unit_id:
        raise DomainError("the member is already in that branch")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        transfer = Transfer.objects.create(
            person=person,
            from_unit_id=person.home_unit_id,
            to_unit=to_unit,
            at=timezone.now(),
            reason=reason,
            actor_label=actor.label,
        )
        person.home_unit = to_unit
        person.save(update_fields=["home_unit", "updated_at"])
        audit_record(
            actor=actor,
            verb="member.transfer",
            subjects=[person.pk],
            object_type="person",
            object_id=person.pk,
            data={"from": transfer.from_unit_id, "to": to_unit.pk},
        )
    return transfer


def arrears_status(paid_until: date | None, today: date) -> str | None:
    """Which status payments imply today: active, in arrears, lapsed (None: no payment record yet)."""
    if paid_until is None:
        return None
    rulebook = get_rulebook()
    if today > rulebook.rule("membership.lapse_after").add_to(paid_until):
        return Status.LAPSED
    if today > rulebook.rule("membership.arrears_grace").add_to(paid_until):
        return Status.IN_ARREARS
    return Status.ACTIVE


def members_refresh_arrears(*, actor: Actor, today: date | None = None) -> dict[str, int]:
    """Move active members into arrears, and members in arrears to lapsed, as the rulebook says."""
    if not actor.is_system:
        raise DomainError("only the system refreshes arrears")
    today = today or timezone.localdate()
    rulebook = get_rulebook()
    grace_cut = rulebook.rule("membership.arrears_grace").subtract_from(today)
    lapse_cut = rulebook.rule("membership.lapse_after").subtract_from(today)
    counts = {"in_arrears": 0, "lapsed": 0}
    to_lapse = Person.objects.filter(status__in=[Status.ACTIVE, Status.IN_ARREARS], paid_until__lt=lapse_cut)
    for person in to_lapse.iterator():
        _apply_status(
            actor=actor, person=person, status=Status.LAPSED, reason="subscription unpaid", on=today
        )
        counts["lapsed"] += 1
    to_arrears = Person.objects.filter(status=Status.ACTIVE, paid_until__lt=grace_cut)
    for person in to_arrears.iterator():
        _apply_status(
            actor=actor, person=person, status=Status.IN_ARREARS, reason="subscription overdue", on=today
        )
        counts["in_arrears"] += 1
    return counts
