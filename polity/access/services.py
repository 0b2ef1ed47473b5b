"""Writes that change who may see what: office terms and explicit grants.

Ending someone's access always needs a reason, is recorded in the log, and tells them (invariant 8).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from polity.access.models import AccessNotice, Grant, OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput
from polity.members.models import Person
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook


def office_appoint(
    *,
    actor: Actor,
    person: Person,
    office: str,
    unit: Unit,
    body: Body | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> OfficeTerm:
    """Give a person an office in a unit (or one of its bodies) for a term."""
    if not actor.is_system:
        require(actor, Perm.OFFICES_MANAGE, scope=unit, visible=False)
    office_type = get_rulebook().offices.get(office)
    if office_type is None:
        raise InvalidInput(f"office: the rulebook has no office {office!r}")
    if unit.level not in office_type.levels:
        raise InvalidInput(
            f"a {office_type.label.lower()} is an office of a {' or '.join(office_type.levels)}"
        )
    if body is not None and body.unit_id != unit.pk:
        raise InvalidInput("body: that body belongs to another unit")
    if office_type.body and (body is None or body.kind != office_type.body):
        raise InvalidInput(f"body: a {office_type.label.lower()} sits on a {office_type.body}")
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput("ends_at: a term must end after it starts")
    with transaction.atomic():
        term = OfficeTerm.objects.create(
            person=person, office=office, unit=unit, body=body, starts_at=starts_at, ends_at=ends_at
        )
        audit_record(
            actor=actor,
            verb="office.appoint",
            subjects=[person.pk],
            object_type="office_term",
            object_id=term.pk,
            data={"office": office, "unit": unit.pk},
        )
    return term


def _notify(person_id: int, subject: str, body: str, reason: str) -> None:
    AccessNotice.objects.create(
        person_id=person_id, created_at=timezone.now(), subject=subject, body=body, reason=reason
    )


def office_end(*, actor: Actor, term: OfficeTerm, reason: str, at: datetime | None = None) -> OfficeTerm:
    """End a term early. Needs a reason; the holder is told; their access ends with it."""
    if not actor.is_system:
        require(actor, Perm.OFFICES_MANAGE, scope=term.unit, visible=False)
    if not reason.strip():
        raise InvalidInput("reason: ending someone's office needs a recorded reason")
    at = at or timezone.now()
    with transaction.atomic():
        term = OfficeTerm.objects.select_for_update().get(pk=term.pk)
        if term.ends_at is not None and term.ends_at <= at:
            raise DomainError("that term has already ended")
        term.ends_at = max(at, term.starts_at + timedelta(microseconds=1))
        term.ended_reason, term.ended_by = reason, actor.label
        term.save(update_fields=["ends_at", "ended_reason", "ended_by"])
        label = (
            get_rulebook().offices[term.office].label
            if term.office in get_rulebook().offices
            else term.office
        )
        _notify(
            term.person_id,
            f"Your term as {label} has ended",
            f"Your term as {label} of {term.unit.name} was ended by {actor.label}.",
            reason,
        )
        audit_record(
            actor=actor,
            verb="office.end",
            subjects=[term.person_id],
            object_type="office_term",
            object_id=term.pk,
            data={"office": term.office, "unit": term.unit_id, "reason": reason},
        )
    return term


def grant_give(
    *,
    actor: Actor,
    person: Person,
    permissions: list[str],
    unit: Unit,
    purpose: str,
    expires_at: datetime,
    starts_at: datetime | None = None,
) -> Grant:
    """An explicit, purpose-bound grant that expires. The granter must hold every permission granted there."""
    require(actor, Perm.GRANTS_MANAGE, scope=unit, visible=False)
    known = {p.value for p in Perm}
    bad = [p for p in permissions if p not in known]
    if bad or not permissions:
        raise InvalidInput(f"permissions: unknown or empty {bad}")
    for perm in permissions:
        require(actor, Perm(perm), scope=unit, visible=False)
    if not purpose.strip():
        raise InvalidInput("purpose: a grant must name its purpose")
    starts_at = starts_at or timezone.now()
    if expires_at <= starts_at:
        raise InvalidInput("expires_at: a grant must expire after it starts")
    with transaction.atomic():
        grant = Grant.objects.create(
            person=person,
            permissions=sorted(set(permissions)),
            unit=unit,
            purpose=purpose,
            starts_at=starts_at,
            expires_at=expires_at,
            granted_by=actor.label,
        )
        audit_record(
            actor=actor,
            verb="grant.give",
            subjects=[person.pk],
            object_type="grant",
            object_id=grant.pk,
            purpose=purpose,
            data={"permissions": grant.permissions, "unit": unit.pk},
        )
    return grant


def grant_revoke(*, actor: Actor, grant: Grant, reason: str) -> Grant:
    """Revoke a grant before it expires. Needs a reason; the holder is told."""
    require(actor, Perm.GRANTS_MANAGE, scope=grant.unit, visible=False)
    if not reason.strip():
        raise InvalidInput("reason: revoking access needs a recorded reason")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise DomainError("that grant was already revoked")
        grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), actor.label, reason
        grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        _notify(
            grant.person_id,
            "Your access was revoked",
            f'Your access for "{grant.purpose}" over {grant.unit.name} was revoked by {actor.label}.',
            reason,
        )
        audit_record(
            actor=actor,
            verb="grant.revoke",
            subjects=[grant.person_id],
            object_type="grant",
            object_id=grant.pk,
            data={"reason": reason},
        )
    return grant
