"""Complaints from people not on the register: confirmed by email first, then followed on a private link."""

import re

import pytest
from django.urls import reverse

from polity.cases import services as s
from polity.cases.models import Case, PendingComplaint
from polity.outbox.transports import memory_outbox


@pytest.fixture(autouse=True)
def _clean_mail():
    memory_outbox.clear()
    yield
    memory_outbox.clear()


def test_a_non_member_complains_confirms_and_follows(client, cases, django_capture_on_commit_callbacks):
    unit = cases.org.units["north_a_1"]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("cases:complain"),
            {
                "sender_name": "A Voter",
                "sender_email": "voter@example.invalid",
                "unit": unit.pk,
                "summary": "A canvasser was rude to me.",
            },
        )
    assert r.status_code == 200 and b"Check your email" in r.content
    assert Case.objects.count() == 0  # nothing counts before the address is confirmed
    mail = memory_outbox.emails[-1]
    assert mail.to == "voter@example.invalid"
    link = re.search(r"/cases/complain/confirm/[^/\s]+/", mail.body).group(0)
    assert client.get(link).status_code == 200 and Case.objects.count() == 0  # a GET confirms nothing
    r = client.post(link)
    assert r.status_code == 302
    case = Case.objects.get()
    assert (case.sender_email, case.unit) == ("voter@example.invalid", cases.org.units["north"])
    page = client.get(r["Location"])
    assert page.status_code == 200 and case.reference.encode() in page.content and b"Received" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        s.case_acknowledge(actor=cases.actor("handler"), case=case)
    assert memory_outbox.emails[-1].subject == f"{case.reference}: received"
    assert case.notices.get().delivered_at is not None  # the wire took it
    assert b"Acknowledged" in client.get(r["Location"]).content
    assert b"received" in client.get(r["Location"]).content  # the acknowledgement is on their page
    assert client.post(link).status_code == 409  # a second confirmation opens nothing
    assert client.get("/cases/follow/not-a-token/").status_code == 404
    assert PendingComplaint.objects.get().confirm_digest != link  # only digests are kept


def test_too_many_unconfirmed_requests_are_refused(client, cases):
    data = {
        "sender_name": "A",
        "sender_email": "spam@example.invalid",
        "unit": cases.org.units["north_a_1"].pk,
        "summary": "x",
    }
    for _ in range(3):
        assert client.post(reverse("cases:complain"), data).status_code == 200
    r = client.post(reverse("cases:complain"), data)
    assert r.status_code == 400 and b"too many" in r.content


def test_an_expired_link_is_not_found(cases, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from polity.cases.services import public
    from polity.common.errors import NotVisible

    monkeypatch.setattr(public.secrets, "token_urlsafe", lambda n: "known-token")
    public.complaint_request(
        name="A",
        email="a@example.invalid",
        unit=cases.org.units["north_a_1"],
        summary="x",
        base_url="http://x",
    )
    PendingComplaint.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(NotVisible):
        public.complaint_confirm(token="known-token")
    PendingComplaint.objects.update(expires_at=timezone.now() + timedelta(minutes=1))
    case, follow = public.complaint_confirm(token="known-token")
    assert case.sender_email == "a@example.invalid" and follow == "known-token"
