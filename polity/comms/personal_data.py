"""What the communications app holds about a person (polity/dsr/registry.py): automations sent to them,
and audiences and messages they wrote as an officer."""

from __future__ import annotations

from collections.abc import Iterator

from polity.comms.models import Audience, AutomationSend, Message
from polity.dsr.registry import Holding, Record, Subject, register


def _automations(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    for a in AutomationSend.objects.filter(person_id=subject.person.pk).select_related("message"):
        yield Record(
            kind="Automatic message",
            ref=f"automation:{a.pk}",
            at=a.sent_at,
            fields={"Which": a.kind, "Subject": a.message.subject, "Sent": a.sent_at},
        )


def _authored(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    pid = subject.person.pk
    for aud in Audience.objects.filter(created_by_person_id=pid).select_related("unit"):
        yield Record(
            kind="Audience you built",
            ref=f"audience:{aud.pk}",
            at=aud.created_at,
            fields={"Name": aud.name, "Unit": aud.unit.name},
        )
    for m in Message.objects.filter(created_by_person_id=pid).select_related("unit"):
        yield Record(
            kind="Message you wrote",
            ref=f"message:{m.pk}",
            at=m.created_at,
            fields={
                "Unit": m.unit.name,
                "Purpose": m.purpose,
                "Subject": m.subject,
                "State": m.get_state_display(),
                "Recipients": m.recipients,
            },
        )


def _erase_automations(person_ids: list[int], emails: list[str]) -> int:
    return AutomationSend.objects.filter(person_id__in=person_ids).delete()[0]


register(
    Holding(
        key="comms.automations",
        title="Welcome, renewal and arrears messages sent to you automatically",
        data="Which automatic message was sent to you and when",
        purposes=("Membership service messages",),
        lawful_basis="contract",
        recipients="No one: officers see counts",
        retention="With your membership record",
        retention_rule="retention.lapsed_member_record",
        source="The system",
        models=(AutomationSend,),
        records=_automations,
        erase=_erase_automations,
        order=62,
    )
)

register(
    Holding(
        key="comms.authored",
        title="Audiences and messages you wrote as an officer",
        data="Your name as the author of audiences and messages",
        purposes=("Accountability for messages sent in the organisation's name",),
        lawful_basis="legitimate_interest",
        recipients="Officers of the unit and the approving unit",
        retention="With the message",
        source="You, as an officer",
        models=(Audience, Message),
        records=_authored,
        order=63,
    )
)
