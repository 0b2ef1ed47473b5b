"""What the outbox holds about a person (polity/dsr/registry.py): every message sent to them, with its
delivery; and, on demo installations, mail caught by the development mail catcher."""

from __future__ import annotations

from collections.abc import Iterator

from polity.dsr.registry import Holding, Record, Subject, register
from polity.outbox.models import CaughtMail, OutboxEntry


def _sent(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    entries = (
        OutboxEntry.objects.filter(person_id=subject.person.pk)
        .select_related("dispatch")
        .order_by("id")
        .iterator(chunk_size=2000)
    )
    for e in entries:
        d = e.dispatch
        yield Record(
            kind="Message sent to you",
            ref=f"outbox:{e.pk}",
            at=e.sent_at or d.created_at,
            fields={
                "Purpose": d.purpose,
                "Channel": d.get_channel_display(),
                "Subject": d.subject,
                "Delivery": e.get_state_display(),
                "Why not sent": e.skip_reason,
                "Sent": e.sent_at,
            },
        )


def _caught(subject: Subject) -> Iterator[Record]:
    emails = set(subject.all_emails())
    if not emails:
        return
    for mail in CaughtMail.objects.order_by("id").iterator(chunk_size=500):
        if emails & {str(r).strip().lower() for r in mail.rcpt_to}:
            yield Record(
                kind="Mail caught by the demo mail catcher",
                ref=f"caught:{mail.pk}",
                at=mail.received_at,
                fields={"Subject": mail.subject, "Received": mail.received_at},
            )


def _erase_sent(person_ids: list[int], emails: list[str]) -> int:
    """The delivery counts stay; who received each message does not."""
    return OutboxEntry.objects.filter(person_id__in=person_ids).update(person=None)


def _erase_caught(person_ids: list[int], emails: list[str]) -> int:
    wanted = {e.lower() for e in emails}
    doomed = [
        pk
        for pk, rcpt in CaughtMail.objects.values_list("pk", "rcpt_to").iterator(chunk_size=500)
        if wanted & {str(r).strip().lower() for r in rcpt}
    ]
    return CaughtMail.objects.filter(pk__in=doomed).delete()[0] if doomed else 0


register(
    Holding(
        key="outbox.sent",
        title="Messages sent to you",
        data="Each message: purpose, channel, subject, whether and when it was delivered (your address is read "
        "from the register at the moment of sending and not kept here)",
        purposes=("Delivering notices and messages", "Showing that statutory notices reached you"),
        lawful_basis="legitimate_interest",
        recipients="The officers who sent the message see delivery counts, not who received it",
        retention="With your membership record",
        retention_rule="retention.lapsed_member_record",
        source="The system, when officers or automations send",
        models=(OutboxEntry,),
        records=_sent,
        erase=_erase_sent,
        order=60,
    )
)

register(
    Holding(
        key="outbox.caught",
        title="Mail caught by a demonstration installation",
        data="Copies of messages addressed to you on a demonstration or test installation, which never leave it",
        purposes=("Showing what a demonstration installation would send",),
        lawful_basis="legitimate_interest",
        recipients="The operator of the installation",
        retention="Until the demonstration database is rebuilt",
        source="The system",
        models=(CaughtMail,),
        records=_caught,
        erase=_erase_caught,
        order=61,
    )
)
