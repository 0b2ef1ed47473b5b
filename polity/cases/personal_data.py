"""What the cases app holds about a person (polity/dsr/registry.py): cases in which they are a party or
sit on the panel, what they wrote and were sent, suspensions; complaints sent from outside the register.

Other people in a case are named in the package only when the data protection officer lifts the
redaction: each is a `Mention` (a witness's name with the reason "witness")."""

from __future__ import annotations

from collections.abc import Iterator
from functools import reduce
from operator import or_

from django.db.models import Q

from polity.cases.models import (
    Case,
    Evidence,
    Message,
    Notice,
    Participant,
    PendingComplaint,
    Reply,
    Role,
    Suspension,
)
from polity.dsr.registry import Holding, Mention, Record, Subject, Value, register

_TEXT_FIELDS = ("What was said", "Reasons for the decision", "Appeal grounds", "Reasons on appeal")


def _email_q(field: str, emails: tuple[str, ...]) -> Q | None:
    if not emails:
        return None
    return reduce(or_, (Q(**{f"{field}__iexact": e}) for e in emails))


def _case_fields(case: Case) -> dict[str, Value]:
    return {
        "Reference": case.reference,
        "Kind": case.get_kind_display(),
        "State": case.get_state_display(),
        "Received": case.received_at,
        "What was said": case.summary,
        "Outcome": case.get_outcome_display() if case.outcome else "",
        "Reasons for the decision": case.decision_reasons,
        "Appeal grounds": case.appeal_grounds,
        "Reasons on appeal": case.appeal_reasons,
        "Closed": case.closed_at,
    }


def _cases(subject: Subject) -> Iterator[Record]:
    pid = subject.person_id
    if pid is not None:
        mine = Participant.objects.filter(person_id=pid).select_related("case")
        roles: dict[int, list[str]] = {}
        cases: dict[int, Case] = {}
        for part in mine:
            roles.setdefault(part.case_id, []).append(part.get_role_display())
            cases[part.case_id] = part.case
        others: dict[int, list[Participant]] = {}
        for part in (
            Participant.objects.filter(case_id__in=list(cases))
            .exclude(person_id=pid)
            .select_related("person")
        ):
            others.setdefault(part.case_id, []).append(part)
        for case_id, case in cases.items():
            fields: dict[str, Value] = {"Your role": ", ".join(roles[case_id]), **_case_fields(case)}
            mentions = []
            people = []
            for other in others.get(case_id, []):
                if other.role not in {Role.COMPLAINANT, Role.RESPONDENT, Role.WITNESS}:
                    people.append(f"{other.person.full_name} ({other.get_role_display()})")
                    continue  # officers acting in their office are named
                reason = "witness" if other.role == Role.WITNESS else "third_party"
                people.append(f"{other.person.full_name} ({other.get_role_display()})")
                for name in (other.person.full_name,):
                    for label in ("Other people in the case", *_TEXT_FIELDS):
                        mentions.append(
                            Mention(field=label, text=name, reason=reason, person_id=other.person_id)
                        )
            fields["Other people in the case"] = "; ".join(people)
            yield Record(
                kind="Case",
                ref=f"case:{case_id}",
                at=case.received_at,
                fields=fields,
                mentions=tuple(mentions),
            )
        for m in Message.objects.filter(party_id=pid).select_related("case"):
            yield Record(
                kind="Case correspondence",
                ref=f"case_message:{m.pk}",
                at=m.written_at,
                fields={
                    "Case": m.case.reference,
                    "Direction": m.get_direction_display(),
                    "Text": m.text,
                    "Written by": m.author_label,
                    "Shown to the other side": m.shared,
                },
            )
        for r in Reply.objects.filter(person_id=pid).select_related("case"):
            yield Record(
                kind="Your reply in a case",
                ref=f"case_reply:{r.pk}",
                at=r.received_at,
                fields={"Case": r.case.reference, "Text": r.text},
            )
        for e in Evidence.objects.filter(supplied_by_id=pid).select_related("case"):
            yield Record(
                kind="Evidence you supplied",
                ref=f"case_evidence:{e.pk}",
                at=e.uploaded_at,
                fields={
                    "Case": e.case.reference,
                    "File": e.original_name,
                    "Description": e.description,
                    "Statement": e.is_statement,
                },
            )
        for s in Suspension.objects.filter(person_id=pid).select_related("case"):
            yield Record(
                kind="Suspension",
                ref=f"case_suspension:{s.pk}",
                at=s.starts_at,
                fields={
                    "Case": s.case.reference,
                    "Reasons": s.reasons,
                    "From": s.starts_at,
                    "Review by": s.review_at,
                    "Lifted": s.lifted_at,
                    "Reasons for lifting": s.lifted_reasons,
                },
            )
    notices = Q(person_id=pid) if pid is not None else None
    by_email = _email_q("email", subject.all_emails())
    where = reduce(or_, [q for q in (notices, by_email) if q is not None], Q(pk__in=[]))
    for n in Notice.objects.filter(where).select_related("case"):
        yield Record(
            kind="Notice sent to you about a case",
            ref=f"case_notice:{n.pk}",
            at=n.created_at,
            fields={
                "Case": n.case.reference,
                "Kind": n.get_kind_display(),
                "Subject": n.subject,
                "Text": n.body,
                "Delivered": n.delivered_at,
            },
        )
    sender = _email_q("sender_email", subject.all_emails())
    if sender is not None:
        for case in Case.objects.filter(sender):
            yield Record(
                kind="Complaint you sent",
                ref=f"case_sender:{case.pk}",
                at=case.received_at,
                fields={"Your name": case.sender_name, "Your email": case.sender_email, **_case_fields(case)},
            )
        for pending in PendingComplaint.objects.filter(sender):
            yield Record(
                kind="Complaint waiting for you to confirm your email",
                ref=f"case_pending:{pending.pk}",
                at=pending.created_at,
                fields={
                    "Your name": pending.sender_name,
                    "Your email": pending.sender_email,
                    "What you wrote": pending.summary,
                    "Confirmed": pending.confirmed_at,
                },
            )


register(
    Holding(
        key="cases.cases",
        title="Complaints, disciplinary cases, objections and appeals you are part of",
        data="The cases in which you are a complainant, respondent, witness or on the panel: what was said, "
        "evidence you supplied, correspondence with the case team, notices sent to you, decisions and "
        "suspensions; complaints you sent from outside the register",
        purposes=("Handling complaints and discipline fairly under the rules",),
        lawful_basis="legitimate_interest",
        recipients="The case team and panel of each case; the other parties, where the rules share it with them",
        retention="While the case is open, then for the period the rulebook sets after it closed",
        retention_rule="retention.closed_case",
        source="You, the other parties and witnesses, and the case team",
        models=(Case, Participant, Evidence, Notice, Reply, Message, Suspension, PendingComplaint),
        records=_cases,
        on_erasure="keep",
        kept_because="An open case, or a closed one within the period the rulebook sets, is kept so that "
        "decisions can be reviewed and appealed",
        order=50,
    )
)
