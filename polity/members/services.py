"""Writes to the register. Each service checks permission first, works in one transaction, and audits."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import require, require_member
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput
from polity.members import notices
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

SELF_SERVICE = "self_service"  # the payment method of a member renewing from their own page

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


# What an officer may set by hand: admitting an applicant. Everything else has its own lawful route.
_BY_HAND: dict[str, frozenset[str]] = {Status.APPLICANT: frozenset({Status.ACTIVE})}


def _route(old: str, new: str) -> str:
    """Why an officer may not set `new` by hand, naming the route to use instead."""
    if new in ADVERSE_STATUSES:
        return (
            f"{Status(new).label.lower()} is an adverse decision: it is made only by a decision in a case, "
            "after written notice and a chance to reply"
        )
    if new == Status.RESIGNED:
        return (
            "a resignation is made by the member from their own page, or recorded by an officer from the "
            "letter or email the member sent, with it attached (Record a resignation on the member's record)"
        )
    if new in (Status.LAPSED, Status.IN_ARREARS):
        return (
            f"{Status(new).label.lower()} comes only from the arrears rule of the rulebook, applied each day "
            "to the payments recorded: record a payment instead if the member paid"
        )
    if old == Status.IN_ARREARS:
        return "a member in arrears becomes active when their payment is recorded (Record a payment)"
    if old == Status.SUSPENDED:
        return "a suspension is lifted in its case (review or appeal), not on the register"
    return f"a member who is {Status(old).label.lower()} cannot become {Status(new).label.lower()} by hand"


def member_status_check(*, actor: Actor, person: Person, status: str, reason: str) -> None:
    """Everything `member_set_status` refuses, without changing anything (a page asks "are you sure?" only
    about a change that would be made)."""
    require_member(actor, person)
    require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit, visible=False)
    if not reason.strip():
        raise InvalidInput("a status change needs a reason")
    if status not in Status.values:
        raise InvalidInput(f"status: {status!r} is not one of {', '.join(Status.values)}")
    if status == Status.RESIGNED:  # only the resignation services, after the member's window
        raise DomainError(_route(person.status, status))
    if status in ADVERSE_STATUSES and not actor.is_system:
        raise DomainError(_route(person.status, status))
    if status not in _ALLOWED.get(person.status, frozenset()):
        raise DomainError(
            f"a member who is {Status(person.status).label.lower()} cannot become {Status(status).label.lower()}"
        )
    if not actor.is_system and status not in _BY_HAND.get(person.status, frozenset()):
        raise DomainError(_route(person.status, status))


def member_set_status(
    *, actor: Actor, person: Person, status: str, reason: str, on: date | None = None
) -> Person:
    """Record a status change. By hand an officer only admits an applicant; every other status has its own
    route (a case, the arrears rule, a resignation), whose system actor calls this. The member is told."""
    member_status_check(actor=actor, person=person, status=status, reason=reason)
    change = _apply_status(
        actor=actor,
        person=person,
        status=status,
        reason=reason,
        on=on or timezone.localdate(),
        by_hand=not actor.is_system,
    )
    return change.person


def _apply_status(
    *,
    actor: Actor,
    person: Person,
    status: str,
    reason: str,
    on: date,
    by_hand: bool = False,
    notify: bool = True,
) -> StatusChange:
    """Change the status under a row lock, close the period if it ends, audit, and tell the member
    (unless `notify` is False: the caller then tells a whole batch at once)."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        old = person.status
        if status not in _ALLOWED.get(old, frozenset()):
            raise DomainError(
                f"a member who is {Status(old).label.lower()} cannot become {Status(status).label.lower()}"
            )
        if by_hand and status not in _BY_HAND.get(old, frozenset()):
            raise DomainError(_route(old, status))
        period = MembershipPeriod.objects.get(person=person, ended_on__isnull=True)
        person.status = status
        person.save(update_fields=["status", "updated_at"])
        if status in ENDING_STATUSES:
            period.ended_on = max(on, period.started_on)
            period.end_status = status
            period.save(update_fields=["ended_on", "end_status"])
        change = StatusChange.objects.create(
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
        if notify:
            _tell(actor, change)
    return change


def _tell(actor: Actor, change: StatusChange) -> None:
    subject, body = notices.status_text(change.status, change.reason)
    change.dispatch_id = notices.send(
        actor=actor,
        person_ids=[change.person_id],
        subject=subject,
        body=body,
        source_type=notices.STATUS_SOURCE,
        source_id=change.pk,
    )
    change.save(update_fields=["dispatch_id"])


def _is_self(actor: Actor, person: Person) -> bool:
    return actor.person_id is not None and actor.person_id == person.pk and not actor.is_system


# A former member may rejoin by themself (renewing from their page) after these; the others apply again.
SELF_REJOIN = frozenset({Status.LAPSED, Status.RESIGNED})


def member_rejoin(*, actor: Actor, person: Person, joined_on: date, reason: str = "rejoined") -> Person:
    """A former member returns: a new membership period for the same person. The member is told.

    An officer with members.edit may record it; a member whose membership lapsed or who resigned may rejoin
    by themself (by renewing from their own page)."""
    require_member(actor, person)
    if not (_is_self(actor, person) and person.status in SELF_REJOIN):
        require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit, visible=False)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.status not in ENDING_STATUSES:
            raise DomainError(
                "only a lapsed, resigned or expelled member can rejoin; this membership is still open"
            )
        if _is_self(actor, person) and person.status not in SELF_REJOIN:
            raise Forbidden(
                "after an expulsion or a refused application, membership is applied for again through the "
                "membership officer"
            )
        period = MembershipPeriod.objects.create(person=person, started_on=joined_on)
        person.status = (
            Status.APPLICANT if person.status in (Status.EXPELLED, Status.REFUSED) else Status.ACTIVE
        )
        person.joined_on = joined_on
        person.save(update_fields=["status", "joined_on", "updated_at"])
        change = StatusChange.objects.create(
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
        _tell(actor, change)
    return person


def member_record_payment(
    *, actor: Actor, person: Person, amount_pence: int, paid_on: date, method: str = "direct_debit"
) -> Payment:
    """A subscription payment: extends paid-until by the rulebook's subscription period and clears arrears.

    Recorded by an officer with members.edit, or by the member renewing from their own page: then the method
    is "self_service" and the amount is the rulebook's subscription (membership.subscription_pence)."""
    require_member(actor, person)
    rulebook = get_rulebook()
    if _is_self(actor, person) and method == SELF_SERVICE:
        if amount_pence != rulebook.number("membership.subscription_pence"):
            raise InvalidInput("amount_pence: a member renewing pays the rulebook's subscription")
    else:
        require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit, visible=False)
    if amount_pence <= 0:
        raise InvalidInput("amount_pence: a payment must be more than zero")
    rule = rulebook.rule("membership.subscription_period")
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


