"""Answering: the package with its redactions and its expiring link, erasure, objections at send time."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest

from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.consent.checks import contact_permitted
from polity.consent.services import consent_record
from polity.dsr.models import Redaction, State
from polity.dsr.selectors import package_preview
from polity.dsr.services import (
    delivery_download,
    package_send,
    rectification_apply,
    redaction_decide,
    request_erase,
    request_record,
    request_stop_processing,
    request_submit_own,
)
from polity.dsr.tests.conftest import lapse
from polity.members.models import Person


@pytest.fixture
def complaint_against_milo(org):  # type: ignore[no-untyped-def]
    from polity.cases.services import case_open

    return case_open(
        actor=org.actor("member"), kind="complaint", summary="Milo Member shouted at the meeting.",
        respondents=[org.people["member2"]],
    )  # fmt: skip


def test_the_package_withholds_another_members_name_with_a_reason(org, today, complaint_against_milo):
    today.set(date(2027, 1, 10))
    asked = request_submit_own(actor=org.actor("member"), kind="access")
    preview = package_preview(actor=org.actor("dpo"), request=asked)
    case = next(
        i for s in preview.sections if s.holding.key == "cases.cases" for i in s.items if i.kind == "Case"
    )
    fields = dict(case.fields)
    assert "Milo Member" not in fields["What was said"] and "[withheld" in fields["What was said"]
    assert {w.reason for w in preview.withheld} == {"third_party"}
    assert all(w.reason_in_full.startswith("It is another person's") for w in preview.withheld)


def test_the_dpo_lifts_and_adds_redactions_each_recorded(org, today, complaint_against_milo):
    dpo = org.actor("dpo")
    asked = request_submit_own(actor=org.actor("member"), kind="access")
    preview = package_preview(actor=dpo, request=asked)
    first = preview.withheld[0]
    with pytest.raises(InvalidInput, match="why this is disclosed"):
        redaction_decide(actor=dpo, request=asked, holding_key=first.holding, ref=first.ref, field=first.field,
                         text=first.text, reason=first.reason, lift=True)  # fmt: skip
    redaction_decide(actor=dpo, request=asked, holding_key=first.holding, ref=first.ref, field=first.field,
                     text=first.text, reason=first.reason, lift=True, note="Milo agreed in writing")  # fmt: skip
    redaction_decide(actor=dpo, request=asked, holding_key="members.register", ref=f"person:{org.people['member'].pk}",
                     field="Phone", reason="crime")  # fmt: skip
    with pytest.raises(InvalidInput, match="reason"):
        redaction_decide(
            actor=dpo, request=asked, holding_key="members.register", ref="x", field="Phone", reason="whim"
        )
    after = package_preview(actor=dpo, request=asked)
    assert len(after.withheld) == len(preview.withheld)  # one lifted, one added
    assert [r.note for r in after.lifted] == ["Milo agreed in writing"]
    assert any(w.reason == "crime" and w.field == "Phone" for w in after.withheld)
    verbs = set(Event.objects.values_list("verb", flat=True))
    assert {"dsr.redaction_lift", "dsr.redaction_add"} <= verbs
    with pytest.raises(NotVisible):
        redaction_decide(actor=org.actor("national"), request=asked, holding_key="members.register", ref="x",
                         field="Phone", reason="crime")  # fmt: skip
    assert Redaction.objects.count() == 2


def test_the_package_is_sent_as_pdf_and_archive_behind_a_link_that_expires(
    org, today, sent, complaint_against_milo, django_capture_on_commit_callbacks
):
    today.set(date(2027, 1, 10))
    asked = request_submit_own(actor=org.actor("member"), kind="access")
    with django_capture_on_commit_callbacks(execute=True):
        delivery, token = package_send(actor=org.actor("dpo"), request=asked)
    asked.refresh_from_db()
    assert asked.state == State.ANSWERED and asked.on_time is True
    assert delivery.records > 5 and delivery.redactions >= 1
    _d, pdf, name = delivery_download(token=token, which="pdf")
    assert pdf.startswith(b"%PDF") and name.endswith(".pdf")
    _d, archive, _name = delivery_download(token=token, which="archive")
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        package = json.loads(z.read("package.json"))
        csv_text = z.read("records.csv").decode()
    keys = {h["key"] for h in package["holdings"]}
    assert {"members.register", "cases.cases", "audit.read_by", "accounts.account"} <= keys
    assert "Milo Member" not in json.dumps(package) and "Milo Member" not in csv_text
    assert package["withheld"][0]["reason"].startswith("It is another person's")
    assert "Information Commissioner" in package["your_rights"]
    delivery.refresh_from_db()
    assert delivery.downloads == 2 and delivery.first_downloaded_at is not None
    today.set(date(2027, 2, 1))  # the link lasted 14 days
    with pytest.raises(NotVisible):
        delivery_download(token=token, which="pdf")
    with pytest.raises(DomainError, match="closed"):
        package_send(actor=org.actor("dpo"), request=asked)


def test_a_paused_request_cannot_be_answered_until_resumed(org):
    asked = request_record(
        actor=org.actor("dpo"), kind="access", channel="letter", received_on=date.today(),
        person=org.people["member"], identity_needed=True,
    )  # fmt: skip
    with pytest.raises(DomainError, match="resume"):
        package_send(actor=org.actor("dpo"), request=asked)


def test_erasure_anonymises_keeps_what_the_law_requires_and_suppresses_the_address(org, today, sent):
    from polity.members.services import member_record_payment

    person = org.people["member2"]
    member_record_payment(
        actor=org.actor("national"), person=person, amount_pence=3600, paid_on=date(2025, 1, 1)
    )
    consent_record(actor=org.actor("member2"), person=person, purpose="campaigning", channel="email",
                   action="given", method="web_form")  # fmt: skip
    old_email = person.email
    asked = request_submit_own(actor=org.actor("member2"), kind="erasure")
    with pytest.raises(DomainError, match="resign first"):
        request_erase(actor=org.actor("dpo"), request=asked)
    lapse(person, date(2026, 6, 1))
    erasure = request_erase(actor=org.actor("dpo"), request=asked)
    person.refresh_from_db()
    assert (person.given_name, person.email, person.phone) == ("Erased", "", "")
    assert person.payments.count() == 1  # kept: financial records
    kept = dict(erasure.kept)
    assert (
        "Your subscription payments" in kept
        and "Your consent to campaigning and other optional messages" in kept
    )
    asked.refresh_from_db()
    assert "What we kept, and why" in asked.answer and asked.requester_email == old_email
    # A later import with the same address is never written to again.
    back = Person.objects.create(
        membership_number="REIMPORT1", given_name="Milo", family_name="Member", email=old_email.upper(),
        home_unit=person.home_unit, joined_on=date(2027, 1, 1), status="active",
    )  # fmt: skip
    assert contact_permitted(person_id=back.pk, purpose="statutory", channel="email") == (False, "suppressed")
    assert Event.objects.filter(verb="dsr.erase").exists()
    assert not org.users["member2"].__class__.objects.get(pk=org.users["member2"].pk).is_active


def test_an_objection_to_campaigning_is_enforced_at_send_time(org):
    person = org.people["member"]
    consent_record(actor=org.actor("member"), person=person, purpose="campaigning", channel="email",
                   action="given", method="web_form")  # fmt: skip
    assert contact_permitted(person_id=person.pk, purpose="campaigning", channel="email") == (True, "ok")
    asked = request_submit_own(actor=org.actor("member"), kind="objection", purposes=["campaigning"])
    request_stop_processing(actor=org.actor("dpo"), request=asked)
    assert contact_permitted(person_id=person.pk, purpose="campaigning", channel="email") == (
        False,
        "objected",
    )
    assert contact_permitted(person_id=person.pk, purpose="statutory", channel="email") == (True, "ok")


def test_the_consent_app_knows_no_dsr_and_dsr_registers_its_check_at_start():
    from pathlib import Path

    from polity.consent import checks
    from polity.dsr.objections import stopped_people

    consent = Path(checks.__file__).parent
    importing = [
        p.name
        for p in consent.rglob("*.py")
        if p.name != "personal_data.py"  # every app declares its holdings to the registry there
        and any(line.strip().startswith(("from polity.dsr", "import polity.dsr")) for line in p.open())
    ]
    assert importing == []
    assert checks._REFUSAL_CHECKS["dsr.processing_stop"] is stopped_people


def test_an_objection_is_enforced_for_a_whole_audience_in_one_query(org, django_assert_max_num_queries):
    from polity.consent.checks import contact_permitted_many

    people = [org.people["member"], org.people["member2"]]
    for person in people:
        consent_record(actor=Actor.system("import"), person=person, purpose="campaigning", channel="email",
                       action="given", method="import", evidence="test import")  # fmt: skip
    asked = request_submit_own(actor=org.actor("member"), kind="objection", purposes=["campaigning"])
    request_stop_processing(actor=org.actor("dpo"), request=asked)
    with django_assert_max_num_queries(4):
        verdicts = contact_permitted_many(
            person_ids=[p.pk for p in people], purpose="campaigning", channel="email"
        )
    assert verdicts == {people[0].pk: (False, "objected"), people[1].pk: (True, "ok")}


def test_an_objection_to_statutory_notices_is_refused_with_the_reason(org):
    asked = request_submit_own(actor=org.actor("member"), kind="objection", purposes=["statutory"])
    with pytest.raises(DomainError, match="cannot be stopped by objection"):
        request_stop_processing(actor=org.actor("dpo"), request=asked)


def test_rectification_goes_through_the_member_services_and_is_recorded(org):
    person = org.people["member"]
    asked = request_submit_own(
        actor=org.actor("member"), kind="rectification", details="My surname is Membre."
    )
    rectification_apply(actor=org.actor("dpo"), request=asked, changes={"family_name": "Membre"})
    person.refresh_from_db()
    assert person.family_name == "Membre"
    event = Event.objects.get(verb="members.correct")
    assert event.details["fields"] == ["family_name"] and "Membre" not in event.data
