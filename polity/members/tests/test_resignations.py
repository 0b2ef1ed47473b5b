"""Status changes only by their lawful route, resignations with their windows, and a notice for every change."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.members.models import Person, Resignation, ResignationState, Status, StatusChange
from polity.members.resignations import (
    resignation_dispute,
    resignation_record,
    resignation_request,
    resignation_withdraw,
    resignations_take_effect,
)
from polity.members.services import member_rejoin, member_set_status, members_refresh_arrears
from polity.outbox.models import Dispatch, OutboxEntry

SYSTEM = Actor.system("resignations")


@pytest.fixture
def sent():
    from polity.outbox.transports import memory_outbox

    memory_outbox.clear()
    yield memory_outbox
    memory_outbox.clear()


def letter(text: str = "Dear secretary, I resign. Mina") -> ContentFile[bytes]:
    return ContentFile(text.encode(), name="mina-resignation.pdf")


def statutory_to(person: Person) -> list[Dispatch]:
    ids = OutboxEntry.objects.filter(person=person).values_list("dispatch_id", flat=True)
    return list(Dispatch.objects.filter(pk__in=list(ids), purpose="statutory").order_by("pk"))


def after(resignation: Resignation) -> datetime:
    return resignation.window_ends_at + timedelta(seconds=1)


# The officer's hand: only admitting an applicant.


@pytest.mark.parametrize("officer", ["regional", "national"])
def test_an_officer_cannot_set_resigned_whatever_the_reason(org, officer):
    person = org.people["member"]
    with pytest.raises(DomainError, match="from their own page, or recorded by an officer from the letter"):
        member_set_status(
            actor=org.actor(officer), person=person, status=Status.RESIGNED, reason="Campaigned for a rival"
        )
    person.refresh_from_db()
    assert person.status == Status.ACTIVE
    # Not even a system actor (a case): resigned comes only from the member.
    with pytest.raises(DomainError):
        member_set_status(actor=Actor.system("case C-9"), person=person, status=Status.RESIGNED, reason="x")


@pytest.mark.parametrize("status", [Status.LAPSED, Status.IN_ARREARS])
def test_lapse_and_arrears_by_hand_are_refused_naming_the_arrears_rule(org, status):
    person = org.people["member"]
    with pytest.raises(DomainError, match="arrears rule"):
        member_set_status(actor=org.actor("regional"), person=person, status=status, reason="unpaid")
    assert Person.objects.get(pk=person.pk).status == Status.ACTIVE


def test_an_officer_admits_an_applicant_and_the_applicant_is_told(
    org, sent, django_capture_on_commit_callbacks
):
    from conftest import make_person

    applicant = make_person(org.units["north_a_2"], "Ada", "Applicant", status=Status.APPLICANT)
    with django_capture_on_commit_callbacks(execute=True):
        member_set_status(
            actor=org.actor("regional"), person=applicant, status=Status.ACTIVE, reason="approved"
        )
    [email] = [e for e in sent.emails if e.to == applicant.email]
    assert "active" in email.subject and "approved" in email.body
    change = StatusChange.objects.filter(person=applicant, status=Status.ACTIVE).get()
    assert change.dispatch_id == statutory_to(applicant)[-1].pk


def test_every_status_change_is_a_statutory_email_the_member_receives(
    org, sent, django_capture_on_commit_callbacks
):
    person = org.people["member"]
    Person.objects.filter(pk=person.pk).update(paid_until=date(2026, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        members_refresh_arrears(actor=Actor.system("arrears"), today=date(2026, 2, 15))
    with django_capture_on_commit_callbacks(execute=True):
        members_refresh_arrears(actor=Actor.system("arrears"), today=date(2026, 8, 1))
    with django_capture_on_commit_callbacks(execute=True):
        member_rejoin(actor=org.actor("regional"), person=person, joined_on=date(2026, 8, 2))
    with django_capture_on_commit_callbacks(execute=True):
        member_set_status(
            actor=Actor.system("case C-1"), person=person, status=Status.SUSPENDED, reason="C-1"
        )
    subjects = [e.subject for e in sent.emails if e.to == person.email]
    assert [s.rsplit(": ", 1)[1] for s in subjects] == ["in arrears", "lapsed", "active", "suspended"]
    body = [e.body for e in sent.emails if e.to == person.email][1]
    assert "subscription unpaid" in body and "rejoin" in body  # the reason, and what they can do
    changes = StatusChange.objects.filter(person=person).exclude(reason="joined")
    assert all(c.dispatch_id for c in changes)
    # The nightly run tells a whole batch in one dispatch, not one dispatch per member.
    assert Dispatch.objects.filter(source_id="arrears:2026-02-15").count() == 1


# Self-service: cooling-off.


def test_a_member_resigns_and_can_take_it_back_within_the_cooling_off_window(
    org, sent, django_capture_on_commit_callbacks
):
    person = org.people["member"]
    with django_capture_on_commit_callbacks(execute=True):
        resignation = resignation_request(actor=org.actor("member"), person=person, reason="moving abroad")
    assert resignation.state == ResignationState.PENDING
    assert resignation.window_ends_at - resignation.created_at == timedelta(days=14)
    assert (resignation.rule, resignation.rule_version) == ("membership.resignation_cooling_off", "2026.1")
    [email] = sent.emails
    assert email.to == person.email and "take it back" in email.subject
    assert Person.objects.get(pk=person.pk).status == Status.ACTIVE  # nothing happens during the window
    assert resignations_take_effect(actor=SYSTEM)["effective"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        resignation_withdraw(actor=org.actor("member"), resignation=resignation)
    resignation.refresh_from_db()
    assert resignation.state == ResignationState.WITHDRAWN
    assert "continues" in sent.emails[-1].subject
    assert resignations_take_effect(actor=SYSTEM, now=after(resignation))["effective"] == 0
    assert Person.objects.get(pk=person.pk).status == Status.ACTIVE
    assert Event.objects.filter(verb="member.resignation_withdraw").count() == 1


def test_after_the_cooling_off_window_the_resignation_takes_effect_and_cannot_be_taken_back(
    org, sent, django_capture_on_commit_callbacks
):
    person = org.people["member"]
    resignation = resignation_request(actor=org.actor("member"), person=person)
    with django_capture_on_commit_callbacks(execute=True):
        counts = resignations_take_effect(actor=SYSTEM, now=after(resignation))
    assert counts["effective"] == 1
    person.refresh_from_db()
    assert person.status == Status.RESIGNED
    assert person.periods.get(ended_on__isnull=False).end_status == Status.RESIGNED
    [told] = [e for e in sent.emails if e.subject.endswith(": resigned")]
    assert told.to == person.email and "rejoin" in told.body
    resignation.refresh_from_db()
    assert resignation.state == ResignationState.EFFECTIVE
    with pytest.raises(DomainError, match="no longer pending"):
        resignation_withdraw(actor=org.actor("member"), resignation=resignation)


def test_taking_back_after_the_window_is_refused_even_before_the_job_ran(org):
    resignation = resignation_request(actor=org.actor("member"), person=org.people["member"])
    Resignation.objects.filter(pk=resignation.pk).update(window_ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError, match="window to take it back ended"):
        resignation_withdraw(actor=org.actor("member"), resignation=resignation)


def test_one_pending_resignation_at_a_time_and_none_after_the_membership_ended(org):
    person = org.people["member"]
    resignation_request(actor=org.actor("member"), person=person)
    with pytest.raises(DomainError, match="already pending"):
        resignation_request(actor=org.actor("member"), person=person)
    person2 = org.people["member2"]
    member_set_status(actor=Actor.system("arrears"), person=person2, status=Status.LAPSED, reason="unpaid")
    with pytest.raises(DomainError, match="already ended"):
        resignation_request(actor=org.actor("member2"), person=Person.objects.get(pk=person2.pk))


@pytest.mark.parametrize(
    ("who", "error"), [("regional", Forbidden), ("member2", NotVisible), ("outsider", NotVisible)]
)
def test_nobody_resigns_for_a_member(org, who, error):
    with pytest.raises(error):
        resignation_request(actor=org.actor(who), person=org.people["member"])
    assert not Resignation.objects.exists()


@pytest.mark.parametrize("who", ["regional", "member2", "national"])
def test_nobody_else_takes_back_or_disputes_a_members_resignation(org, who):
    own = resignation_request(actor=org.actor("member"), person=org.people["member"])
    with pytest.raises(NotVisible):
        resignation_withdraw(actor=org.actor(who), resignation=own)
    recorded = resignation_record(
        actor=org.actor("regional"),
        person=org.people["member2"],
        letter=letter(),
        received_on=date(2026, 12, 1),
    )
    if who != "member2":
        with pytest.raises(NotVisible):
            resignation_dispute(actor=org.actor(who), resignation=recorded, reason="not me")
    assert Resignation.objects.filter(state=ResignationState.PENDING).count() == 2


# Recorded by an officer from the member's letter: dispute window.


def test_a_recorded_resignation_needs_the_letter(org):
    person = org.people["member"]
    with pytest.raises(InvalidInput, match="attach the member's letter"):
        resignation_record(
            actor=org.actor("regional"), person=person, letter=None, received_on=date(2026, 12, 1)
        )
    with pytest.raises(InvalidInput, match="empty"):
        resignation_record(
            actor=org.actor("regional"), person=person, letter=letter(""), received_on=date(2026, 12, 1)
        )
    assert not Resignation.objects.exists()


@pytest.mark.parametrize(
    ("who", "error"),
    [("secretary", Forbidden), ("branchsec", NotVisible), ("outsider", NotVisible), ("member", Forbidden)],
)
def test_who_may_record_a_resignation(org, who, error):
    with pytest.raises(error):
        resignation_record(
            actor=org.actor(who), person=org.people["member"], letter=letter(), received_on=date(2026, 12, 1)
        )
    assert not Resignation.objects.exists()


def test_a_disputed_resignation_never_takes_effect_and_stays_disputed(
    org, sent, django_capture_on_commit_callbacks
):
    person = org.people["member"]
    with django_capture_on_commit_callbacks(execute=True):
        resignation = resignation_record(
            actor=org.actor("regional"), person=person, letter=letter(), received_on=date(2026, 12, 1)
        )
    assert resignation.letter_size == len("Dear secretary, I resign. Mina")
    assert len(resignation.letter_sha256) == 64 and default_storage.exists(resignation.letter.name)
    assert resignation.letter_name == "mina-resignation.pdf" and "mina" not in resignation.letter.name
    [notice] = sent.emails
    assert notice.to == person.email and "dispute it by" in notice.subject
    assert "If you did not resign" in notice.body
    event = Event.objects.filter(verb="member.resignation_record").get()
    assert event.subject_ids == [person.pk] and json.loads(event.data)["sha256"] == resignation.letter_sha256
    with django_capture_on_commit_callbacks(execute=True):
        resignation_dispute(actor=org.actor("member"), resignation=resignation, reason="I never wrote this.")
    assert "disputed" in sent.emails[-1].subject
    resignations_take_effect(actor=SYSTEM, now=after(resignation))
    resignation.refresh_from_db()
    assert resignation.state == ResignationState.DISPUTED and resignation.dispute == "I never wrote this."
    assert Person.objects.get(pk=person.pk).status == Status.ACTIVE


def test_a_dispute_after_the_window_is_refused_and_the_resignation_takes_effect(org):
    person = org.people["member"]
    resignation = resignation_record(
        actor=org.actor("regional"), person=person, letter=letter(), received_on=date(2026, 12, 1)
    )
    Resignation.objects.filter(pk=resignation.pk).update(window_ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError, match="window to dispute it ended"):
        resignation_dispute(actor=org.actor("member"), resignation=resignation, reason="too late")
    assert resignations_take_effect(actor=SYSTEM)["effective"] == 1
    assert Person.objects.get(pk=person.pk).status == Status.RESIGNED
    change = StatusChange.objects.filter(person=person, status=Status.RESIGNED).get()
    assert "by letter, not disputed" in change.reason and change.dispatch_id


def test_a_membership_that_ended_meanwhile_makes_the_resignation_void(org):
    person = org.people["member"]
    resignation = resignation_request(actor=org.actor("member"), person=person)
    member_set_status(actor=Actor.system("case C-3"), person=person, status=Status.EXPELLED, reason="C-3")
    assert resignations_take_effect(actor=SYSTEM, now=after(resignation))["void"] == 1
    assert Person.objects.get(pk=person.pk).status == Status.EXPELLED


def test_only_the_system_applies_resignations(org):
    with pytest.raises(Forbidden):
        resignations_take_effect(actor=org.actor("national"))


def test_a_letter_left_by_a_crash_is_swept_but_a_recorded_one_is_kept(org):
    from polity.members.resignations import LETTER_DIR

    kept = resignation_record(
        actor=org.actor("regional"),
        person=org.people["member"],
        letter=letter(),
        received_on=date(2026, 12, 1),
    )
    orphan = default_storage.save(f"{LETTER_DIR}/2026/12/orphan.bin", ContentFile(b"left behind"))
    counts = resignations_take_effect(actor=SYSTEM, now=timezone.now() + timedelta(hours=2))
    assert counts["letters_swept"] == 1
    assert not default_storage.exists(orphan) and default_storage.exists(kept.letter.name)
