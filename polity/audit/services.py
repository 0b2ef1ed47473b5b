"""Writing to and checking the access log. Every domain app records through `audit_record`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from polity.audit.chain import GENESIS, Row, Verdict, audit_key, canonical, link, verify_rows
from polity.audit.models import ChainHead, Event, EventSubject
from polity.common.actor import Actor


def audit_record(
    *,
    actor: Actor,
    verb: str,
    subjects: Iterable[int] = (),
    purpose: str = "",
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event to the chain, inside the caller's transaction when there is one.

    The chain head row is locked for the append, so concurrent writers queue and the chain stays linear.
    """
    subject_ids = sorted({int(s) for s in subjects})
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            ChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
            head = ChainHead.objects.select_for_update().get(pk=1)
        seq = head.seq + 1
        occurred_at = timezone.now()
        fields: dict[str, Any] = {
            "seq": seq,
            "occurred_at": occurred_at,
            "actor_user_id": actor.user_id,
            "actor_person_id": actor.person_id,
            "actor_label": actor.label,
            "verb": verb,
            "purpose": purpose,
            "object_type": object_type,
            "object_id": str(object_id),
            "subjects": subject_ids,
            "data": data or {},
        }
        digest = link(audit_key(), head.hash, canonical(**fields))
        event = Event.objects.create(prev_hash=head.hash, hash=digest, **fields)
        if subject_ids:
            EventSubject.objects.bulk_create([EventSubject(event=event, person_id=p) for p in subject_ids])
        head.seq, head.hash = seq, digest
        head.save(update_fields=["seq", "hash"])
    return event


def audit_verify(*, chunk: int = 20_000, progress: Callable[[int], None] | None = None) -> Verdict:
    """Check the whole chain. Reads in keyset-paged chunks so memory stays flat at any size.

    `progress`, when given, is called with the number of events read after each chunk (for a progress bar).
    """
    head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first()

    def rows() -> Iterator[Row]:
        last = 0
        columns = (
            "seq",
            "occurred_at",
            "actor_user_id",
            "actor_person_id",
            "actor_label",
            "verb",
            "purpose",
            "object_type",
            "object_id",
            "subjects",
            "data",
            "prev_hash",
            "hash",
        )
        while True:
            batch = list(Event.objects.filter(seq__gt=last).order_by("seq").values_list(*columns)[:chunk])
            if not batch:
                return
            yield from batch
            last = batch[-1][0]
            if progress is not None:
                progress(len(batch))

    return verify_rows(rows(), audit_key(), head)


def audit_check(*, actor: Actor, progress: Callable[[int], None] | None = None) -> Verdict:
    """Verify the chain on request of a holder of Perm.AUDIT_VIEW, and record the verdict in the log.

    The last recorded verdict is what the audit status page shows.
    """
    from polity.access.perms import Perm  # audit's models stay free of domain imports
    from polity.access.policy import require

    require(actor, Perm.AUDIT_VIEW)
    verdict = audit_verify(progress=progress)
    audit_record(
        actor=actor,
        verb="audit.verify",
        data={
            "ok": verdict.ok,
            "checked": verdict.checked,
            "first_bad_seq": verdict.first_bad_seq,
            "problem": verdict.problem,
            "summary": str(verdict),
        },
    )
    return verdict
