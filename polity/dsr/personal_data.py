"""Holdings the dsr app registers: the access log (the audit app imports no domain app, so its
declaration lives here), and the requests a person made under their data protection rights."""

from __future__ import annotations

from collections.abc import Iterator

from polity.audit.models import Event, EventSubject
from polity.audit.selectors import verb_in_words
from polity.dsr.registry import Holding, Record, Subject, register


def _read_their_data(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    rows = (
        EventSubject.objects.filter(person_id=subject.person.pk)
        .order_by("event_id")
        .values_list("event_id", "event__occurred_at", "event__actor_label", "event__verb", "event__purpose")
        .iterator(chunk_size=5000)
    )
    for event_id, at, who, verb, purpose in rows:
        yield Record(
            kind="Use of your data",
            ref=f"event:{event_id}",
            at=at,
            fields={"When": at, "Who": who, "What": verb_in_words(verb), "Purpose": purpose},
        )


def _their_actions(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    rows = (
        Event.objects.filter(actor_person_id=subject.person.pk)
        .order_by("seq")
        .values_list("seq", "occurred_at", "verb", "purpose", "subjects")
        .iterator(chunk_size=5000)
    )
    for seq, at, verb, purpose, subjects in rows:
        count = 0 if not subjects else subjects.count(",") + 1
        yield Record(
            kind="Something you did",
            ref=f"action:{seq}",
            at=at,
            fields={"When": at, "What": verb_in_words(verb), "Purpose": purpose, "People it touched": count},
        )


register(
    Holding(
        key="audit.read_by",
        title="Who viewed or used your data",
        data="Every view of your record, search result and export that showed you, message and change: when, "
        "by whom, what and why",
        purposes=("Accountability: showing you and the data protection officer who used your data",),
        lawful_basis="legal_obligation",
        recipients="You; the data protection officer",
        retention="For the period the rulebook sets for the access log",
        retention_rule="retention.access_log",
        source="The system, as it happens",
        models=(EventSubject,),
        records=_read_their_data,
        on_erasure="keep",
        kept_because="The access log is tamper-evident and proves how your data was used; it keeps your "
        "record's number, not your name, and records that erasure happened",
        order=90,
    )
)

register(
    Holding(
        key="audit.actions",
        title="What you did in Polity, as recorded in the access log",
        data="Each recorded action of yours: when, what, why, and how many people it touched (never who)",
        purposes=("Accountability of officers",),
        lawful_basis="legal_obligation",
        recipients="The data protection officer",
        retention="For the period the rulebook sets for the access log",
        retention_rule="retention.access_log",
        source="The system, as it happens",
        models=(Event,),
        records=_their_actions,
        on_erasure="keep",
        kept_because="The access log cannot be changed without breaking its proof of integrity",
        order=91,
    )
)
