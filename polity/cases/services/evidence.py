"""Evidence files: stored under MEDIA_ROOT with their SHA-256 and size."""

from __future__ import annotations

import hashlib

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from polity.cases.gate import require_action
from polity.cases.models import Case, Evidence
from polity.cases.services.common import record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput

MAX_BYTES = 25 * 1024 * 1024


def store_evidence(*, actor: Actor, case: Case, upload: File[bytes], description: str) -> Evidence:
    """Store one file for a case (inside the caller's transaction; the caller checked permission)."""
    if not description.strip():
        raise InvalidInput("description: say what the evidence is")
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    if size == 0:
        raise InvalidInput("file: the evidence file is empty")
    if size > MAX_BYTES:
        raise InvalidInput(f"file: evidence files are at most {MAX_BYTES // (1024 * 1024)} MB")
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
    )
    # Stored under a neutral name: the original name may carry personal data.
    evidence.file.save(f"{case.reference}-{digest.hexdigest()[:16]}.bin", upload, save=False)
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
