"""The whole journey of a complaint, and the transition table refusing steps out of order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from polity.audit.models import Event
from polity.audit.services import audit_verify
from polity.cases import services as s
from polity.cases.gate import allowed_actions
from polity.cases.models import Case, CaseState, Evidence, Notice, Role
from polity.cases.rules import CaseRefused
from polity.cases.tests import flows
from polity.cases.tests.conftest import deliver_all
from polity.common.errors import Forbidden, InvalidInput, NotVisible
from polity.deadlines.models import Deadline, State
from polity.members.models import Status


def test_full_journey_from_intake_to_close_with_appeal(cases):
    c = cases
    case = flows.communicated(c)
    assert case.state == CaseState.COMMUNICATED and case.appeal_until > timezone.now()
    deliver_all(case)
    s.case_appeal(actor=c.actor("member2"), case=case, grounds="The minutes are wrong.")
    s.case_assign_panel(actor=c.actor("handler"), case=case, members=[c.person("appeal1")], appeal=True)
    s.case_decide_appeal(
        actor=c.actor("appeal1"), case=case, outcome="dismissed", reasons="The minutes are right."
    )
    s.case_communicate(actor=c.actor("handler"), case=Case.objects.get(pk=case.pk))
    deliver_all(case)
    closed = s.case_close(actor=c.actor("handler"), case=Case.objects.get(pk=case.pk))
    assert closed.state == CaseState.CLOSED
    stamps = (
        "acknowledged_at",
        "triaged_at",
        "investigation_at",
        "notice_sent_at",
        "decided_at",
        "communicated_at",
        "appealed_at",
        "appeal_decided_at",
        "closed_at",
    )
    assert all(getattr(closed, f) is not None for f in stamps)
    assert not Deadline.objects.filter(
        subject_type="case", subject_id=str(case.pk), state=State.OPEN
    ).exists()
    verbs = list(
        Event.objects.filter(object_type="case", object_id=str(case.pk)).values_list("verb", flat=True)
    )
    for verb in (
        "case.open",
        "case.acknowledge",
        "case.triage",
        "case.send_notice",
        "case.decide",
        "case.communicate",
        "case.appeal",
        "case.decide_appeal",
        "case.close",
    ):
        assert verb in verbs
    assert audit_verify().ok


def test_every_deadline_comes_from_the_rulebook_with_an_owner(cases):
    case = flows.to_notice(cases)
    deadlines = Deadline.objects.filter(subject_type="case", subject_id=str(case.pk))
    assert {d.rule_key for d in deadlines} == {
        "deadlines.complaint_acknowledgement",
        "deadlines.complaint_decision",
        "cases.triage",
        "cases.investigation",
    }
    assert all(d.owner_unit_id == cases.org.units["north"].pk for d in deadlines)
    investigation = deadlines.get(rule_key="cases.investigation")
    assert investigation.owner_person == cases.person("investigator")
    assert deadlines.get(rule_key="deadlines.complaint_acknowledgement").state == State.MET


def test_transition_table_refuses_steps_out_of_order(cases):
    c = cases
    case = s.case_open(actor=c.actor("member"), kind="complaint", summary="Something happened.")
    with pytest.raises(CaseRefused, match="received cannot take the action"):
        s.case_triage(actor=c.actor("handler"), case=case, reasons="x")
    with pytest.raises(CaseRefused, match="workflow"):
        s.case_communicate(actor=c.actor("handler"), case=case)
    assert allowed_actions(c.actor("handler"), case) == [
        "acknowledge",
        "add_party",
        "link",
        "add_evidence",
        "message_party",
    ]
    assert allowed_actions(c.actor("member"), case) == ["supply_evidence", "add_statement", "message_team"]


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("handler", "ok"),
        ("natteam", "ok"),
        ("member", Forbidden),
        ("panel1", NotVisible),
        ("outsider", NotVisible),
        ("national", NotVisible),
        ("secretary", NotVisible),
    ],
)
def test_acknowledge_permission_table(cases, persona, outcome):
    case = s.case_open(actor=cases.actor("member"), kind="complaint", summary="Something happened.")
    if outcome == "ok":
        s.case_acknowledge(actor=cases.actor(persona), case=case)
        assert Event.objects.order_by("-seq").first().verb == "case.acknowledge"
        assert Notice.objects.get(case=case).person == cases.person("member")
    else:
        with pytest.raises(outcome):
            s.case_acknowledge(actor=cases.actor(persona), case=case)


def test_case_team_in_another_region_cannot_see_the_case(cases, org):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    office_appoint(
        actor=Actor.system(), person=org.people["dpo"], office="complaints_officer", unit=org.units["south"]
    )
    case = s.case_open(actor=cases.actor("member"), kind="complaint", summary="Something happened.")
    assert case.unit == org.units["north"]
    with pytest.raises(NotVisible):
        s.case_acknowledge(actor=org.actor("dpo"), case=case)


def test_a_party_cannot_handle_their_own_case(cases):
    c = cases
    case = s.case_open(actor=c.actor("handler"), kind="complaint", summary="I was insulted.")
    with pytest.raises(Forbidden, match="party"):
        s.case_acknowledge(actor=c.actor("handler"), case=case)
    s.case_acknowledge(actor=c.actor("natteam"), case=case)


def test_evidence_is_stored_with_hash_and_size(cases):
    import hashlib

    case = flows.to_investigation(cases)
    evidence = Evidence.objects.get(case=case)
    assert evidence.sha256 == hashlib.sha256(b"minutes of the meeting").hexdigest()
    assert evidence.size == len(b"minutes of the meeting")
    assert evidence.file.read() == b"minutes of the meeting"
    assert "minutes" not in evidence.file.name  # stored under a neutral name


def test_respondent_is_sent_every_piece_of_evidence(cases):
    case = flows.to_notice(cases, delivered=False)
    notice = Notice.objects.get(case=case, kind="allegations")
    assert notice.person == cases.person("member2")
    assert list(notice.evidence.all()) == list(case.evidence.all())
    assert "SHA-256" in notice.body


def test_complaint_from_a_verified_email_address(cases, org):
    from polity.common.actor import Actor

    case = s.case_open(
        actor=Actor.system("verified-email"),
        kind="complaint",
        summary="A canvasser was rude.",
        unit=org.units["north_a_1"],
        sender_name="A Voter",
        sender_email="voter@example.invalid",
    )
    assert case.unit == org.units["north"]
    s.case_acknowledge(actor=cases.actor("handler"), case=case)
    assert Notice.objects.get(case=case).email == "voter@example.invalid"
    with pytest.raises(InvalidInput):
        s.case_open(actor=Actor.system(), kind="complaint", summary="x")


def test_dismissal_needs_reasons_and_is_told(cases):
    c = cases
    case = flows.complaint(c)
    with pytest.raises(CaseRefused, match="reasons"):
        s.case_dismiss(actor=c.actor("handler"), case=case, reasons="  ")
    s.case_dismiss(actor=c.actor("handler"), case=case, reasons="Outside the code of conduct.")
    case = s.case_communicate(actor=c.actor("handler"), case=Case.objects.get(pk=case.pk))
    assert Notice.objects.filter(case=case, kind="decision").count() == 2
    assert c.person("member2").status == Status.ACTIVE


def test_roles_are_recorded(cases):
    case = flows.to_notice(cases)
    roles = set(case.participants.values_list("role", flat=True))
    assert roles == {Role.COMPLAINANT, Role.RESPONDENT, Role.INVESTIGATOR, Role.DECISION_PANEL}


def test_deadline_missed_escalates_to_the_unit_above(cases, org):
    from polity.common.actor import Actor
    from polity.deadlines.services import deadlines_escalate

    case = s.case_open(actor=cases.actor("member"), kind="complaint", summary="Something happened.")
    deadlines_escalate(actor=Actor.system(), now=case.ack_due_at + timedelta(minutes=1))
    ack = Deadline.objects.get(
        subject_type="case", subject_id=str(case.pk), rule_key="deadlines.complaint_acknowledgement"
    )
    assert ack.state == State.ESCALATED and ack.escalated_to == org.units["national"]
