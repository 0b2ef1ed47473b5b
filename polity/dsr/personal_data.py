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
        kept_because="The access log cannot be changed without breaking its proof of integrity",
        order=91,
    )
)


def _requests(subject: Subject) -> Iterator[Record]:
    from django.db.models import Q

    from polity.dsr.models import Request

    where = Q(pk__in=[])
    if subject.person is not None:
        where |= Q(person_id=subject.person.pk)
    for email in subject.all_emails():
        where |= Q(requester_email__iexact=email)
    for r in Request.objects.filter(where).order_by("received_at"):
        yield Record(
            kind="Data protection request",
            ref=f"dsr:{r.pk}",
            at=r.received_at,
            fields={
                "Reference": r.reference,
                "Kind": r.get_kind_display(),
                "State": r.get_state_display(),
                "Received": r.received_on,
                "Due": r.due_on,
                "What you asked": r.details,
                "Identity checked with": r.identity_evidence,
                "Reasons for more time": r.extension_reasons,
                "Answer": r.answer,
            },
        )


def _register_requests() -> None:
    from polity.dsr.models import (
        Anonymised,
        Delivery,
        Erasure,
        Pause,
        PendingRequest,
        ProcessingStop,
        Redaction,
        Request,
    )

    register(
        Holding(
            key="dsr.requests",
            title="Your data protection requests",
            data="Each request you made about your data: what you asked, how your identity was checked, the "
            "dates, the answer, what was withheld and sent, uses of your data you stopped",
            purposes=("Answering your requests as the law requires, and showing that we did",),
            lawful_basis="legal_obligation",
            recipients="The data protection officer",
            retention="For the period the rulebook sets for the access log",
            retention_rule="retention.access_log",
            source="You, and the data protection officer",
            models=(Request, Pause, Redaction, Delivery, PendingRequest, Erasure, ProcessingStop, Anonymised),
            records=_requests,
            kept_because="We must be able to show how we answered your request, including this one",
            order=95,
        )
    )


_register_requests()
