"""The data protection officer's side: attributing a leaked excerpt, recording contact that reached a decoy,
and the suspected breach's clock (`exports.breach_report`, 72 hours in the demo) in the deadlines app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.notices import access_notice_send
from polity.access.perms import Perm
from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.deadlines.services import deadline_open, deadlines_meet_for
from polity.exports.attribution import Attribution, attribute, parse_excerpt
from polity.exports.fingerprints import norm_email, norm_phone
from polity.exports.models import Decoy, DecoyContact, Entry, Incident
from polity.org.models import Unit
from polity.rulebook.loader import get_rulebook

BREACH_RULE = "exports.breach_report"
SOURCE = "exports.incident"
MAX_EXCERPT_CHARS = 2_000_000


def _top() -> Unit:
    top = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if top is None:
        raise DomainError("there is no organisation yet")
    return top


@dataclass
class Traced:
    attribution: Attribution
    incident: Incident | None


def _summary(att: Attribution) -> list[dict[str, Any]]:
    return [
        {
            "export": c.export.pk,
            "probability": round(c.probability, 4),
            "rows": c.rows,
            "decoys": c.decoys,
            "certain": c.certain,
            "by": c.export.requested_by_label,
            "purpose": c.export.purpose_label,
            "made": c.export.ready_at.isoformat() if c.export.ready_at else None,
        }
        for c in att.candidates[:20]
    ]


def excerpt_attribute(*, actor: Actor, text: str, open_incident: bool = False, note: str = "") -> Traced:
    """Name the export(s) a leaked excerpt came from. The members it shows are read (the DPO sees who is
    affected), so the reading is an event naming them. `open_incident` starts the breach report's clock."""
    require(actor, Perm.EXPORTS_ATTRIBUTE, scope=_top(), visible=False)
    if not text.strip():
        raise InvalidInput("excerpt: paste the rows or upload the file")
    if len(text) > MAX_EXCERPT_CHARS:
        raise InvalidInput("excerpt: too long; paste a part of it (a few hundred rows are plenty)")
    att = attribute(parse_excerpt(text))
    with transaction.atomic():
        incident = (
            _open(actor, att, source="excerpt", summary=note) if open_incident and att.candidates else None
        )
        audit_record(
            actor=actor,
            verb="exports.attribute",
            subjects=att.members_in_excerpt,
            purpose="data breach investigation",
            object_type=SOURCE if incident else "",
            object_id=incident.pk if incident else "",
            data={
                "rows": att.rows_read,
                "matched": att.rows_matched,
                "exports": [c.export.pk for c in att.named],
            },
        )
    return Traced(att, incident)


def _open(actor: Actor, att: Attribution, *, source: str, summary: str) -> Incident:
    named = att.named
    exports_ids = [c.export.pk for c in named]
    affected = (
        Entry.objects.filter(export_id__in=exports_ids, person_id__isnull=False)
        .values("person_id")
        .distinct()
        .count()
    )
    incident = Incident.objects.create(
        opened_at=timezone.now(),
        opened_by_label=actor.label,
        source=source,
        summary=summary.strip()
        or f"A list of {att.rows_read} rows traced to export(s) {', '.join(map(str, exports_ids))}.",
        exports=_summary(att),
        affected=affected,
    )
    deadline = deadline_open(
        actor=actor,
        rule_key=BREACH_RULE,
        start=incident.opened_at,
        owner_unit=_top(),
        subject_type=SOURCE,
        subject_id=incident.pk,
        title=f"Report suspected breach {incident.pk} to the Information Commissioner",
    )
    incident.deadline_id = deadline.pk
    incident.save(update_fields=["deadline_id"])
    return incident


