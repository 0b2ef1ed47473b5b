"""Writes on the consent ledger and the suppression list. Every change is in the access log.

Who may record what:
- a member, for themselves (web form or API);
- an officer with `members.edit` over the member's branch, on the member's word, with evidence;
- an officer with `members.import` over the branch, from an import (evidence names the source);
- the system, for one-click unsubscribe links and suppressions from bounces and complaints.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db import transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import is_operator, require, require_member
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.consent.addresses import address_hash, address_kind
from polity.consent.models import Action, ConsentEvent, Method, Suppression, SuppressionScope
from polity.members.models import Person
from polity.rulebook.loader import Purpose, get_rulebook

UNSUBSCRIBE_SALT = "polity.consent.unsubscribe"
SELF_METHODS = frozenset({Method.WEB_FORM, Method.API})


def consent_wording(purpose: str, channel: str) -> str:
    """The sentence a member is shown (or told) when asked; stored with every event."""
    rulebook = get_rulebook()
    label = rulebook.purpose(purpose).label.lower()
    return f"I agree that {rulebook.name} may contact me by {channel} for: {label}. I can withdraw this at any time."


def _refusable_purpose(purpose: str, channel: str) -> Purpose:
    rule = get_rulebook().purposes.get(purpose)
    if rule is None:
        raise InvalidInput(f"purpose: unknown purpose {purpose!r}")
    if not rule.may_refuse:
        raise DomainError(f"{rule.label} need no consent and cannot be opted out of")
    if channel not in rule.channels:
        raise InvalidInput(f"channel: {rule.label} are not sent by {channel!r}")
    return rule


def _check_recorder(actor: Actor, person: Person, method: str, evidence: str) -> None:
    if method in SELF_METHODS:
        if actor.person_id != person.pk:
            require_member(actor, person)
            raise Forbidden("a member changes their own consent; officers record it with evidence")
        return
    if method == Method.OFFICER:
        require_member(actor, person)
        require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit, visible=False)
        if not evidence.strip():
            raise InvalidInput("evidence: say when and how the member told you (e.g. 'phone call 3 May')")
        return
    if method == Method.IMPORT:
        require_member(actor, person)
        require(actor, Perm.MEMBERS_IMPORT, scope=person.home_unit, visible=False)
        if not evidence.strip():
            raise InvalidInput("evidence: name the import source")
        return
    if method == Method.UNSUBSCRIBE and actor.is_system:
        return
    raise Forbidden(f"method {method!r} is not available to you")


def consent_record(
    *,
    actor: Actor,
    person: Person,
    purpose: str,
    channel: str,
    action: str,
    method: str,
    wording: str = "",
    evidence: str = "",
    at: datetime | None = None,
) -> ConsentEvent:
    """Append one consent event (given or withdrawn) for a person, purpose and channel."""
    _check_recorder(actor, person, method, evidence)
    _refusable_purpose(purpose, channel)
    if action not in Action.values:
        raise InvalidInput("action: must be 'given' or 'withdrawn'")
    wording = wording.strip() or consent_wording(purpose, channel)
    with transaction.atomic():
        event = ConsentEvent.objects.create(
            person=person,
            purpose=purpose,
            channel=channel,
            action=action,
            occurred_at=at or timezone.now(),
            method=method,
            recorded_by_person_id=actor.person_id,
            recorded_by_label=actor.label,
            evidence=evidence.strip(),
            wording=wording,
        )
        audit_record(
            actor=actor,
            verb="consent.record",
            subjects=[person.pk],
            purpose="consent",
            object_type="consent.event",
            object_id=event.pk,
            data={"purpose": purpose, "channel": channel, "action": action, "method": method},
        )
        if action == Action.GIVEN and method != Method.IMPORT:
            _lift_optional_suppression(actor, person, channel)
    return event


def _lift_optional_suppression(actor: Actor, person: Person, channel: str) -> None:
    """A member who says yes again (themselves, or to an officer) lifts an unsubscribe-link suppression
    of their current address. Bounces and complaints (scope "all") stay."""
    kind = address_kind(channel)
    if kind is None:
        return
    digest = address_hash(kind, person.email if kind == "email" else person.phone)
    if not digest:
        return
    lifted, _ = Suppression.objects.filter(
        kind=kind, address_hash=digest, scope=SuppressionScope.OPTIONAL
    ).delete()
    if lifted:
        audit_record(
            actor=actor,
            verb="consent.unsuppress",
            subjects=[person.pk],
            purpose="consent",
            object_type="person",
            object_id=person.pk,
            data={"kind": kind},
        )


def unsubscribe_token(*, person_id: int, purpose: str, channel: str) -> str:
    """A signed token for a one-click unsubscribe link (RFC 8058): no login needed, no expiry."""
    return signing.dumps({"p": person_id, "u": purpose, "c": channel}, salt=UNSUBSCRIBE_SALT, compress=True)


def consent_unsubscribe(*, token: str) -> ConsentEvent | None:
    """Withdraw the consent a link names. Idempotent: a second click records nothing new.

    Purposes that cannot be opted out of answer None (the link is never put on them).
    """
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        person = Person.objects.get(pk=int(data["p"]))
        purpose, channel = str(data["u"]), str(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, Person.DoesNotExist):
        raise NotVisible("not found") from None
    rule = get_rulebook().purposes.get(purpose)
    if rule is None or not rule.may_refuse or channel not in rule.channels:
        return None
    latest = (
        ConsentEvent.objects.filter(person=person, purpose=purpose, channel=channel)
        .order_by("-occurred_at", "-id")
        .values_list("action", flat=True)
        .first()
    )
    if latest == Action.WITHDRAWN:
        return None
    return consent_record(
        actor=Actor.system("unsubscribe link"),
        person=person,
        purpose=purpose,
        channel=channel,
        action=Action.WITHDRAWN,
        method=Method.UNSUBSCRIBE,
        wording="One-click unsubscribe link in a message",
    )


def suppression_add(*, actor: Actor, kind: str, address: str, scope: str, reason: str) -> Suppression | None:
    """Suppress an address (bounce, complaint, erasure). Only the system does this. Idempotent.

    Returns None when the address is empty or already suppressed with that scope.
    """
    if not is_operator(actor):
        raise Forbidden("only the system suppresses addresses")
    if kind not in ("email", "phone") or scope not in SuppressionScope.values:
        raise InvalidInput("kind must be 'email' or 'phone'; scope 'all' or 'optional'")
    digest = address_hash(kind, address)
    if not digest or not reason.strip():
        return None
    with transaction.atomic():
        if Suppression.objects.filter(kind=kind, address_hash=digest, scope=scope).exists():
            return None
        row = Suppression.objects.create(
            kind=kind,
            address_hash=digest,
            scope=scope,
            reason=reason.strip()[:200],
            created_at=timezone.now(),
            created_by_label=actor.label,
        )
        audit_record(
            actor=actor,
            verb="consent.suppress",
            purpose="consent",
            object_type="consent.suppression",
            object_id=row.pk,
            data={"kind": kind, "scope": scope, "reason": row.reason},
        )
    return row
