"""Reads of consent: a member's current choices, and the history behind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from polity.access.policy import require_member
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.consent.models import ConsentEvent
from polity.members.models import Person
from polity.rulebook.loader import get_rulebook


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    purpose_label: str
    basis: str
    channel: str
    state: str  # "given", "withdrawn", "not asked" (required) / "sent unless withdrawn" (opt-out)
    may_refuse: bool
    since: datetime | None
    method: str


def consent_states(*, actor: Actor, person: Person) -> list[ConsentState]:
    """Every purpose and channel with its current state, derived from the latest ledger event.

    Anyone but the member themselves reading this is recorded in the access log.
    """
    require_member(actor, person)
    if actor.person_id != person.pk:
        audit_record(
            actor=actor, verb="consent.view", subjects=[person.pk], purpose="consent", object_type="person"
        )
    latest: dict[tuple[str, str], ConsentEvent] = {}
    for row in ConsentEvent.objects.filter(person=person).order_by("occurred_at", "id"):
        latest[(row.purpose, row.channel)] = row
    out: list[ConsentState] = []
    for key, purpose in get_rulebook().purposes.items():
        for channel in purpose.channels:
            event: ConsentEvent | None = latest.get((key, channel)) if purpose.may_refuse else None
            if not purpose.may_refuse:
                state = "always sent (no opt-out)"
            elif event is not None:
                state = event.action
            else:
                state = "not asked" if purpose.consent == "required" else "sent unless withdrawn"
            out.append(
                ConsentState(
                    purpose=key,
                    purpose_label=purpose.label,
                    basis=purpose.basis,
                    channel=channel,
                    state=state,
                    may_refuse=purpose.may_refuse,
                    since=event.occurred_at if event else None,
                    method=event.method if event else "",
                )
            )
    return out


def consent_history(*, actor: Actor, person: Person) -> list[ConsentEvent]:
    """The ledger for one person, newest first (the member, or an officer who may see them: logged)."""
    require_member(actor, person)
    if actor.person_id != person.pk:
        audit_record(
            actor=actor, verb="consent.view", subjects=[person.pk], purpose="consent", object_type="person"
        )
    return list(ConsentEvent.objects.filter(person=person).order_by("-occurred_at", "-id"))


def my_person(*, actor: Actor) -> Person:
    """The actor's own register entry (members only); accounts without one answer NotVisible."""
    from polity.common.errors import NotVisible

    person = (
        Person.objects.select_related("home_unit").filter(pk=actor.person_id).first()
        if actor.person_id
        else None
    )
    if person is None:
        raise NotVisible("not found")
    return person


def person_for_consent(*, actor: Actor, person_id: int) -> Person:
    """A member the actor may see (for an officer recording consent on the member's word)."""
    from polity.common.errors import NotVisible

    person = Person.objects.select_related("home_unit").filter(pk=person_id).first()
    if person is None:
        raise NotVisible("not found")
    require_member(actor, person)
    return person
