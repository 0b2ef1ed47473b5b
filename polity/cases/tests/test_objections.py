"""Objections to membership: reasons and evidence, disclosure with a reply window, a decision by the body
the rulebook names without the objectors and the conflicted. The demo's story is the last test."""

from datetime import timedelta

import pytest
from django.utils import timezone

from polity.access.services import office_appoint
from polity.cases import services as s
from polity.cases.models import Case, CaseLink, Notice
from polity.cases.rules import NO_STAKE, OBJECTION, CaseRefused
from polity.cases.tests.conftest import age_notices, deliver_all, evidence_file
from polity.common.actor import Actor
from polity.members.models import Status
from polity.members.services import member_rejoin, member_set_status


@pytest.fixture
def rejoiner(cases):
    """Mina lapsed and rejoins today; earlier she complained about Eve, who sits on the North A executive."""
    person = cases.person("member")
    complaint = s.case_open(
        actor=cases.actor("member"), kind="complaint", summary="Eve bullied me at the AGM."
    )
    s.case_acknowledge(actor=cases.actor("handler"), case=complaint)
    s.case_add_party(
        actor=cases.actor("handler"), case=complaint, person=cases.person("exec1"), role="respondent"
    )
    member_set_status(actor=Actor.system(), person=person, status=Status.LAPSED, reason="unpaid")
    person.refresh_from_db()
    member_rejoin(actor=Actor.system(), person=person, joined_on=timezone.localdate())
    person.refresh_from_db()
    return person, complaint


def object_to(cases, applicant, by="exec2", files=1):
    return s.case_open(
        actor=cases.actor(by),
        kind="objection",
        summary="She disrupted three meetings.",
        respondents=[applicant],
        objecting_body=cases.bodies["north_a_exec"],
        evidence=[(evidence_file(f"minutes {i}"), f"Minutes {i}") for i in range(files)],
    )


def test_objection_needs_evidence_and_a_member_of_the_body(cases, rejoiner):
    applicant, _complaint = rejoiner
    with pytest.raises(CaseRefused, match="reasons and at least one piece of evidence") as refused:
        object_to(cases, applicant, files=0)
    assert refused.value.rule == OBJECTION
    with pytest.raises(CaseRefused, match="member of the objecting body"):
        object_to(cases, applicant, by="member2")
    case = object_to(cases, applicant)
    assert case.unit == cases.org.units["north"] and case.evidence.count() == 1


def test_objection_only_to_an_application_or_recent_rejoin(cases):
    with pytest.raises(CaseRefused, match="application or a recent rejoin"):
        object_to(cases, cases.person("member2"))


def test_objection_is_linked_to_the_applicants_other_cases(cases, rejoiner):
    applicant, complaint = rejoiner
    case = object_to(cases, applicant)
    assert CaseLink.objects.filter(case=case, linked=complaint).exists()


def test_objection_is_disclosed_to_the_applicant_with_a_reply_window(cases, rejoiner):
    applicant, _complaint = rejoiner
    case = object_to(cases, applicant)
    team = cases.actor("handler")
    s.case_acknowledge(actor=team, case=case)
    s.case_triage(actor=team, case=case, reasons="Reasons and evidence given.")
    s.case_send_notice(actor=team, case=case, allegations="The executive objects to your rejoining.")
    notice = Notice.objects.get(case=case, kind="allegations")
    assert notice.person == applicant and notice.evidence.count() == 1
    assert "14d" in notice.body  # cases.objection_reply_window
    s.case_assign_panel(actor=team, case=case, members=[cases.person("panel1")])
    deliver_all(case)
    with pytest.raises(CaseRefused, match="reply window"):
        s.case_decide(
            actor=cases.actor("panel1"), case=case, outcome="application_refused", reasons="Disruption."
        )
    age_notices(case, 15)
    s.case_decide(
        actor=cases.actor("panel1"), case=case, outcome="application_refused", reasons="Disruption."
    )
    applicant.refresh_from_db()
    assert applicant.status == Status.REFUSED
    assert case.reference in applicant.status_changes.order_by("-changed_at", "-id").first().reason


def test_objection_is_decided_by_the_body_the_rulebook_names(cases, rejoiner):
    from polity.access.models import Grant

    applicant, _complaint = rejoiner
    case = object_to(cases, applicant)
    Grant.objects.create(
        person=cases.org.people["regional"],
        permissions=["cases.decide"],
        unit=cases.org.units["north"],
        purpose="test",
        starts_at=timezone.now() - timedelta(days=1),
        expires_at=timezone.now() + timedelta(days=30),
        granted_by="test",
    )
    s.case_acknowledge(actor=cases.actor("handler"), case=case)
    s.case_triage(actor=cases.actor("handler"), case=case, reasons="Proceed.")
    with pytest.raises(CaseRefused, match="body the rulebook names"):
        s.case_assign_panel(actor=cases.actor("handler"), case=case, members=[cases.org.people["regional"]])


def test_demo_story_the_executive_cannot_judge_its_own_objection(cases, rejoiner):
    """The executive objects to the rejoining member who complained about one of its members: neither the
    objectors nor the respondent of her complaint may decide it."""
    applicant, complaint = rejoiner
    for name in ("exec1", "exec2"):
        office_appoint(
            actor=Actor.system(),
            person=cases.person(name),
            office="disputes_panel_member",
            unit=cases.org.units["north"],
            body=cases.bodies["north_panel"],
        )
    case = object_to(cases, applicant)
    team = cases.actor("handler")
    s.case_acknowledge(actor=team, case=case)
    s.case_triage(actor=team, case=case, reasons="Reasons and evidence given.")
    with pytest.raises(CaseRefused, match="complainant in this case") as refused:
        s.case_assign_panel(actor=team, case=case, members=[cases.person("exec2")])
    assert refused.value.rule == NO_STAKE
    with pytest.raises(CaseRefused, match=f"respondent in linked case {complaint.reference}"):
        s.case_assign_panel(actor=team, case=case, members=[cases.person("exec1")])
    s.case_assign_panel(actor=team, case=case, members=[cases.person("panel2")])
    assert Case.objects.get(pk=case.pk).participants.filter(role="decision_panel").count() == 1


def test_a_body_member_who_did_not_raise_it_is_still_conflicted(cases):
    from conftest import make_person

    applicant = make_person(cases.org.units["north_a_1"], "Ann", "Applicant", status=Status.APPLICANT)
    office_appoint(
        actor=Actor.system(),
        person=cases.person("exec1"),
        office="disputes_panel_member",
        unit=cases.org.units["north"],
        body=cases.bodies["north_panel"],
    )
    case = object_to(cases, applicant)
    s.case_acknowledge(actor=cases.actor("handler"), case=case)
    s.case_triage(actor=cases.actor("handler"), case=case, reasons="Proceed.")
    with pytest.raises(CaseRefused, match="sits on the body that objected"):
        s.case_assign_panel(actor=cases.actor("handler"), case=case, members=[cases.person("exec1")])
