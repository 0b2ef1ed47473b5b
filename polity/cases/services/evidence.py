"""Evidence files: stored through the configured storage (Django's STORAGES "default") with their SHA-256
and size, at most POLITY_EVIDENCE_MAX_BYTES each.

A file never outlives its row: a rolled-back transaction deletes the files it wrote at once, and
`evidence_sweep` deletes what a crash left behind (how and why: polity/cases/files.py).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import FileField
from django.utils import timezone

from polity.audit.services import audit_record
from polity.cases import files
from polity.cases.gate import require_action
from polity.cases.models import Case, Evidence
from polity.cases.services.common import record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput
from polity.members.models import Person

# The sweep leaves a file with no row alone until it is this old: no transaction that stores evidence runs
# this long, so a younger file's transaction may still commit. Not scaled by POLITY_SCHEDULE_SCALE.
ORPHAN_GRACE = timedelta(hours=1)
_SWEEP_BATCH = 500


def max_bytes() -> int:
    """The largest evidence file (setting POLITY_EVIDENCE_MAX_BYTES): an operational limit, not a rule."""
    return int(settings.POLITY_EVIDENCE_MAX_BYTES)


def too_large(size: int | None = None) -> str:
    limit = max_bytes()
    shown = f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return f"file: evidence files are at most {shown}" + (f" (this one is {size} bytes)" if size else "")


def store_evidence(
    *,
    actor: Actor,
    case: Case,
    upload: File[bytes],
    description: str,
    supplied_by: Person | None = None,
    is_statement: bool = False,
) -> Evidence:
    """Store one file for a case (inside the caller's transaction; the caller checked permission)."""
    if not description.strip():
        raise InvalidInput("description: say what the evidence is")
    limit = max_bytes()
    if (getattr(upload, "size", None) or 0) > limit:
        raise InvalidInput(too_large(upload.size))
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise InvalidInput(too_large())
    if size == 0:
        raise InvalidInput("file: the evidence file is empty")
    upload.seek(0)
    name = (getattr(upload, "name", "") or "evidence").rsplit("/", 1)[-1][:200]
    evidence = Evidence(
        case=case,
        original_name=name,
        description=description.strip()[:300],
        sha256=digest.hexdigest(),
        size=size,
        uploaded_at=timezone.now(),
        uploaded_by=actor.label,
        supplied_by=supplied_by,
        is_statement=is_statement,
    )
    with transaction.atomic():
        # Stored under a neutral name: the original name may carry personal data.
        files.write(evidence.file, f"{case.reference}-{digest.hexdigest()[:16]}.bin", upload)
        evidence.save()
    return evidence


def case_add_evidence(*, actor: Actor, case: Case, upload: File[bytes], description: str) -> Evidence:
    require_action(actor, case, "add_evidence")
    with transaction.atomic():
        evidence = store_evidence(actor=actor, case=case, upload=upload, description=description)
        record(
            actor,
            case,
            "case.add_evidence",
            {"evidence": evidence.pk, "sha256": evidence.sha256, "size": evidence.size},
        )
    return evidence


def evidence_sweep(*, actor: Actor, now: datetime | None = None) -> dict[str, int]:
    """Delete evidence files that no row refers to and that were last written more than ORPHAN_GRACE ago.

    The safety net for a process killed between writing a file and committing its row (a rollback deletes
    its files at once). Rows are read after the files are listed, so a row committed meanwhile keeps its
    file. Returns counts and records them as a system event; never file names.
    """
    if not actor.is_system:
        raise DomainError("only the system sweeps evidence files")
    now = now or timezone.now()
    cutoff = now - ORPHAN_GRACE
    field = Evidence._meta.get_field("file")
    assert isinstance(field, FileField)
    storage = field.storage
    counts = {"checked": 0, "young": 0, "referenced": 0, "deleted": 0, "failed": 0}
    candidates: list[str] = []
    for name, written_at in files.stored(storage):
        counts["checked"] += 1
        if written_at > cutoff:
            counts["young"] += 1
        else:
            candidates.append(name)
    for start in range(0, len(candidates), _SWEEP_BATCH):
        batch = candidates[start : start + _SWEEP_BATCH]
        referenced = set(Evidence.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name in referenced:
                counts["referenced"] += 1
            elif files.delete(storage, name):
                counts["deleted"] += 1
            else:
                counts["failed"] += 1
    audit_record(actor=actor, verb="evidence.sweep", object_type="evidence", data=counts)
    return counts
