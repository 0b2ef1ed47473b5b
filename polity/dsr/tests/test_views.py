"""The pages: the member's "my data", the public form, the DPO's queue and request page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from polity.dsr.models import Request
from polity.dsr.services import request_submit_own


def test_a_member_asks_from_my_data_and_follows_the_request(login, org):
    client = login("member")
    page = client.get("/data/")
    assert page.status_code == 200 and b"Make a request" in page.content
    refused = client.post("/data/", {"kind": "rectification", "details": ""})
    assert refused.status_code == 400 and b"say what is wrong" in refused.content
    done = client.post("/data/", {"kind": "access", "details": "Everything, please"}, follow=True)
    made = Request.objects.get()
    assert done.status_code == 200 and made.reference.encode() in done.content
    assert b"Answer due" in done.content


def test_the_dpo_sees_the_queue_by_days_left_and_answers(login, org, django_capture_on_commit_callbacks):
    first = request_submit_own(actor=org.actor("member"), kind="access")
    second = request_submit_own(actor=org.actor("member2"), kind="objection", purposes=["campaigning"])
    client = login("dpo")
    page = client.get("/data/requests/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index(first.reference) < body.index(second.reference) or first.due_on == second.due_on
    detail = client.get(f"/data/requests/{first.pk}/")
    assert detail.status_code == 200 and b"The package" in detail.content
    bad = client.post(f"/data/requests/{first.pk}/extend/", {"to": "", "reasons": "x"})
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/data/requests/{first.pk}/send/", {"confirm": "on"}, follow=True)
    assert sent.status_code == 200 and b"Answered" in sent.content
    stop = client.post(f"/data/requests/{second.pk}/stop/", {"purposes": ["campaigning"]}, follow=True)
    assert stop.status_code == 200
    assert Request.objects.get(pk=second.pk).state == "answered"


def test_a_refused_rule_shows_on_the_request_page_and_keeps_the_form(login, org, today):
    today.set(date(2027, 1, 10))
    made = request_submit_own(actor=org.actor("member"), kind="access")
    today.set(date(2027, 3, 1))
    client = login("dpo")
    page = client.post(f"/data/requests/{made.pk}/extend/", {"to": "2027-04-01", "reasons": "Late reasons"})
    assert (
        page.status_code == 409 and b"too late to extend" in page.content and b"Late reasons" in page.content
    )


@pytest.mark.parametrize("who", ["member", "secretary", "national", "outsider"])
def test_only_the_dpo_reaches_the_queue_and_requests(login, org, who):
    made = request_submit_own(actor=org.actor("member2"), kind="access")
    client = login(who)
    assert client.get("/data/requests/").status_code == 404
    assert client.get(f"/data/requests/{made.pk}/").status_code == 404
    assert client.post(f"/data/requests/{made.pk}/send/", {"confirm": "on"}).status_code == 404
    assert client.get("/data/requests/new/").status_code == 404


def test_a_member_cannot_open_another_members_request(login, org):
    made = request_submit_own(actor=org.actor("member2"), kind="access")
    assert login("member").get(f"/data/mine/{made.pk}/").status_code == 404


def test_the_public_form_and_its_confirmation(client, org, sent, django_capture_on_commit_callbacks):
    assert client.get("/data/request/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            "/data/request/",
            {"requester_name": "Pat Former", "requester_email": "pat@example.invalid", "kind": "access"},
        )
    assert page.status_code == 200 and b"Check your email" in page.content
    token = re.search(r"/data/request/confirm/([^/]+)/", sent.emails[-1].body).group(1)
    assert client.get(f"/data/request/confirm/{token}/").status_code == 200
    assert not Request.objects.exists()  # a mail scanner opening the link confirms nothing
    follow = client.post(f"/data/request/confirm/{token}/", follow=True)
    assert follow.status_code == 200 and Request.objects.get().reference.encode() in follow.content
    assert client.get("/data/follow/not-a-token/").status_code == 404
