"""Helpers shared by the outbox tests."""

from __future__ import annotations


def give_consent(person, purpose: str = "campaigning", channel: str = "email", action: str = "given"):  # type: ignore[no-untyped-def]
    """The member's own web-form consent (or withdrawal), through the consent service."""
    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.consent.services import consent_record

    user = User.objects.filter(person=person).first()
    actor = Actor.for_user(user) if user else Actor(user_id=None, person_id=person.pk, label="member")
    return consent_record(
        actor=actor, person=person, purpose=purpose, channel=channel, action=action, method="web_form"
    )
