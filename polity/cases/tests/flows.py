"""Steps shared by the case tests: bring a complaint to a given point of its workflow."""

from __future__ import annotations

from polity.cases import services as s
from polity.cases.models import Case
from polity.cases.tests.conftest import age_notices, deliver_all, evidence_file


def complaint(c, by="member", against="member2") -> Case:
    case = s.case_open(actor=c.actor(by), kind="complaint", summary="Shouted down at the branch meeting.")
    team = c.actor("handler")
    s.case_acknowledge(actor=team, case=case)
    s.case_add_party(actor=team, case=case, person=c.person(against), role="respondent")
    return Case.objects.get(pk=case.pk)


def to_investigation(c, **kw) -> Case:
    case = complaint(c, **kw)
    team = c.actor("handler")
    s.case_triage(actor=team, case=case, reasons="A breach of the code of conduct is alleged.")
    s.case_assign_investigator(actor=team, case=case, person=c.person("investigator"))
    s.case_add_evidence(
        actor=c.actor("investigator"), case=case, upload=evidence_file(), description="Minutes"
    )
    return Case.objects.get(pk=case.pk)


def to_notice(c, delivered=True, aged_days=None, **kw) -> Case:
    case = to_investigation(c, **kw)
    s.case_send_notice(actor=c.actor("handler"), case=case, allegations="You shouted down the complainant.")
    if delivered:
        deliver_all(case)
    if aged_days is not None:
        age_notices(case, aged_days)
    s.case_assign_panel(actor=c.actor("handler"), case=case, members=[c.person("panel1")])
    return Case.objects.get(pk=case.pk)


def decided(c, outcome="warning", **kw) -> Case:
    case = to_notice(c, aged_days=60, **kw)
    s.case_decide(actor=c.actor("panel1"), case=case, outcome=outcome, reasons="The minutes bear it out.")
    return Case.objects.get(pk=case.pk)


def communicated(c, **kw) -> Case:
    case = decided(c, **kw)
    s.case_communicate(actor=c.actor("handler"), case=case)
    return Case.objects.get(pk=case.pk)
