"""A member's own membership pages, and an officer recording a resignation from the member's letter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from polity.members.models import Payment, Person, Resignation, ResignationState, Status
from polity.members.resignations import resignations_take_effect

ME = reverse("web:me")


def upload(text: str = "I resign. Mina") -> SimpleUploadedFile:
    return SimpleUploadedFile("letter.txt", text.encode(), content_type="text/plain")


def record(org, client, name="member", **extra):  # type: ignore[no-untyped-def]
    url = reverse("web:member_resignation", kwargs={"member_id": org.people[name].pk})
    data = {"received_on": "2026-12-01", "note": "by post", "confirm": "on", **extra}
    return client.post(url, data)


def test_the_resign_page_says_what_will_happen_and_needs_confirming(org, login):
    client = login("member", verified=False)
    page = client.get(reverse("web:me_resign"))
    assert page.status_code == 200
    assert "14 days" in page.text and "take your resignation back" in page.text
    unconfirmed = client.post(reverse("web:me_resign"), {"reason": "moving"})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    assert not Resignation.objects.exists()


def test_a_member_resigns_takes_it_back_and_after_the_window_it_takes_effect(org, login):
    client = login("member", verified=False)
    done = client.post(reverse("web:me_resign"), {"reason": "moving", "confirm": "on"})
    assert done.status_code == 302
    resignation = Resignation.objects.get()
    page = client.get(ME)
    assert "Your resignation is pending" in page.text and "Take my resignation back" in page.text
    withdraw = reverse("web:me_resignation_withdraw", kwargs={"resignation_id": resignation.pk})
    assert client.post(withdraw).status_code == 302
    resignation.refresh_from_db()
    assert resignation.state == ResignationState.WITHDRAWN
    assert "Taken back by the member" in client.get(ME).text  # the state shows as words
    client.post(reverse("web:me_resign"), {"confirm": "on"})
    second = Resignation.objects.get(state=ResignationState.PENDING)
    resignations_take_effect(actor=_system(), now=second.window_ends_at + timedelta(seconds=1))
    assert Person.objects.get(pk=org.people["member"].pk).status == Status.RESIGNED
    assert "Renew my membership" in client.get(ME).text  # the way back


def _system():  # type: ignore[no-untyped-def]
    from polity.common.actor import Actor

    return Actor.system("resignations")


def test_another_member_cannot_take_back_or_dispute_a_resignation(org, login):
    login("member", verified=False).post(reverse("web:me_resign"), {"confirm": "on"})
    resignation = Resignation.objects.get()
    other = login("member2", verified=False)
    withdraw = reverse("web:me_resignation_withdraw", kwargs={"resignation_id": resignation.pk})
    dispute = reverse("web:me_resignation_dispute", kwargs={"resignation_id": resignation.pk})
    assert other.post(withdraw).status_code == 404
    assert other.post(dispute, {"reason": "x"}).status_code == 404
    assert login("regional").post(withdraw).status_code == 404  # not even an officer over them
    resignation.refresh_from_db()
    assert resignation.state == ResignationState.PENDING


def test_an_officer_records_a_resignation_only_with_the_letter(org, login):
    client = login("regional")
    form = client.get(reverse("web:member_resignation", kwargs={"member_id": org.people["member"].pk}))
    assert form.status_code == 200 and "14 days" in form.text and "dispute" in form.text
    refused = record(org, client)
    assert refused.status_code == 422 and "attach the member" in refused.text
    assert not Resignation.objects.exists()
    done = record(org, client, letter=upload())
    assert done.status_code == 302
    resignation = Resignation.objects.get()
    assert resignation.route == "letter" and resignation.letter_size == len("I resign. Mina")
    page = client.get(reverse("web:member", kwargs={"member_id": org.people["member"].pk}))
    assert "Pending" in page.text and "letter.txt" in page.text


@pytest.mark.parametrize(("who", "status"), [("secretary", 403), ("outsider", 404), ("branchsec", 404)])
def test_who_may_not_record_a_resignation(org, login, who, status):
    assert record(org, login(who), letter=upload()).status_code == status
    assert not Resignation.objects.exists()


def test_the_member_disputes_in_the_window_and_the_officer_sees_it_disputed(org, login):
    record(org, login("regional"), letter=upload())
    resignation = Resignation.objects.get()
    member = login("member", verified=False)
    assert "Dispute it" in member.get(ME).text
    letter = member.get(reverse("web:resignation_letter", kwargs={"resignation_id": resignation.pk}))
    assert letter.status_code == 200 and b"".join(letter.streaming_content) == b"I resign. Mina"
    dispute = reverse("web:me_resignation_dispute", kwargs={"resignation_id": resignation.pk})
    assert member.post(dispute, {"reason": "I never sent it."}).status_code == 302
    resignations_take_effect(actor=_system(), now=resignation.window_ends_at + timedelta(seconds=1))
    assert Person.objects.get(pk=org.people["member"].pk).status == Status.ACTIVE
    officer_page = login("regional").get(reverse("web:member", kwargs={"member_id": org.people["member"].pk}))
    assert "Disputed by the member" in officer_page.text and "I never sent it." in officer_page.text


def test_a_dispute_after_the_window_is_refused_on_the_page(org, login):
    record(org, login("regional"), letter=upload())
    resignation = Resignation.objects.get()
    Resignation.objects.filter(pk=resignation.pk).update(window_ends_at=timezone.now() - timedelta(minutes=1))
    member = login("member", verified=False)
    dispute = reverse("web:me_resignation_dispute", kwargs={"resignation_id": resignation.pk})
    refused = member.post(dispute, {"reason": "late"})
    assert refused.status_code == 422 and "window to dispute it ended" in refused.text


@pytest.mark.parametrize(("who", "status"), [("secretary", 404), ("member2", 404), ("regional", 200)])
def test_who_may_read_the_letter(org, login, who, status):
    record(org, login("regional"), letter=upload())
    url = reverse("web:resignation_letter", kwargs={"resignation_id": Resignation.objects.get().pk})
    assert login(who, verified=who != "member2").get(url).status_code == status


def test_a_member_changes_contact_details_and_renews_from_their_page(org, login):
    client = login("member", verified=False)
    form = client.get(reverse("web:me_contact"))
    assert form.status_code == 200 and "mina.member@example.invalid" in form.text
    saved = client.post(
        reverse("web:me_contact"),
        {
            "email": "mina@new.example",
            "phone": "",
            "address_line": "1 High St",
            "town": "Leeds",
            "postcode": "LS1",
        },
    )
    assert saved.status_code == 302
    assert Person.objects.get(pk=org.people["member"].pk).email == "mina@new.example"
    bad = client.post(reverse("web:me_contact"), {"email": "nope"})
    assert bad.status_code == 422
    renew = client.get(reverse("web:me_renew"))
    assert renew.status_code == 200 and "£36.00" in renew.text
    assert client.post(reverse("web:me_renew")).status_code == 302
    assert Payment.objects.get(person=org.people["member"]).method == "self_service"
