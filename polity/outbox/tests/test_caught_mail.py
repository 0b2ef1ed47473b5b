"""The mail catcher's pages: operators only, in every mode, and every reading recorded in the access log."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from polity.accounts.models import User
from polity.audit.models import Event
from polity.outbox.services import caught_mail_store
from polity.web.tests.conftest import login, verified_device  # noqa: F401


@pytest.fixture
def caught(org):  # type: ignore[no-untyped-def]
    person = org.people["member"]
    raw = (
        f"From: Polity <noreply@polity.invalid>\r\nTo: {person.email}\r\nSubject: AGM notice\r\n"
        "Message-ID: <x@polity.invalid>\r\n\r\nDear Mina, the AGM is on Friday.\r\n"
    ).encode()
    return caught_mail_store(mail_from="noreply@polity.invalid", rcpt_to=[person.email], raw=raw)


@pytest.fixture
def operator(db):  # type: ignore[no-untyped-def]
    """A superuser, signed in and past the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY

    user = User.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()
    return client


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("who", ["member", "outsider", "secretary", "national", "dpo"])
def test_nobody_but_an_operator_reads_caught_mail(org, login, caught, settings, who, debug):  # noqa: F811
    settings.DEBUG = debug
    client = login(who)
    before = Event.objects.filter(verb__startswith="outbox.caught").count()
    assert client.get(reverse("outbox:caught_list")).status_code == 404
    response = client.get(reverse("outbox:caught_detail", args=[caught.pk]))
    assert response.status_code == 404
    assert org.people["member"].email.encode() not in response.content
    assert Event.objects.filter(verb__startswith="outbox.caught").count() == before


def test_an_operator_reads_it_and_each_reading_is_in_the_access_log(org, caught, operator, settings):
    settings.DEBUG = True
    member = org.people["member"]
    page = operator.get(reverse("outbox:caught_list"))
    assert page.status_code == 200 and member.email.encode() in page.content
    listed = Event.objects.get(verb="outbox.caught_mail_list")
    assert listed.subject_ids == [member.pk] and listed.actor_label == "root"

    opened = operator.get(reverse("outbox:caught_detail", args=[caught.pk]))
    assert opened.status_code == 200 and b"AGM is on Friday" in opened.content
    viewed = Event.objects.get(verb="outbox.caught_mail_view")
    assert viewed.subject_ids == [member.pk] and viewed.object_id == str(caught.pk)


def test_the_member_sees_the_reading_in_their_own_access_log(org, caught, operator):
    from polity.audit.selectors import access_log_for_person
    from polity.common.actor import Actor

    operator.get(reverse("outbox:caught_detail", args=[caught.pk]))
    member = org.people["member"]
    seen = access_log_for_person(actor=Actor.for_user(org.users["member"]), person_id=member.pk)
    assert "outbox.caught_mail_view" in [entry.verb for entry in seen]


def test_an_operator_without_a_verified_second_factor_is_sent_to_verify(org, caught):
    user = User.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("outbox:caught_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:verify"))
