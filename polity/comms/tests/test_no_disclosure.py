"""Officers write to members without ever seeing their addresses.

Walks the officer journeys of comms over the web and the API (audiences, previews, compose, send, approve,
message pages with delivery counts, lists) and searches every response body for any member's email
address or phone number, in any spelling.
"""

import json
import re

import pytest
from django.urls import reverse

from polity.accounts.tokens import token_create
from polity.common.actor import Actor
from polity.comms.tests.conftest import consent
from polity.members.models import Person
from polity.rulebook.loader import get_rulebook


def _needles() -> list[str]:
    found = []
    for email, phone in Person.objects.values_list("email", "phone"):
        if email:
            found += [email.lower(), email.split("@")[0].lower()]
        if phone:
            found += [phone, re.sub(r"\D", "", phone)]
    return found


def _leaks(response, needles) -> list[str]:
    text = response.content.decode().lower()
    digits = re.sub(r"\D", "", text)
    return [n for n in needles if n in (digits if n.isdigit() else text)]


def _assert_clean(responses):
    needles = _needles()
    assert len(responses) > 10 and needles
    for label, response in responses:
        assert _leaks(response, needles) == [], f"{label} shows a member's contact detail"


@pytest.fixture
def busy(org, delegates):
    """Consents, a big branch (so approval is needed), and a region officer's grant without contact rights."""
    for person in Person.objects.all():
        consent(person)
    threshold = get_rulebook().number("comms.approval_threshold")
    Person.objects.bulk_create(
        Person(
            membership_number=f"L{i:07d}",
            given_name=f"Lee{i}",
            family_name="Leak",
            email=f"leak.{i}@example.invalid",
            phone=f"07700 91{i:04d}",
            home_unit=org.units["north_a_1"],
            status="active",
            joined_on="2020-01-01",
        )
        for i in range(threshold + 1)
    )
    return org


def test_web_journeys_never_show_contact_details(busy, login, sent):
    org = busy
    responses = []
    sec = login("secretary")

    def get(client, label, url):
        response = client.get(url)
        assert response.status_code == 200, (label, response.status_code)
        responses.append((label, response))
        return response

    get(sec, "audiences", reverse("comms:audiences"))
    made = sec.post(reverse("comms:audiences"), {"name": "All", "unit": org.units["north_a"].pk})
    gc = sec.post(
        reverse("comms:audiences"),
        {
            "name": "GC",
            "unit": org.units["north_a"].pk,
            "body": org.units["north_a_gc"].pk,
            "body_part": "delegates",
        },
    )
    for location in (made["Location"], gc["Location"]):
        get(sec, "preview", location)
        get(sec, "preview sms", location + "?purpose=campaigning&channel=sms")
        get(sec, "preview service", location + "?purpose=service&channel=email")
    audience_id = int(made["Location"].rstrip("/").split("/")[-1])
    get(sec, "compose", reverse("comms:message_new") + f"?audience={audience_id}")
    sec.post(
        reverse("comms:message_new"),
        {
            "audience": audience_id,
            "purpose": "campaigning",
            "channel": "email",
            "subject": "Hi {{ given_name }}",
            "body": "Dear {{ full_name }} of {{ unit }}",
        },
    )
    from polity.comms.selectors import message_list

    [message] = message_list(actor=org.actor("secretary"))
    get(sec, "draft", reverse("comms:message", args=[message.pk]))
    responses.append(("send", sec.post(reverse("comms:message_send", args=[message.pk]), follow=True)))
    reg = login("regional")
    get(reg, "regional list", reverse("comms:messages"))
    get(reg, "awaiting approval", reverse("comms:message", args=[message.pk]))
    responses.append(("approve", reg.post(reverse("comms:message_approve", args=[message.pk]), follow=True)))
    get(sec, "sent", reverse("comms:message", args=[message.pk]))
    get(sec, "list", reverse("comms:messages"))
    get(login("national"), "national list", reverse("comms:messages"))
    _assert_clean(responses)


def test_api_journeys_never_show_contact_details(busy, client, sent):
    org = busy
    tokens = {n: token_create(actor=Actor.system(), user=u, name="t")[1] for n, u in org.users.items()}
    responses = []

    def call(who, method, path, body=None, expect=(200, 201)):
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            response = client.get(f"/api/v1{path}", body or {}, headers=headers)
        else:
            response = client.post(
                f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers
            )
        assert response.status_code in expect, (path, response.content)
        responses.append((f"{who} {method} {path}", response))
        return response.json()

    audience = call("secretary", "post", "/audiences", {"name": "All", "unit": org.units["north_a"].pk})["id"]
    gc = call(
        "secretary",
        "post",
        "/audiences",
        {
            "name": "GC",
            "unit": org.units["north_a"].pk,
            "body": org.units["north_a_gc"].pk,
            "body_part": "members",
        },
    )["id"]
    for a in (audience, gc):
        for purpose, channel in (
            ("campaigning", "email"),
            ("campaigning", "sms"),
            ("service", "email"),
            ("governance", "email"),
        ):
            call("secretary", "get", f"/audiences/{a}/preview", {"purpose": purpose, "channel": channel})
        call("secretary", "get", f"/audiences/{a}")
    call("secretary", "get", "/audiences")
    big = call(
        "secretary",
        "post",
        "/messages",
        {"audience": audience, "purpose": "campaigning", "subject": "Hi", "body": "Dear {{ given_name }}"},
    )["id"]
    notice = call(
        "secretary",
        "post",
        "/messages",
        {"audience": gc, "purpose": "governance", "subject": "GC", "body": "Monday"},
    )["id"]
    assert call("secretary", "post", f"/messages/{big}/send")["state"] == "awaiting_approval"
    assert call("secretary", "post", f"/messages/{notice}/send")["state"] == "sent"
    call("regional", "get", "/messages")
    call("regional", "get", f"/messages/{big}")
    assert call("regional", "post", f"/messages/{big}/approve")["state"] == "sent"
    for m in (big, notice):
        call("secretary", "get", f"/messages/{m}")
    call("secretary", "get", "/messages")
    call("national", "get", "/messages")
    call("secretary", "get", "/me/consents")
    _assert_clean(responses)
    # The search does find an address where one is shown: the member's own record.
    own = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['member']}"})
    assert org.people["member"].email.lower() in _leaks(own, _needles())
