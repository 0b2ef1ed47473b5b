"""The retention job: what outlived the rulebook's periods is anonymised, in chunks, with counts; nothing an
open request or case holds is touched."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from conftest import make_person
from polity.common.actor import Actor
from polity.common.errors import DomainError
from polity.dsr import retention
from polity.dsr.models import Anonymised
from polity.dsr.retention import retention_run
from polity.dsr.services import request_submit_own
from polity.dsr.tests.conftest import lapse


def test_lapsed_members_past_the_period_are_anonymised_unless_a_request_holds_them(org, today, monkeypatch):
    today.set(date(2027, 6, 1))
    monkeypatch.setattr(retention, "CHUNK", 2)  # several chunks
    unit = org.units["north_a_1"]
    old = [lapse(make_person(unit, f"Old{i}", "Lapsed"), date(2020, 1, 1)) for i in range(5)]
    recent = lapse(make_person(unit, "Recent", "Lapsed"), date(2024, 1, 1))
    held = org.people["member2"]
    lapse(held, date(2020, 6, 1))
    request_submit_own(actor=org.actor("member2"), kind="access")  # an open request holds them

    report = retention_run(actor=Actor.system(), today=date(2027, 6, 1))
    assert report.people_anonymised == 5 and report.people_held == 1
    for p in old:
        p.refresh_from_db()
        assert (p.given_name, p.email) == ("Erased", "")
    recent.refresh_from_db()
    held.refresh_from_db()
    assert recent.given_name == "Recent" and held.given_name == "Milo"
    assert report.rows["members.register"] >= 5
    # Run again: nothing left to do, and the anonymised are not counted twice.
    again = retention_run(actor=Actor.system(), today=date(2027, 6, 1))
    assert again.people_anonymised == 0 and Anonymised.objects.count() == 5


def test_closed_cases_past_the_period_lose_their_text_and_keep_their_outcome(org, today):
    from polity.cases.models import Case

    case = Case.objects.create(
        reference="C-OLD", kind="complaint", state="closed", unit=org.units["north"], summary="Said rude things",
        received_at=timezone.make_aware(datetime(2019, 1, 1)), ack_due_at=timezone.make_aware(datetime(2019, 1, 8)),
        closed_at=timezone.make_aware(datetime(2020, 1, 1)), outcome="not_upheld", decision_reasons="No evidence",
        created_by="test",
    )  # fmt: skip
    report = retention_run(actor=Actor.system(), today=date(2027, 6, 1))
    case.refresh_from_db()
    assert report.cases_anonymised == 1
    assert case.summary == retention.REMOVED and case.outcome == "not_upheld"


def test_only_the_system_runs_it(org):
    with pytest.raises(DomainError):
        retention_run(actor=org.actor("dpo"))


def _consent(person, action: str, on: date, purpose: str = "campaigning"):  # type: ignore[no-untyped-def]
    from polity.consent.services import consent_record

    return consent_record(
        actor=Actor.system("import"), person=person, purpose=purpose, channel="email", action=action,
        method="import", evidence="row 12 of the 2018 import", at=timezone.make_aware(datetime.combine(on, datetime.min.time())),
    )  # fmt: skip


def test_superseded_consent_evidence_past_the_period_is_anonymised_and_nobody_s_consent_changes(org, today):
    from django.db import DatabaseError, connection, transaction

    from polity.consent.checks import contact_permitted_many
    from polity.consent.retention import REMOVED

    today.set(date(2027, 6, 1))
    member, held = org.people["member"], org.people["member2"]
    old = [_consent(member, "given", date(2018, 1, 1)), _consent(member, "withdrawn", date(2019, 1, 1))]
    latest = _consent(member, "given", date(2019, 6, 1))  # older than the period, but it still decides
    recent_pair = [_consent(member, "withdrawn", date(2019, 7, 1), "fundraising"),
                   _consent(member, "given", date(2024, 1, 1), "fundraising")]  # fmt: skip
    held_old = [_consent(held, "given", date(2018, 1, 1)), _consent(held, "withdrawn", date(2019, 1, 1))]
    request_submit_own(actor=org.actor("member2"), kind="access")
    before = contact_permitted_many(person_ids=[member.pk], purpose="campaigning", channel="email")

    report = retention_run(actor=Actor.system(), today=date(2027, 6, 1))
    assert (report.consent_events_anonymised, report.consent_events_held) == (2, 1)
    for e in old:
        e.refresh_from_db()
        assert (e.person_id, e.recorded_by_label, e.evidence) == (None, "anonymised", REMOVED)
        assert e.anonymised_at is not None and e.wording and e.purpose == "campaigning"
    # The latest event of each (person, purpose, channel) stays, and so does what was superseded recently.
    for e in [latest, *recent_pair, *held_old]:
        e.refresh_from_db()
        assert e.anonymised_at is None and e.person_id is not None
    assert contact_permitted_many(person_ids=[member.pk], purpose="campaigning", channel="email") == before
    # The ledger is still append-only for every other change, from any client.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_consentevent SET action = 'given' WHERE id = %s", [old[1].pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_consentevent SET person_id = NULL, anonymised_at = %s WHERE id = %s",
                       [timezone.now(), latest.pk])  # fmt: skip  # the latest decides: refused
    assert retention_run(actor=Actor.system(), today=date(2027, 6, 1)).consent_events_anonymised == 0


def test_access_log_past_the_period_is_anonymised_verifiably_and_held_people_keep_theirs(org, today):
    from polity.audit.models import Event, EventSubject
    from polity.audit.services import audit_record, audit_verify

    member, held = org.people["member"], org.people["member2"]
    officer = org.actor("secretary")
    today.set(date(2019, 3, 1))
    for person in (member, held, member):
        audit_record(actor=officer, verb="member.view", subjects=[person.pk], purpose="member record",
                     object_type="person", object_id=person.pk)  # fmt: skip
    today.set(date(2027, 6, 1))
    audit_record(actor=officer, verb="member.view", subjects=[member.pk], purpose="member record")
    request_submit_own(actor=org.actor("member2"), kind="access")

    report = retention_run(actor=Actor.system(), today=date(2027, 6, 1))
    assert audit_verify().ok
    old = Event.objects.filter(occurred_at__lt=timezone.make_aware(datetime(2020, 1, 1)), verb="member.view")
    assert report.access_log_events_held == 1
    assert old.filter(anonymised_in__isnull=False).count() == report.access_log_events_anonymised >= 2
    assert not EventSubject.objects.filter(person_id=member.pk, event__in=old).exists()
    kept = old.get(anonymised_in__isnull=True)
    assert (
        kept.subject_ids == [held.pk] and EventSubject.objects.filter(event=kept, person_id=held.pk).exists()
    )
    # The member still sees this year's view; the retention run itself is recorded with its counts.
    assert EventSubject.objects.filter(person_id=member.pk, event__occurred_at__year=2027).exists()
    run = Event.objects.filter(verb="dsr.retention_run").latest("seq")
    assert run.details["access_log_events_anonymised"] == report.access_log_events_anonymised
