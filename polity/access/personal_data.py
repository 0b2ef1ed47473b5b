"""What the access app holds about a person (polity/dsr/registry.py): offices held, grants, notices that
access was cut, and restrictions of one's own access."""

from __future__ import annotations

from collections.abc import Iterator

from polity.access.models import AccessNotice, Grant, OfficeTerm, Restriction
from polity.dsr.registry import Holding, Record, Subject, register


def _offices(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    pid = subject.person.pk
    for term in OfficeTerm.objects.filter(person_id=pid).select_related("unit", "body"):
        yield Record(
            kind="Office",
            ref=f"office:{term.pk}",
            at=term.starts_at,
            fields={
                "Office": term.office,
                "Unit": term.unit.name,
                "Body": term.body.name if term.body else "",
                "From": term.starts_at,
                "Until": term.ends_at,
                "How it ended": term.get_ended_how_display() if term.ended_how else "",
                "Reason it ended": term.ended_reason,
            },
        )
    for grant in Grant.objects.filter(person_id=pid).select_related("unit"):
        yield Record(
            kind="Access grant",
            ref=f"grant:{grant.pk}",
            at=grant.starts_at,
            fields={
                "Permissions": ", ".join(str(x) for x in grant.permissions),
                "Unit": grant.unit.name,
                "Purpose": grant.purpose,
                "From": grant.starts_at,
                "Until": grant.expires_at,
                "Granted by": grant.granted_by,
                "Revoked": grant.revoked_at,
                "Reason for revoking": grant.revoke_reason,
            },
        )
    for notice in AccessNotice.objects.filter(person_id=pid):
        yield Record(
            kind="Notice that access ended",
            ref=f"access_notice:{notice.pk}",
            at=notice.created_at,
            fields={"Subject": notice.subject, "Text": notice.body, "Reason": notice.reason},
        )
    for r in Restriction.objects.filter(person_id=pid).select_related("unit"):
        yield Record(
            kind="Restriction of your access to personal data",
            ref=f"restriction:{r.pk}",
            at=r.starts_at,
            fields={
                "Unit": r.unit.name,
                "Reasons": r.reasons,
                "From": r.starts_at,
                "Review by": r.review_at,
                "Lifted": r.lifted_at,
                "Reasons for lifting": r.lifted_reasons,
            },
        )


register(
    Holding(
        key="access.offices",
        title="Offices you hold or held, grants of access, and restrictions of your access",
        data="Offices and their terms, grants of access with their purposes, notices that your access ended, "
        "restrictions of your access with their reasons",
        purposes=("Deciding who may see and do what", "Showing members who holds office"),
        lawful_basis="legitimate_interest",
        recipients="Members of the units you serve (the office, never your contact details); officers who "
        "appoint and review office holders",
        retention="While you hold office, then with your membership record",
        retention_rule="retention.lapsed_member_record",
        source="The bodies and officers who appointed you or granted access",
        models=(OfficeTerm, Grant, AccessNotice, Restriction),
        records=_offices,
        order=30,
    )
)
