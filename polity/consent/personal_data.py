"""What the consent app holds about a person (polity/dsr/registry.py): the consent ledger, and whether
their addresses are on the suppression list (kept as hashes, so it outlives erasure)."""

from __future__ import annotations

from collections.abc import Iterator

from polity.consent.addresses import address_hash
from polity.consent.models import ConsentEvent, Suppression
from polity.dsr.registry import Holding, Mention, Record, Subject, register


def _ledger(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    pid = subject.person.pk
    for e in ConsentEvent.objects.filter(person_id=pid):
        yield Record(
            kind="Consent",
            ref=f"consent:{e.pk}",
            at=e.occurred_at,
            fields={
                "Purpose": e.purpose,
                "Channel": e.get_channel_display(),
                "Given or withdrawn": e.get_action_display(),
                "How": e.get_method_display(),
                "Recorded by": e.recorded_by_label,
                "Evidence": e.evidence,
                "Wording you were shown": e.wording,
            },
        )
    # Consent an officer recorded for other members: the other member is redacted.
    for e in (
        ConsentEvent.objects.filter(recorded_by_person_id=pid).exclude(person_id=pid).select_related("person")
    ):
        yield Record(
            kind="Consent you recorded for a member",
            ref=f"consent_recorded:{e.pk}",
            at=e.occurred_at,
            fields={
                "Member": e.person.full_name if e.person else "",
                "Purpose": e.purpose,
                "Given or withdrawn": e.get_action_display(),
            },
            mentions=(Mention(field="Member", person_id=e.person_id),),
        )


def _hashes(subject: Subject) -> list[str]:
    found = [address_hash("email", e) for e in subject.all_emails()]
    if subject.person is not None and subject.person.phone:
        found.append(address_hash("phone", subject.person.phone))
    return [h for h in found if h]


def _suppressed(subject: Subject) -> Iterator[Record]:
    for s in Suppression.objects.filter(address_hash__in=_hashes(subject)):
        yield Record(
            kind="Address not to be written to",
            ref=f"suppression:{s.pk}",
            at=s.created_at,
            fields={
                "Kind of address": s.kind,
                "Which messages": s.get_scope_display(),
                "Reason": s.reason,
                "Since": s.created_at,
            },
        )


register(
    Holding(
        key="consent.ledger",
        title="Your consent to campaigning and other optional messages",
        data="Each time you gave or withdrew consent: purpose, channel, how and by whom it was recorded, the "
        "wording you were shown, evidence an officer kept",
        purposes=("Writing to you only as you agreed", "Proving what you agreed to"),
        lawful_basis="legal_obligation",
        recipients="Officers sending messages see counts only, never your choices one by one",
        retention="For the period the rulebook sets for consent evidence",
        retention_rule="retention.consent_evidence",
        source="You, or an officer on your word with evidence",
        models=(ConsentEvent,),
        records=_ledger,
        kept_because="The record of consent is the proof the law asks for; it is kept for the period the "
        "rulebook sets and names only your anonymised record",
        order=40,
    )
)

register(
    Holding(
        key="consent.suppression",
        title="Addresses not to be written to",
        data="A one-way hash of an email address or phone number, the messages it must not receive and why",
        purposes=("Never writing again to someone who asked us to stop, or whose address bounces",),
        lawful_basis="legal_obligation",
        recipients="No one: checked by the system at send time",
        retention="Indefinitely: it is what stops a later import from writing to you again",
        source="Your unsubscribe, a bounce, or your request to erase your data",
        models=(Suppression,),
        records=_suppressed,
        kept_because="Suppression is kept as a hash so no later import can bring your address back",
        order=41,
    )
)
