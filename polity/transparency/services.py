"""Publishing a quarter's report: the figures frozen as the public saw them. A correction is a new version
that states what changed and why."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook
from polity.transparency import quarters
from polity.transparency.figures import compute
from polity.transparency.models import QuarterlyReport


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _flat(figures: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (s["key"], f["category"]): {"title": s["title"], "value": f["value"], "suppressed": f["suppressed"]}
        for s in figures["series"]
        for f in s["figures"]
    }


def difference(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Each figure whose shown value differs between two publications (added and removed ones too)."""
    old, new = _flat(before), _flat(after)
    out = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        shown_a = None if a is None else ("suppressed" if a["suppressed"] else a["value"])
        shown_b = None if b is None else ("suppressed" if b["suppressed"] else b["value"])
        if a is None or b is None or shown_a != shown_b:
            title = (b or a or {}).get("title", key[0])
            out.append({"series": key[0], "title": title, "category": key[1], "was": shown_a, "now": shown_b})
    return out


def report_publish(*, actor: Actor, unit: Unit, quarter: str, note: str = "") -> QuarterlyReport:
    """Freeze `unit`'s figures for an ended `quarter` as version 1, or publish a correction (a later version
    with a note saying why; refused when nothing changed)."""
    require(actor, Perm.STATISTICS_PUBLISH, scope=unit, visible=False)
    q = quarters.name(*quarters.parse(quarter))
    if not quarters.has_ended(q):
        raise DomainError(f"{q} has not ended yet: a quarter's report is published after its last day")
    stats = compute(unit, q)
    figures = stats.as_dict()
    with transaction.atomic():
        latest = (
            QuarterlyReport.objects.select_for_update()
            .filter(unit=unit, quarter=q)
            .order_by("-version")
            .first()
        )
        changes: list[dict[str, Any]] = []
        if latest is not None:
            changes = difference(latest.figures, figures)
            if not changes:
                raise DomainError(
                    f"the figures of {q} are those of version {latest.version}: there is nothing to correct"
                )
            if not note.strip():
                raise InvalidInput("note: say why the published figures are being corrected")
        report = QuarterlyReport(
            unit=unit,
            quarter=q,
            version=1 if latest is None else latest.version + 1,
            published_at=timezone.now(),
            published_by=actor.label,
            rulebook_version=get_rulebook().version,
            suppress_below=stats.threshold,
            figures=figures,
            difference=changes,
            note=note.strip(),
            sha256=hashlib.sha256(_canonical(figures)).hexdigest(),
        )
        report.save()
        audit_record(
            actor=actor,
            verb="statistics.publish",
            purpose="transparency",
            object_type="quarterly_report",
            object_id=report.pk,
            data={"unit": unit.pk, "quarter": q, "version": report.version, "changes": len(changes)},
        )
    return report
