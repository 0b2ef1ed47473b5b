"""Members' calendar feeds: an address with a secret, of which only a hash is kept; renewing or revoking
it makes the old address stop working. The feed lists the meetings the member may attend."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.meetings.ics import calendar
from polity.meetings.models import CalendarFeed
from polity.meetings.selectors import my_meetings


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii", "ignore")).hexdigest()


def feed_state(*, actor: Actor) -> CalendarFeed | None:
    if actor.person_id is None:
        return None
    return CalendarFeed.objects.filter(person_id=actor.person_id).first()


def feed_renew(*, actor: Actor) -> str:
    """A new secret address for my feed (the old one, if any, stops working). Returns the secret."""
    if actor.person_id is None:
        raise NotVisible("not found")
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            person_id=actor.person_id, defaults={"secret_hash": _hash(secret), "created_at": timezone.now()}
        )
        audit_record(
            actor=actor, verb="meetings.feed_renew", purpose="governance", subjects=[actor.person_id]
        )
    return secret


def feed_revoke(*, actor: Actor) -> None:
    if actor.person_id is None:
        raise NotVisible("not found")
    with transaction.atomic():
        CalendarFeed.objects.filter(person_id=actor.person_id).delete()
        audit_record(
            actor=actor, verb="meetings.feed_revoke", purpose="governance", subjects=[actor.person_id]
        )


def feed_calendar(*, secret: str) -> str | None:
    """The calendar of the feed this secret opens, or None."""
    if not secret or len(secret) > 100:
        return None
    found = CalendarFeed.objects.filter(secret_hash=_hash(secret)).first()
    if found is None:
        return None
    actor = Actor(user_id=None, person_id=found.person_id, label="calendar feed")
    return calendar(my_meetings(actor=actor), name="My meetings", now=timezone.now())
