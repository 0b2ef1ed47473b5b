"""Anonymising consent evidence that outlived `retention.consent_evidence` (decision 0031).

A consent event is evidence for as long as it decides what may be sent, and for the retention period after
that: an event is past its period when a later event for the same person, purpose and channel superseded
it, and that later event is itself older than the period. The latest event of a (person, purpose, channel)
is never past its period, so anonymising changes no one's consent state: the checks read only the latest.

An anonymised event keeps its purpose, channel, action, time, method and wording (what the organisation
asked, and how often consent was given or withdrawn) and loses the person, who recorded it and the evidence.
The ledger's trigger lets exactly this update through (migration 0004). The caller names the people held
by an open request or case: their events are left whole. polity.dsr's retention job is the caller.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from polity.common.actor import Actor
from polity.common.errors import DomainError
from polity.consent.models import ConsentEvent

CHUNK = 5000
REMOVED = "[removed at the end of its retention period]"


@dataclass
class LedgerReport:
    anonymised: int = 0
    held: int = 0


def _superseded_before(before: datetime) -> QuerySet[ConsentEvent]:
    later = ConsentEvent.objects.filter(
        person_id=OuterRef("person_id"),
        purpose=OuterRef("purpose"),
        channel=OuterRef("channel"),
        occurred_at__lt=before,
    ).filter(
        Q(occurred_at__gt=OuterRef("occurred_at"))
        | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk"))
    )
    return ConsentEvent.objects.filter(
        person__isnull=False, anonymised_at__isnull=True, occurred_at__lt=before
    ).filter(Exists(later))


def consent_anonymise_superseded(
    *, actor: Actor, before: datetime, held: Collection[int], chunk: int = CHUNK
) -> LedgerReport:
    """Anonymise every event superseded before `before`, except those of people `held`. The system only.

    Keyset pages of `chunk` events, one transaction each: memory is bounded by the page.
    """
    if not actor.is_system:
        raise DomainError("only the system anonymises the consent ledger")
    held = frozenset(held)
    report = LedgerReport()
    due = _superseded_before(before).order_by("pk")
    last = 0
    while True:
        page = list(due.filter(pk__gt=last).values_list("pk", "person_id")[:chunk])
        if not page:
            return report
        last = page[-1][0]
        ids = [pk for pk, person in page if person not in held]
        report.held += len(page) - len(ids)
        if not ids:
            continue
        with transaction.atomic():
            # The queryset's update() refuses on purpose; this is the one update the ledger allows.
            report.anonymised += QuerySet.update(
                ConsentEvent.objects.filter(pk__in=ids),
                person=None,
                recorded_by_person=None,
                recorded_by_label="anonymised",
                evidence=REMOVED,
                anonymised_at=timezone.now(),
            )
