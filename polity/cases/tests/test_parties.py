"""Members in their own cases: the complainant sees and downloads the evidence she supplied, adds evidence and
statements and writes to the case team while the case is open; so does a respondent. Every message to the
team is acknowledged by a rulebook deadline that escalates when missed. Contact between the team and one
party is shown to the other party only where the rulebook says so, and never their contact details."""

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from polity.audit.models import Event
from polity.cases import services as s
from polity.cases.models import Case, Message, Notice, NoticeKind
from polity.cases.rules import CaseRefused
from polity.cases.tests import flows
from polity.cases.tests.conftest import evidence_file
from polity.common.actor import Actor
from polity.deadlines.models import Deadline
from polity.deadlines.services import deadlines_escalate
from polity.rulebook.loader import get_rulebook


@pytest.fixture
def private_contact(settings, tmp_path):
    """A rulebook under which each party's correspondence with the team stays private."""
    text = Path(settings.POLITY_RULEBOOK).read_text()
    assert "share_party_contact = true" in text
    path = tmp_path / "private.toml"
    path.write_text(text.replace("share_party_contact = true", "share_party_contact = false"))
    settings.POLITY_RULEBOOK = str(path)
    get_rulebook.cache_clear()
    yield
    get_rulebook.cache_clear()


def _opened_with_evidence(c):
    """Mina's complaint against Milo, with a file she attached when she made it."""
    case = s.case_open(
        actor=c.actor("member"),
        kind="complaint",
        summary="Shouted down at the branch meeting.",
        evidence=[(evidence_file("my notes of the meeting", "notes.txt"), "My notes")],
    )
    team = c.actor("handler")
    s.case_acknowledge(actor=team, case=case)
    s.case_add_party(actor=team, case=case, person=c.person("member2"), role="respondent")
    return Case.objects.get(pk=case.pk)


