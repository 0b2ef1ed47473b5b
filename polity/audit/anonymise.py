"""Anonymising events that outlived the access log's retention period, with the chain still verifiable.

An event past the period loses every link to a person: who acted (account, person, label), whom it touched
(`subjects` and their index rows), a person or account named as its object, and its details (which may
name people); it keeps its number, time, verb, purpose and object kind, and stands as "anonymised". Its
content then no longer matches the hash it was written with, so each chunk of anonymised events is sealed
by an `audit.anonymise` event appended to the chain: the XOR of a keyed hash of each anonymised event's
number, original hash and new canonical form, with their count. `polity audit verify` checks the links of
anonymised events as of any other, and that the anonymised events carrying each mark make up its seal
exactly (decision 0031). Before anonymising an event the job checks its original hash, so a tampered
event is never sealed as if it were genuine.

The caller names the people whose events are held (an open request or case holds them): an event that
names one of them, as actor or subject, is left whole. This app imports no domain app; polity.dsr's
retention job is the caller.
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from polity.audit.chain import (
    ANONYMISE_VERB,
    ANONYMISED_LABEL,
    FIELDS,
    audit_key,
    canonical,
    decode_subjects,
    encode_data,
    linker,
    seal,
)
from polity.audit.models import Event, EventSubject
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError

# Object kinds whose id is a person's or an account's: cleared with the rest.
PERSON_OBJECTS = frozenset({"person", "user"})
CHUNK = 5000


class ChainBrokenError(DomainError):
    """An event due for anonymisation does not match its hash: it is left for `polity audit verify` to name."""


@dataclass
class AnonymiseReport:
    anonymised: int = 0
    held: int = 0
    seals: int = 0  # audit.anonymise events written


def _has_person() -> Q:
    return Q(actor_person_id__isnull=False) | Q(actor_user_id__isnull=False) | ~Q(subjects="")


def audit_anonymise(
    *, actor: Actor, before: datetime, held: Collection[int], chunk: int = CHUNK
) -> AnonymiseReport:
    """Anonymise every event before `before` that names a person, except those naming someone `held`.

    The system only. One transaction per chunk of `chunk` events (memory bounded by it), each sealed by
    its own `audit.anonymise` event. Raises ChainBrokenError, having anonymised only earlier chunks, when
    an event due for anonymisation does not match its original hash.
    """
    if not actor.is_system:
        raise DomainError("only the system anonymises the access log")
    held = frozenset(held)
    report = AnonymiseReport()
    due = Event.objects.filter(_has_person(), occurred_at__lt=before, anonymised_in__isnull=True)
    top = due.aggregate(top=Max("seq"))["top"]
    if top is None:
        return report
    link_ = linker(audit_key())
    last = 0
    while True:
        rows = list(
            due.filter(seq__gt=last, seq__lte=top)
            .order_by("seq")
            .values_list(*FIELDS, "prev_hash", "hash", "id")[:chunk]
        )
        if not rows:
            return report
        last = rows[-1][0]
        with transaction.atomic():
            _anonymise_chunk(actor, rows, held, link_, before, report)


def _anonymise_chunk(
    actor: Actor,
    rows: list[tuple[Any, ...]],
    held: frozenset[int],
    link_: Callable[[str, bytes], str],
    before: datetime,
    report: AnonymiseReport,
) -> None:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    acc, count, kept = 0, 0, 0
    first = None
    for row in rows:
        seq, at, _user, person, _label, verb, purpose, object_type, object_id, subjects, _data = row[:11]
        prev_hash, stored, pk = row[11], row[12], row[13]
        named = decode_subjects(subjects)
        if person in held or any(p in held for p in named):
            kept += 1
            continue
        if not hmac.compare_digest(link_(prev_hash, canonical(*row[:11])), stored):
            raise ChainBrokenError(
                f"event #{seq} does not match its hash: the access log must be verified before it is "
                "anonymised"
            )
        new_object = "" if object_type in PERSON_OBJECTS else object_id
        new_data = encode_data({"anonymised": True, "people": len(named)})
        payload = canonical(seq, at, None, None, ANONYMISED_LABEL, verb, purpose, object_type, new_object,
                            "", new_data)  # fmt: skip
        acc ^= seal(link_, stored, payload)
        count += 1
        first = seq if first is None else first
        groups[(new_object, new_data)].append(pk)
    report.held += kept
    if not count:
        return
    mark = audit_record(
        actor=actor,
        verb=ANONYMISE_VERB,
        purpose="retention",
        data={
            "before": before.isoformat(),
            "events": count,
            "from_seq": first,
            "to_seq": rows[-1][0],
            "held": kept,
            "seal": format(acc, "064x"),
        },
    )
    for (new_object, new_data), ids in groups.items():
        Event.objects.filter(pk__in=ids).update(
            actor_user_id=None,
            actor_person_id=None,
            actor_label=ANONYMISED_LABEL,
            object_id=new_object,
            subjects="",
            data=new_data,
            anonymised_in=mark.seq,
        )
    EventSubject.objects.filter(event_id__in=[pk for ids in groups.values() for pk in ids]).delete()
    report.anonymised += count
    report.seals += 1