_NOTICE_BATCH = 500


def members_refresh_arrears(*, actor: Actor, today: date | None = None) -> dict[str, int]:
    """Move active members into arrears, and members in arrears to lapsed, as the rulebook says.

    Each batch of changes is one transaction with one statutory notice (one dispatch) to its members."""
    if not actor.is_system:
        raise DomainError("only the system refreshes arrears")
    today = today or timezone.localdate()
    rulebook = get_rulebook()
    grace_cut = rulebook.rule("membership.arrears_grace").subtract_from(today)
    lapse_cut = rulebook.rule("membership.lapse_after").subtract_from(today)
    counts = {"in_arrears": 0, "lapsed": 0}
    steps = (
        (Status.LAPSED, "subscription unpaid", [Status.ACTIVE, Status.IN_ARREARS], lapse_cut),
        (Status.IN_ARREARS, "subscription overdue", [Status.ACTIVE], grace_cut),
    )
    for status, reason, before, cut in steps:
        while True:
            ids = list(
                Person.objects.filter(status__in=before, paid_until__lt=cut)
                .order_by("pk")
                .values_list("pk", flat=True)[:_NOTICE_BATCH]
            )
            if not ids:
                break
            with transaction.atomic():
                changes = [
                    _apply_status(
                        actor=actor,
                        person=Person(pk=pk),
                        status=status,
                        reason=reason,
                        on=today,
                        notify=False,
                    )
                    for pk in ids
                ]
                subject, body = notices.status_text(status, reason)
                dispatch_id = notices.send(
                    actor=actor,
                    person_ids=ids,
                    subject=subject,
                    body=body,
                    source_type=notices.STATUS_SOURCE,
                    source_id=f"arrears:{today.isoformat()}",
                )
                StatusChange.objects.filter(pk__in=[c.pk for c in changes]).update(dispatch_id=dispatch_id)
            counts[status] += len(ids)
    return counts


CORRECTABLE = (
    "given_name",
    "family_name",
    "email",
    "phone",
    "address_line",
    "town",
    "postcode",
    "date_of_birth",
)


def member_correct(*, actor: Actor, person: Person, reason: str, **changes: object) -> Person:
    """Correct the register entry on a rectification request: the data protection officer (dsr.handle) or
    an officer who may edit the member. The change lands on the member's history in the access log
    (which fields and why, never the values)."""
    if not reason.strip():
        raise InvalidInput("reason: say why the entry is corrected")
    from polity.access.policy import has_perm

    if not (
        has_perm(actor, Perm.DSR_HANDLE, person.home_unit)
        or has_perm(actor, Perm.MEMBERS_EDIT, person.home_unit)
    ):
        require_member(actor, person)
        raise Forbidden(
            "correcting the register takes the data protection officer or an officer who edits members"
        )
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise InvalidInput(f"{', '.join(sorted(unknown))}: not a field that can be corrected here")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        changed = []
        for name, value in changes.items():
            if name == "date_of_birth":
                value = value or None
            elif isinstance(value, str):
                value = value.strip()
                if name in {"given_name", "family_name"} and not value:
                    raise InvalidInput(f"{name}: a name cannot be empty")
                limit = getattr(Person._meta.get_field(name), "max_length", None)
                if limit and len(value) > limit:
                    raise InvalidInput(f"{name}: at most {limit} characters")
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed.append(name)
        if changed:
            person.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            verb="members.correct",
            subjects=[person.pk],
            purpose="rectification",
            object_type="person",
            object_id=person.pk,
            data={"fields": sorted(changed), "reason": reason.strip()[:200]},
        )
    return person