def incident_report(
    *, actor: Actor, incident: Incident, reference: str, at: datetime | None = None
) -> Incident:
    """Record that the breach was reported to the regulator (or that it was assessed as not reportable),
    which meets the clock."""
    require(actor, Perm.EXPORTS_ATTRIBUTE, scope=_top(), visible=False)
    if incident.reported_at is not None:
        raise DomainError("this incident's report is already recorded")
    if not reference.strip():
        raise InvalidInput("reference: give the regulator's reference, or why it was not reportable")
    with transaction.atomic():
        incident.reported_at = at or timezone.now()
        incident.report_reference = reference.strip()[:100]
        incident.save(update_fields=["reported_at", "report_reference"])
        deadlines_meet_for(actor=actor, subject_type=SOURCE, subject_id=incident.pk, rule_key=BREACH_RULE)
        audit_record(
            actor=actor,
            verb="exports.breach_report",
            object_type=SOURCE,
            object_id=incident.pk,
            data={"reference": incident.report_reference},
        )
    return incident


def decoy_find(address: str) -> Decoy | None:
    """The decoy an email address or phone number belongs to, however it is written."""
    value = address.strip()
    if "@" in value:
        return Decoy.objects.filter(email__iexact=norm_email(value)).select_related("export").first()
    digits = norm_phone(value)
    if not digits:
        return None
    for decoy in Decoy.objects.filter(phone__endswith=digits[-4:]).select_related("export"):
        if norm_phone(decoy.phone) == digits:
            return decoy
    return None


def decoy_contact_record(
    *,
    actor: Actor,
    address: str,
    channel: str,
    route: str,
    sender: str = "",
    subject: str = "",
    at: datetime | None = None,
) -> DecoyContact:
    """Mail, a message or a call reached a decoy: someone holds a leaked list. Records it, opens (or adds
    to) the incident of its export with the breach clock, and alerts every data protection officer."""
    if route == "reported":
        require(actor, Perm.EXPORTS_ATTRIBUTE, scope=_top(), visible=False)
    elif not actor.is_system:
        raise NotVisible("not found")
    decoy = decoy_find(address)
    if decoy is None:
        raise InvalidInput(f"address: {address!r} is not a decoy of any export")
    with transaction.atomic():
        incident = (
            Incident.objects.filter(
                source="decoy contact", reported_at__isnull=True, contacts__decoy__export=decoy.export
            )
            .order_by("-opened_at")
            .first()
        )
        if incident is None:
            att = Attribution(1, 1, [], [], 1)
            from polity.exports.attribution import Candidate

            att.candidates = [Candidate(decoy.export, 0.999, 1, 1, certain=True)]
            incident = _open(
                actor,
                att,
                source="decoy contact",
                summary=f"{channel} to a decoy of export {decoy.export_id} ({route}).",
            )
            _alert(actor, decoy, incident, channel)
        contact = DecoyContact.objects.create(
            decoy=decoy,
            channel=channel,
            received_at=at or timezone.now(),
            sender=sender[:300],
            subject=subject[:300],
            route=route,
            reported_by_label="" if actor.is_system else actor.label,
            incident=incident,
        )
        audit_record(
            actor=actor,
            verb="exports.decoy_contact",
            object_type=SOURCE,
            object_id=incident.pk,
            data={"export": decoy.export_id, "channel": channel, "route": route},
        )
    return contact


def _alert(actor: Actor, decoy: Decoy, incident: Incident, channel: str) -> None:
    offices = [k for k, o in get_rulebook().offices.items() if Perm.EXPORTS_ATTRIBUTE in o.permissions]
    dpos = (
        OfficeTerm.objects.in_force(timezone.now())
        .filter(office__in=offices)
        .values_list("person_id", flat=True)
    )
    export = decoy.export
    for person_id in sorted(set(dpos)):
        access_notice_send(
            actor=actor,
            person_id=person_id,
            subject=f"A decoy of export {export.pk} was contacted: suspected leak {incident.pk}",
            body=(
                f"A decoy in export {export.pk} (made by {export.requested_by_label} on "
                f"{timezone.localtime(export.ready_at).strftime('%d %B %Y') if export.ready_at else 'an unknown day'}) "
                f"was reached by {channel}. Someone holds a copy of that list. The clock to report the breach "
                "is running: open the attribution page to see the export, the members affected and the deadline."
            ),
            reason="a decoy address was contacted",
        )
