"""DESIGN.md invariants 1-6, each attacked: the services must refuse."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from polity.cases import services as s
from polity.cases.models import Case, CaseState, Notice, Suspension
from polity.cases.rules import HEARD, NO_STAKE, REASONS, SEPARATE, SUSPENSION, TOLD, CaseRefused
from polity.cases.tests import flows
from polity.cases.tests.conftest import age_notices, deliver_all, evidence_file
from polity.common.actor import Actor
from polity.members.models import Status
from polity.members.services import member_set_status


def refreshed(case):
    return Case.objects.get(pk=case.pk)


# Invariant 2: nobody is sanctioned unheard.


def test_no_adverse_decision_before_the_notice_is_delivered(cases):
    case = flows.to_notice(cases, delivered=False)
    with pytest.raises(CaseRefused, match="not been delivered") as refused:
        s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")
    assert refused.value.rule == HEARD
    assert refreshed(case).outcome == ""


def test_no_adverse_decision_while_the_reply_window_is_open(cases):
    case = flows.to_notice(cases, delivered=True)
    with pytest.raises(CaseRefused, match="reply window is open"):
        s.case_decide(actor=cases.actor("panel1"), case=case, outcome="expulsion", reasons="Proven.")
    assert cases.person("member2").status == Status.ACTIVE


def test_a_reply_opens_the_way_to_a_decision(cases):
    case = flows.to_notice(cases, delivered=True)
    s.case_reply(actor=cases.actor("member2"), case=case, text="I did not shout.")
    s.case_decide(
        actor=cases.actor("panel1"), case=case, outcome="warning", reasons="The minutes say otherwise."
    )
    assert refreshed(case).state == CaseState.DECIDED


def test_the_end_of_the_reply_window_opens_the_way_too(cases):
    case = flows.to_notice(cases, aged_days=22)
    s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")


def test_a_favourable_decision_needs_no_reply_window(cases):
    case = flows.to_notice(cases, delivered=False)
    s.case_decide(actor=cases.actor("panel1"), case=case, outcome="not_upheld", reasons="Not proven.")


def test_evidence_added_after_the_notice_must_be_sent_before_deciding(cases):
    case = flows.to_notice(cases, aged_days=30)
    s.case_add_evidence(
        actor=cases.actor("investigator"), case=case, upload=evidence_file("new"), description="New"
    )
    with pytest.raises(CaseRefused, match="every piece of evidence"):
        s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")
    s.case_send_notice(actor=cases.actor("handler"), case=case, allegations="Amended allegations.")
    deliver_all(case)
    with pytest.raises(CaseRefused, match="reply window"):  # the new notice restarts the window
        s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")
    age_notices(case, 30)
    s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")


def test_a_skipped_notice_is_not_delivered_until_recorded_by_hand(cases):
    from polity.outbox.models import OutboxEntry, State

    case = flows.to_notice(cases, delivered=False)
    notice = Notice.objects.get(case=case, kind="allegations")
    OutboxEntry.objects.filter(dispatch_id=notice.dispatch_id).update(
        state=State.SKIPPED, skip_reason="no_address"
    )
    with pytest.raises(CaseRefused, match="not been delivered"):
        s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")
    s.case_record_delivery(actor=cases.actor("handler"), case=case, notice=notice, how="by hand on 3 March")
    age_notices(case, 30)
    s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")


# Invariant 3: no judge in their own cause; separate people.


def test_a_witness_cannot_investigate(cases):
    case = flows.complaint(cases)
    s.case_add_party(
        actor=cases.actor("handler"), case=case, person=cases.person("investigator"), role="witness"
    )
    s.case_triage(actor=cases.actor("handler"), case=case, reasons="Proceed.")
    with pytest.raises(CaseRefused, match="is a witness in this case") as refused:
        s.case_assign_investigator(
            actor=cases.actor("handler"), case=case, person=cases.person("investigator")
        )
    assert refused.value.rule == NO_STAKE


def test_the_investigator_cannot_decide(cases):
    from polity.access.services import office_appoint

    office_appoint(
        actor=Actor.system(),
        person=cases.person("investigator"),
        office="disputes_panel_member",
        unit=cases.org.units["north"],
        body=cases.bodies["north_panel"],
    )
    case = flows.to_notice(cases)
    with pytest.raises(CaseRefused, match="already investigator") as refused:
        s.case_assign_panel(actor=cases.actor("handler"), case=case, members=[cases.person("investigator")])
    assert refused.value.rule == SEPARATE


def test_a_party_to_a_linked_case_cannot_decide(cases):
    case = flows.to_notice(cases, aged_days=30)
    other = s.case_open(actor=cases.actor("panel2"), kind="complaint", summary="Another matter.")
    s.case_link(actor=cases.actor("handler"), case=case, other=other, reason="Same meeting.")
    with pytest.raises(CaseRefused, match="complainant in linked case"):
        s.case_assign_panel(actor=cases.actor("handler"), case=case, members=[cases.person("panel2")])


def test_a_conflict_arising_after_appointment_stops_the_decision(cases):
    case = flows.to_notice(cases, aged_days=30)  # panel1 appointed
    other = s.case_open(actor=cases.actor("panel1"), kind="complaint", summary="Against the respondent.")
    s.case_add_party(
        actor=cases.actor("handler"), case=other, person=cases.person("member2"), role="respondent"
    )
    with pytest.raises(CaseRefused, match="which involves a party to this case"):
        s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")


def test_the_appeal_goes_to_people_not_involved_before(cases):
    from polity.access.services import office_appoint

    office_appoint(
        actor=Actor.system(),
        person=cases.person("panel1"),
        office="disputes_panel_member",
        unit=cases.org.units["national"],
        body=cases.bodies["national_panel"],
    )
    case = flows.communicated(cases)
    deliver_all(case)
    s.case_appeal(actor=cases.actor("member2"), case=case, grounds="Unfair.")
    with pytest.raises(CaseRefused, match="already member of the decision panel"):
        s.case_assign_panel(
            actor=cases.actor("handler"), case=case, members=[cases.person("panel1")], appeal=True
        )


def test_a_panel_member_must_hold_the_power_to_decide(cases):
    case = flows.to_investigation(cases)
    with pytest.raises(CaseRefused, match="empowered"):
        s.case_assign_panel(actor=cases.actor("handler"), case=case, members=[cases.org.people["secretary"]])


def test_only_the_panel_decides(cases):
    from polity.common.errors import Forbidden, NotVisible

    case = flows.to_notice(cases, aged_days=30)
    for persona, refusal in (("handler", Forbidden), ("panel2", NotVisible), ("investigator", Forbidden)):
        with pytest.raises(refusal):
            s.case_decide(actor=cases.actor(persona), case=case, outcome="warning", reasons="Proven.")


# Invariant 4: reasons, communication, appeal route.


def test_no_decision_without_written_reasons(cases):
    case = flows.to_notice(cases, aged_days=30)
    with pytest.raises(CaseRefused, match="written reasons") as refused:
        s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="   ")
    assert refused.value.rule == REASONS
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(outcome="warning", decision_reasons="")


def test_decision_notice_carries_the_appeal_route_and_deadline(cases):
    case = flows.communicated(cases)
    notices = Notice.objects.filter(case=case, kind="decision")
    assert {n.person_id for n in notices} == {cases.person("member").pk, cases.person("member2").pk}
    assert all("appeal" in n.body and "Reasons" in n.body for n in notices)
    assert case.appeal_rule.startswith("deadlines.appeal_window@")


def test_no_closing_before_the_parties_were_told(cases):
    case = flows.communicated(cases)
    Case.objects.filter(pk=case.pk).update(appeal_until=timezone.now() - timedelta(days=1))
    with pytest.raises(CaseRefused, match="not been told the outcome") as refused:
        s.case_close(actor=cases.actor("handler"), case=case)
    assert refused.value.rule == TOLD
    deliver_all(case)
    assert s.case_close(actor=cases.actor("handler"), case=case).state == CaseState.CLOSED


def test_no_closing_while_the_appeal_window_is_open(cases):
    case = flows.communicated(cases)
    deliver_all(case)
    with pytest.raises(CaseRefused, match="appeal window is open"):
        s.case_close(actor=cases.actor("handler"), case=case)


def test_appeal_after_the_window_is_refused(cases):
    case = flows.communicated(cases)
    Case.objects.filter(pk=case.pk).update(appeal_until=timezone.now() - timedelta(seconds=1))
    with pytest.raises(CaseRefused, match="appeal window closed"):
        s.case_appeal(actor=cases.actor("member2"), case=case, grounds="Late.")


# Invariant 5: a complaint does not die with its complainant's membership.


def test_complaint_continues_when_the_complainant_lapses(cases):
    case = flows.to_notice(cases, aged_days=30)
    member_set_status(
        actor=Actor.system(), person=cases.person("member"), status=Status.LAPSED, reason="unpaid"
    )
    s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")
    s.case_communicate(actor=cases.actor("handler"), case=case)
    assert Notice.objects.filter(case=case, kind="decision", person=cases.person("member")).exists()
    from polity.cases.selectors import case_get

    assert case_get(actor=cases.actor("member"), case_id=case.pk).case.state == CaseState.COMMUNICATED


# Invariant 6: suspensions carry reasons and review dates; overdue reviews escalate.


def test_suspension_without_review_date_is_refused(cases):
    case = flows.to_investigation(cases)
    with pytest.raises(CaseRefused, match="review date") as refused:
        s.case_suspend(
            actor=cases.actor("handler"),
            case=case,
            person=cases.person("member2"),
            reasons="Risk.",
            review_at=None,
        )
    assert refused.value.rule == SUSPENSION
    with pytest.raises(CaseRefused, match="no later than"):
        s.case_suspend(
            actor=cases.actor("handler"),
            case=case,
            person=cases.person("member2"),
            reasons="Risk.",
            review_at=timezone.now() + timedelta(days=365),
        )
    with pytest.raises(CaseRefused, match="reasons"):
        s.case_suspend(
            actor=cases.actor("handler"),
            case=case,
            person=cases.person("member2"),
            reasons=" ",
            review_at=timezone.now() + timedelta(days=7),
        )
    assert cases.person("member2").status == Status.ACTIVE


def test_suspension_without_review_date_cannot_be_saved(cases):
    case = flows.to_investigation(cases)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Suspension.objects.create(
            case=case, person=cases.person("member2"), reasons="x", starts_at=now, review_at=None
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Suspension.objects.create(
            case=case,
            person=cases.person("member2"),
            reasons="x",
            starts_at=now,
            review_at=now - timedelta(days=1),
        )


def test_suspension_takes_effect_on_the_register_and_overdue_review_escalates(cases):
    from polity.deadlines.models import Deadline, State
    from polity.deadlines.services import deadlines_escalate

    case = flows.to_investigation(cases)
    review = timezone.now() + timedelta(days=14)
    s.case_suspend(
        actor=cases.actor("handler"),
        case=case,
        person=cases.person("member2"),
        reasons="Risk to members.",
        review_at=review,
    )
    person = cases.person("member2")
    person.refresh_from_db()
    assert person.status == Status.SUSPENDED
    assert case.reference in person.status_changes.order_by("-changed_at").first().reason
    deadlines_escalate(actor=Actor.system(), now=review + timedelta(minutes=1))
    deadline = Deadline.objects.get(
        subject_type="case", subject_id=str(case.pk), rule_key="cases.suspension_review_grace"
    )
    assert deadline.state == State.ESCALATED
    suspension = Suspension.objects.get(case=case)
    s.case_review_suspension(
        actor=cases.actor("handler"),
        case=case,
        suspension=suspension,
        reasons="Investigation shows no risk.",
        lift=True,
    )
    person.refresh_from_db()
    assert person.status == Status.ACTIVE


def test_expulsion_takes_effect_and_an_allowed_appeal_restores(cases):
    case = flows.communicated(cases, outcome="expulsion")
    person = cases.person("member2")
    person.refresh_from_db()
    assert person.status == Status.EXPELLED
    assert case.reference in person.status_changes.order_by("-changed_at", "-id").first().reason
    deliver_all(case)
    s.case_appeal(actor=cases.actor("member2"), case=case, grounds="Disproportionate.")
    s.case_assign_panel(
        actor=cases.actor("handler"), case=case, members=[cases.person("appeal1")], appeal=True
    )
    s.case_decide_appeal(
        actor=cases.actor("appeal1"), case=case, outcome="allowed", reasons="Disproportionate."
    )
    person.refresh_from_db()
    assert person.status == Status.ACTIVE