def test_complainant_sees_and_downloads_her_own_evidence_and_each_opening_is_logged(cases, login, call):
    case = _opened_with_evidence(cases)
    evidence = case.evidence.get()
    assert evidence.supplied_by_id == cases.person("member").pk
    body = call("member", "get", f"/cases/{case.pk}").json()
    assert [(e["description"], e["supplied_by_you"]) for e in body["evidence"]] == [("My notes", True)]
    before = Event.objects.filter(verb="case.evidence_open").count()
    r = call("member", "get", f"/cases/evidence/{evidence.pk}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"my notes of the meeting"
    c = login("member")
    page = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "My notes" in page and "supplied by you" in page
    r = c.get(reverse("cases:evidence", args=[evidence.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"my notes of the meeting"
    assert Event.objects.filter(verb="case.evidence_open").count() == before + 2


def test_others_cannot_open_her_evidence_until_it_is_disclosed(cases, login, call):
    case = _opened_with_evidence(cases)
    evidence = case.evidence.get()
    third = make_person(cases.org.units["north_a_1"], "Tess", "Third")
    cases.people["member3"] = third
    for who in (
        "member2",
        "member3",
        "outsider",
    ):  # the respondent before any notice, a third member, outsider
        assert call(who, "get", f"/cases/evidence/{evidence.pk}").status_code == 404
        assert login(who).get(reverse("cases:evidence", args=[evidence.pk])).status_code == 404
    assert call("member2", "get", f"/cases/{case.pk}").json()["evidence"] == []
    team = cases.actor("handler")
    s.case_triage(actor=team, case=case, reasons="It goes ahead.")
    s.case_send_notice(actor=team, case=case, allegations="You shouted her down.")
    assert call("member2", "get", f"/cases/evidence/{evidence.pk}").status_code == 200


def test_parties_add_evidence_and_statements_and_they_must_be_disclosed_before_a_sanction(cases, call):
    case = flows.to_notice(cases, aged_days=60)
    r = call("member", "post", f"/cases/{case.pk}/actions/add_statement", {"text": "He did it again today."})
    assert r.status_code == 200, r.content
    data = {
        "description": "A photo of the noticeboard",
        "name": "board.txt",
        "content_base64": base64.b64encode(b"photo bytes").decode(),
    }
    r = call("member", "post", f"/cases/{case.pk}/actions/supply_evidence", data)
    assert r.status_code == 200, r.content
    mine = [e for e in r.json()["evidence"] if e["supplied_by_you"]]
    assert len(mine) == 2 and any(e["is_statement"] for e in mine)
    # The respondent adds his own statement: it need not be sent back to him.
    r = call(
        "member2", "post", f"/cases/{case.pk}/actions/add_statement", {"text": "I raised my voice once."}
    )
    assert r.status_code == 200
    assert (
        len(call("member2", "get", f"/cases/{case.pk}").json()["evidence"]) == 2
    )  # the notice's, and his own
    # The complainant's new evidence has not been put to him: no sanction yet.
    with pytest.raises(CaseRefused, match="every piece of evidence"):
        s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")
    s.case_send_notice(actor=cases.actor("handler"), case=case, allegations="With her new evidence.")
    flows.age_notices(case, 60)
    s.case_decide(actor=cases.actor("panel1"), case=case, outcome="warning", reasons="Proven.")


def test_a_message_to_the_team_gets_an_acknowledgement_deadline_that_is_met_and_told(cases, call):
    case = flows.complaint(cases)
    r = call("member", "post", f"/cases/{case.pk}/actions/message_team", {"text": "I have two witnesses."})
    assert r.status_code == 200, r.content
    message = Message.objects.get()
    deadline = message.deadline
    assert deadline.rule_key == "cases.message_acknowledgement" and deadline.rule_text == "5d"
    assert deadline.due_at == timezone.localtime(deadline.started_at) + timedelta(days=5)
    assert deadline.owner_unit == case.unit and deadline.subject_id == str(case.pk)
    mine = r.json()["messages"][0]
    assert mine["party"] == "you" and mine["acknowledged_at"] is None
    assert mine["acknowledgement_due_at"] is not None
    assert Case.objects.get(pk=case.pk).next_due_at <= deadline.due_at  # in the team's queue
    team_view = call("handler", "get", f"/cases/{case.pk}").json()
    assert "acknowledge_message" in [a["name"] for a in team_view["actions"]]
    r = call("handler", "post", f"/cases/{case.pk}/actions/acknowledge_message", {"message": message.pk})
    assert r.status_code == 200, r.content
    deadline.refresh_from_db()
    assert deadline.state == "met" and deadline.met_on_time
    assert Notice.objects.filter(
        case=case, kind=NoticeKind.MESSAGE_ACK, person=cases.person("member")
    ).exists()
    body = call("member", "get", f"/cases/{case.pk}").json()
    assert body["messages"][0]["acknowledged_at"] is not None
    assert any(n["kind"] == "message_ack" for n in body["notices"])
    again = call("handler", "post", f"/cases/{case.pk}/actions/acknowledge_message", {"message": message.pk})
    assert again.status_code == 422 and again.json()["detail"].startswith("message:")
    events = set(Event.objects.filter(object_type="case").values_list("verb", flat=True))
    assert {"case.message_team", "case.acknowledge_message"} <= events


def test_the_team_answers_and_the_party_reads_the_answer(cases, call, login):
    case = flows.complaint(cases)
    message = s.case_message_team(actor=cases.actor("member"), case=case, text="When is the hearing?")
    r = call(
        "handler",
        "post",
        f"/cases/{case.pk}/actions/message_party",
        {"person": cases.person("member").pk, "text": "Not before March.", "in_reply_to": message.pk},
    )
    assert r.status_code == 200, r.content
    message.refresh_from_db()
    assert message.acknowledged_at is not None and message.deadline.state == "met"  # answering acknowledges
    thread = call("member", "get", f"/cases/{case.pk}").json()["messages"]
    assert [(m["direction"], m["text"]) for m in thread] == [
        ("to_team", "When is the hearing?"),
        ("from_team", "Not before March."),
    ]
    assert Notice.objects.filter(case=case, kind=NoticeKind.MESSAGE, person=cases.person("member")).exists()
    page = login("member").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Not before March." in page and "Acknowledged" in page
    # A message can only go to a party of the case.
    r = call(
        "handler",
        "post",
        f"/cases/{case.pk}/actions/message_party",
        {"person": cases.person("investigator").pk, "text": "Hello"},
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("person:")


def test_a_missed_acknowledgement_escalates(cases):
    case = flows.complaint(cases)
    message = s.case_message_team(actor=cases.actor("member"), case=case, text="Anyone there?")
    counts = deadlines_escalate(actor=Actor.system(), now=message.deadline.due_at + timedelta(minutes=1))
    assert counts["escalated"] >= 1
    deadline = Deadline.objects.get(pk=message.deadline_id)
    assert deadline.state == "escalated" and deadline.escalated_to == case.unit.parent
    s.case_acknowledge_message(actor=cases.actor("handler"), case=case, message=message)
    deadline.refresh_from_db()
    assert deadline.state == "met" and deadline.was_missed  # met late stays counted as missed


def test_contact_is_shown_to_the_other_party_where_the_rulebook_says_so(cases, call, login):
    case = flows.complaint(cases)
    s.case_message_team(actor=cases.actor("member"), case=case, text="Please keep him away from me.")
    body = call("member2", "get", f"/cases/{case.pk}").json()
    assert body["contact_shared_with_other_party"] is True
    assert [(m["party"], m["text"]) for m in body["messages"]] == [
        ("the complainant", "Please keep him away from me.")
    ]
    assert any(d["rule"] == "cases.message_acknowledgement" for d in body["deadlines"])
    # Never her name or contact details: roles only.
    complainant = cases.person("member")
    for secret in (complainant.email, complainant.phone, complainant.family_name):
        assert secret not in str(body)
        assert secret not in login("member2").get(reverse("cases:detail", args=[case.pk])).content.decode()
    read = Event.objects.filter(verb="case.read_shared_contact").last()
    assert read is not None and complainant.pk in read.subject_ids


def test_a_respondent_cannot_read_private_contact(cases, call, login, private_contact):
    case = flows.complaint(cases)
    message = s.case_message_team(actor=cases.actor("member"), case=case, text="He frightens me.")
    assert message.shared is False and "false" in message.share_rule
    body = call("member2", "get", f"/cases/{case.pk}").json()
    assert body["messages"] == [] and body["contact_shared_with_other_party"] is False
    assert not any(d["rule"] == "cases.message_acknowledgement" for d in body["deadlines"])
    assert (
        "He frightens me."
        not in login("member2").get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    # The team's answer to her stays private too; his own correspondence is his.
    s.case_message_party(
        actor=cases.actor("handler"),
        case=case,
        person=cases.person("member"),
        text="Noted.",
        in_reply_to=message,
    )
    s.case_message_team(actor=cases.actor("member2"), case=case, text="I want to explain.")
    assert [m["text"] for m in call("member2", "get", f"/cases/{case.pk}").json()["messages"]] == [
        "I want to explain."
    ]
    assert len(call("handler", "get", f"/cases/{case.pk}").json()["messages"]) == 3


def test_only_the_parties_write_and_a_third_member_or_outsider_gets_404(cases, call, login):
    case = flows.complaint(cases)
    cases.people["member3"] = make_person(cases.org.units["north_a_1"], "Tess", "Third")
    for who in ("member3", "outsider"):
        assert call(who, "get", f"/cases/{case.pk}").status_code == 404
        r = call(who, "post", f"/cases/{case.pk}/actions/message_team", {"text": "Let me in."})
        assert r.status_code == 404
        r = login(who).post(reverse("cases:act", args=[case.pk, "message_team"]), {"text": "Let me in."})
        assert r.status_code == 404
    # The team writes to parties, it does not write to itself as one.
    r = call("handler", "post", f"/cases/{case.pk}/actions/message_team", {"text": "x"})
    assert r.status_code == 403
    assert not Message.objects.exists()


def test_a_closed_case_takes_no_more_evidence_statements_or_messages(cases, call, login):
    case = flows.complaint(cases)
    Case.objects.filter(pk=case.pk).update(state="closed", closed_at=timezone.now())
    for action, data in (
        ("message_team", {"text": "One more thing."}),
        ("add_statement", {"text": "One more thing."}),
        ("supply_evidence", {"description": "x", "content_base64": base64.b64encode(b"x").decode()}),
    ):
        r = call("member", "post", f"/cases/{case.pk}/actions/{action}", data)
        assert r.status_code == 409 and "is closed" in r.json()["detail"], r.content
    c = login("member")
    upload = SimpleUploadedFile("late.txt", b"late")
    r = c.post(
        reverse("cases:act", args=[case.pk, "supply_evidence"]), {"description": "Late", "file": upload}
    )
    assert r.status_code == 409 and b"is closed" in r.content
    assert b"Write to the case team" not in c.get(reverse("cases:detail", args=[case.pk])).content
    assert case.evidence.count() == 0 and not Message.objects.exists()


def test_web_party_adds_evidence_statement_and_message(cases, login):
    case = flows.complaint(cases)
    c = login("member")
    page = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Write to the case team" in page and "shown to the other party" in page
    upload = SimpleUploadedFile("photo.txt", b"a photo")
    r = c.post(
        reverse("cases:act", args=[case.pk, "supply_evidence"]), {"description": "Photo", "file": upload}
    )
    assert r.status_code == 302
    r = c.post(reverse("cases:act", args=[case.pk, "add_statement"]), {"text": "What I saw."})
    assert r.status_code == 302
    r = c.post(reverse("cases:act", args=[case.pk, "message_team"]), {"text": "Thank you."})
    assert r.status_code == 302
    r = c.post(reverse("cases:act", args=[case.pk, "message_team"]), {"text": "   "})
    assert r.status_code == 400 and b"the message is empty" in r.content
    page = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Photo" in page and "Statement by the complainant" in page and "Thank you." in page
    assert "Acknowledgement due by" in page


def test_the_team_acknowledges_a_message_from_the_case_page(cases, login):
    case = flows.complaint(cases)
    message = s.case_message_team(actor=cases.actor("member"), case=case, text="Is anyone reading this?")
    c = login("handler")
    page = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Acknowledge this message" in page and "Mina Member (complainant)" in page
    r = c.post(reverse("cases:act", args=[case.pk, "acknowledge_message"]), {"message": message.pk})
    assert r.status_code == 302
    message.refresh_from_db()
    assert message.acknowledged_at is not None
    assert "Acknowledge this message" not in c.get(reverse("cases:detail", args=[case.pk])).content.decode()
