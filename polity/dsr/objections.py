"""Restrictions and objections enforced at send time: dsr registers this check with the consent app
(DsrConfig.ready), which asks it for every purpose a person may refuse (decision 0025)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import Q

from polity.dsr.models import ProcessingStop


def stopped_people(people: Collection[int], purpose: str, at: datetime) -> set[int]:
    """Which of `people` restricted or objected to `purpose`, in force at `at`. Few rows in all: read whole
    and matched in Python, so the check is one query at any audience size."""
    stops = ProcessingStop.objects.filter(starts_at__lte=at).filter(
        Q(lifted_at__isnull=True) | Q(lifted_at__gt=at)
    )
    return {
        pid
        for pid, purposes in stops.values_list("person_id", "purposes")
        if purpose in purposes and pid in people
    }
