"""What the register holds about a person (polity/dsr/registry.py): the entry itself with its history,
and the payments."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Value

from polity.dsr.registry import Holding, Record, Subject, register
from polity.members.models import (
    MembershipPeriod,
    Payment,
    Person,
    Resignation,
    SectionMembership,
    StatusChange,
    Transfer,
)
from polity.members.sections import section_label


def _register(subject: Subject) -> Iterator[Record]:
    p = subject.person
    if p is None:
        return
    p = Person.objects.select_related("home_unit").get(pk=p.pk)
    yield Record(
        kind="Register entry",
        ref=f"person:{p.pk}",
        at=p.created_at,
        fields={
            "Membership number": p.membership_number,
            "Given name": p.given_name,
            "Family name": p.family_name,
            "Email": p.email,
            "Phone": p.phone,
            "Address": p.address_line,
            "Town": p.town,
            "Postcode": p.postcode,
            "Date of birth": p.date_of_birth,
            "Branch": p.home_unit.name,
            "Status": p.get_status_display(),
            "Joined on": p.joined_on,
            "Paid until": p.paid_until,
            "Last changed": p.updated_at,
        },
    )
    for period in MembershipPeriod.objects.filter(person=p):
        yield Record(
            kind="Membership period",
            ref=f"period:{period.pk}",
            at=period.started_on,
            fields={
                "Started on": period.started_on,
                "Ended on": period.ended_on,
                "Ended as": period.get_end_status_display() if period.end_status else "",
            },
        )
    for change in StatusChange.objects.filter(person=p):
        yield Record(
            kind="Change of status",
            ref=f"status:{change.pk}",
            at=change.changed_at,
            fields={
                "Status": change.get_status_display(),
                "Reason": change.reason,
                "Recorded by": change.actor_label,
            },
        )
    for t in Transfer.objects.filter(person=p).select_related("from_unit", "to_unit"):
        yield Record(
            kind="Transfer",
            ref=f"transfer:{t.pk}",
            at=t.at,
            fields={
                "From": t.from_unit.name,
                "To": t.to_unit.name,
                "Reason": t.reason,
                "Recorded by": t.actor_label,
            },
        )
    for r in Resignation.objects.filter(person=p):
        yield Record(
            kind="Resignation",
            ref=f"resignation:{r.pk}",
            at=r.created_at,
            fields={
                "How": r.get_route_display(),
                "State": r.get_state_display(),
                "Your words": r.reason,
                "Received on": r.received_on,
                "Letter": r.letter_name,
                "What you said disputing it": r.dispute,
                "Recorded by": r.created_by,
            },
        )


def _erase_register(person_ids: list[int], emails: list[str]) -> int:
    """Anonymise the entries: the row stays (payments, consent and cases kept by law point at it) with its
    membership number, and nothing else that identifies the person."""
    if not person_ids:
        return 0
    changed = Person.objects.filter(pk__in=person_ids).update(
        given_name="Erased",
        family_name=Value("person"),
        email="",
        phone="",
        address_line="",
        town="",
        postcode="",
        date_of_birth=None,
    )
    changed += StatusChange.objects.filter(person_id__in=person_ids).exclude(reason="").update(reason="")
    changed += Transfer.objects.filter(person_id__in=person_ids).update(reason="erased")
    for resignation in Resignation.objects.filter(person_id__in=person_ids).exclude(letter=""):
        resignation.letter.delete(save=False)
    changed += Resignation.objects.filter(person_id__in=person_ids).update(
        reason="", dispute="", letter="", letter_name=""
    )
    return changed


def _payments(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    for pay in Payment.objects.filter(person_id=subject.person.pk):
        yield Record(
            kind="Payment",
            ref=f"payment:{pay.pk}",
            at=pay.paid_on,
            fields={
                "Amount": f"£{pay.amount_pence / 100:.2f}",
                "Paid on": pay.paid_on,
                "Covers until": pay.covers_until,
                "Method": pay.method,
                "Recorded by": pay.recorded_by,
            },
        )


register(
    Holding(
        key="members.register",
        title="Your entry on the register of members",
        data="Name, membership number, email, phone, postal address, date of birth, branch, membership status "
        "and its history, membership periods, transfers between branches, resignations",
        purposes=(
            "Keeping the register of members and their rights under the rules",
            "Sending governance and statutory notices",
        ),
        lawful_basis="contract",
        recipients="Officers of your branch and of the units above it, within their office; the data protection "
        "officer; no one outside the organisation",
        retention="While you are a member, then for the period the rulebook sets after your membership ends",
        retention_rule="retention.lapsed_member_record",
        source="You, when you joined and when you changed your details; officers recording changes",
        models=(Person, MembershipPeriod, StatusChange, Transfer, Resignation),
        records=_register,
        erase=_erase_register,
        order=10,
    )
)

register(
    Holding(
        key="members.payments",
        title="Your subscription payments",
        data="Amount, date, period covered and method of each payment",
        purposes=("Collecting subscriptions", "Keeping the accounts the law requires"),
        lawful_basis="legal_obligation",
        recipients="Treasurers and officers with the register in their office; the organisation's auditors",
        retention="For the period the rulebook sets for financial records, after the payment",
        retention_rule="retention.payment_record",
        source="You, your bank, and officers recording payments",
        models=(Payment,),
        records=_payments,
        on_erasure="keep",
        kept_because="Financial records and donations must be kept by law for the period the rulebook sets",
        order=20,
    )
)


def _sections(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    for row in SectionMembership.objects.filter(person_id=subject.person.pk):
        yield Record(
            kind="Section you declared",
            ref=f"section:{row.pk}",
            at=row.since,
            fields={"Section": section_label(row.section), "From": row.since, "Withdrawn on": row.until},
        )


def _erase_sections(person_ids: list[int], emails: list[str]) -> int:
    deleted, _ = SectionMembership.objects.filter(person_id__in=person_ids).delete()
    return deleted


register(
    Holding(
        key="members.sections",
        title="The sections you said you belong to",
        data="Each section of the party you declared (women's, BAME, disabled, LGBT+ members...), from when, and "
        "when you withdrew it. Some of these say your ethnicity, a disability or your sexuality: special-category "
        "data, held with your explicit consent, given by declaring, and as the activity of a political party with "
        "its members (UK GDPR Art. 9(2)(a) and (d)). Age sections are worked out from your date of birth and not "
        "stored.",
        purposes=(
            "Your rights as a member of a section: its meetings and the elections only its members vote in",
        ),
        lawful_basis="consent",
        recipients="Officers whose office includes seeing members' sections, within their units, each reading "
        "recorded in the access log; the returning officer of a section's election (its roll); the data "
        "protection officer. Never in an export, never outside the organisation",
        retention="While you keep the declaration; withdrawn ones while you are a member, for the rolls of past "
        "elections, then as your register entry",
        retention_rule="retention.lapsed_member_record",
        source="You alone, from your own page",
        models=(SectionMembership,),
        records=_sections,
        erase=_erase_sections,
        order=15,
    )
)
