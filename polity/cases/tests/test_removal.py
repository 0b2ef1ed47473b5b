"""Removal from office against the holder's will is a case outcome: only after notice and the reply window,
with reasons, through the access service, emailed, and open to appeal."""

import pytest
from django.utils import timezone

from polity.access.models import Ending, OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.cases import services as s
from polity.cases.models import Case, Outcome
from polity.cases.rules import CaseRefused
from polity.cases.tests.flows import to_notice
from polity.common.errors import InvalidInput
from polity.outbox.models import Dispatch, OutboxEntry


def test_removal_is_decided_only_after_the_respondent_was_heard(cases):
    case = to_notice(cases, against="branchsec")  # notice delivered, reply window still open
    with pytest.raises(CaseRefused, match="unheard"):
        s.case_decide(
            actor=cases.actor("panel1"), case=case, outcome=Outcome.REMOVAL, reasons="Abuse of office."
        )
    assert OfficeTerm.objects.get(pk=cases.org.terms["branchsec"].pk).ends_at is None


def test_removal_needs_an_office_to_remove_from(cases):
    case = to_notice(cases, against="member2", aged_days=60)
    with pytest.raises(InvalidInput, match="holds no office"):
        s.case_decide(
            actor=cases.actor("panel1"), case=case, outcome=Outcome.REMOVAL, reasons="Abuse of office."
        )


def test_the_decision_removes_through_the_access_service_and_emails_the_holder(cases):
    org = cases.org
    case = to_notice(cases, against="branchsec", aged_days=60)
    assert has_perm(org.actor("branchsec"), Perm.MEMBERS_VIEW, org.units["north_a_1"])
    s.case_decide(
        actor=cases.actor("panel1"),
        case=case,
        outcome=Outcome.REMOVAL,
        reasons="Shared the register outside.",
    )
    term = OfficeTerm.objects.get(pk=org.terms["branchsec"].pk)
    case = Case.objects.get(pk=case.pk)
    assert term.ended_how == Ending.CASE and term.ended_case == case.reference
    assert term.ended_reason == "Shared the register outside."
    assert not has_perm(org.actor("branchsec"), Perm.MEMBERS_VIEW, org.units["north_a_1"])
    emailed = Dispatch.objects.get(source_type="access.notice", purpose="statutory")
    assert OutboxEntry.objects.filter(dispatch=emailed, person=org.people["branchsec"]).exists()
    assert case.reference in emailed.subject and "Shared the register outside." in emailed.body
    # The decision is communicated with the appeal route, as every decision is.
    s.case_communicate(actor=cases.actor("handler"), case=case)
    assert Case.objects.get(pk=case.pk).appeal_until is not None


def test_an_appeal_allowed_gives_the_office_back(cases):
    from polity.cases.tests.conftest import deliver_all
    from polity.cases.tests.flows import communicated

    org = cases.org
    case = communicated(cases, outcome=Outcome.REMOVAL, against="branchsec")
    deliver_all(case)
    assert not has_perm(org.actor("branchsec"), Perm.MEMBERS_VIEW, org.units["north_a_1"])
    s.case_appeal(actor=org.actor("branchsec"), case=case, grounds="I never shared the register.")
    s.case_assign_panel(
        actor=cases.actor("handler"), case=case, members=[cases.person("appeal1")], appeal=True
    )
    s.case_decide_appeal(
        actor=cases.actor("appeal1"), case=case, outcome="allowed", reasons="The evidence does not show it."
    )
    held = OfficeTerm.objects.in_force(timezone.now()).get(person=org.people["branchsec"], office="secretary")
    assert held.unit == org.units["north_a_1"] and held.pk != org.terms["branchsec"].pk
    assert has_perm(org.actor("branchsec"), Perm.MEMBERS_VIEW, org.units["north_a_1"])
    reinstated = Dispatch.objects.filter(source_type="access.notice", subject__contains="again").get()
    assert OutboxEntry.objects.filter(dispatch=reinstated, person=org.people["branchsec"]).exists()
