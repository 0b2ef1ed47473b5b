"""Writing to members takes `messages.send`, approving takes `messages.approve`: listing members is not enough.

The data protection officer may list every member (to answer requests) but holds neither, so cannot build
an audience, write, send, approve or refuse a message, on the web or through the API.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.access.services import grant_give
from polity.accounts.tokens import token_create
from polity.common.actor import Actor
from polity.common.errors import Forbidden, NotVisible
from polity.comms.models import Audience, Message, MessageState
from polity.comms.services import audience_create, message_approve, message_refuse, message_send
from polity.comms.tests.test_messages import _audience, _big_branch, _message
from polity.rulebook.loader import get_rulebook


def _waiting(org) -> Message:  # type: ignore[no-untyped-def]
    """A campaign from North A's secretary, big enough to wait for the region's approval."""
    _big_branch(org, get_rulebook().number("comms.approval_threshold") + 1)
    message = message_send(actor=org.actor("secretary"), message=_message(org, _audience(org)))
    assert message.state == MessageState.AWAITING_APPROVAL
    return message


def test_the_rulebook_gives_sending_and_approving_to_the_right_offices(org):
    national = org.units["national"]
    assert has_perm(org.actor("dpo"), Perm.MEMBERS_VIEW, national)  # she lists members...
    assert not has_perm(org.actor("dpo"), Perm.MESSAGES_SEND)  # ...but writes to none
    assert not has_perm(org.actor("dpo"), Perm.MESSAGES_APPROVE)
    assert has_perm(org.actor("secretary"), Perm.MESSAGES_SEND, org.units["north_a"])
    assert not has_perm(org.actor("secretary"), Perm.MESSAGES_APPROVE)
    assert has_perm(org.actor("regional"), Perm.MESSAGES_APPROVE, org.units["north"])
    assert has_perm(org.actor("national"), Perm.MESSAGES_APPROVE, national)


@pytest.mark.parametrize("unit", ["national", "north_a", "south_a_1"])
def test_the_dpo_cannot_build_an_audience(org, unit):
    with pytest.raises(NotVisible):
        audience_create(actor=org.actor("dpo"), unit=org.units[unit], name="Everyone")


def test_the_dpo_cannot_send_write_or_approve(org):
    audience = _audience(org, "national", "national")
    with pytest.raises(NotVisible):
        _message(org, audience, who="dpo")
    draft = _message(org, audience, who="national")
    with pytest.raises(NotVisible):
        message_send(actor=org.actor("dpo"), message=draft)
    waiting = _waiting(org)
    with pytest.raises(NotVisible):
        message_approve(actor=org.actor("dpo"), message=waiting)
    with pytest.raises(NotVisible):
        message_refuse(actor=org.actor("dpo"), message=waiting, reason="no")


def test_a_grant_of_members_view_alone_does_not_let_one_write(org):
    grant = {"actor": Actor.system(), "person": org.people["member"], "unit": org.units["north_a"]}
    expires = timezone.now() + timedelta(days=7)
    grant_give(**grant, permissions=["members.view"], purpose="register check", expires_at=expires)
    with pytest.raises(NotVisible):
        audience_create(actor=org.actor("member"), unit=org.units["north_a"], name="North A")
    grant_give(**grant, permissions=["messages.send"], purpose="branch newsletter", expires_at=expires)
    audience = audience_create(actor=org.actor("member"), unit=org.units["north_a"], name="North A")
    assert audience.unit == org.units["north_a"]


def test_sending_does_not_give_approving(org):
    waiting = _waiting(org)
    with pytest.raises(Forbidden):  # she sees her own message, but may not approve it for the region
        message_approve(actor=org.actor("secretary"), message=waiting)
    assert message_approve(actor=org.actor("regional"), message=waiting).state == MessageState.SENT


def test_the_dpo_is_refused_on_the_web(org, login):
    audience = _audience(org, "national", "national")
    draft = _message(org, audience, who="national")
    waiting = _waiting(org)
    client = login("dpo")
    home = client.get("/").content.decode()
    assert reverse("comms:messages") not in home  # no "Messages" in her navigation
    assert reverse("comms:messages") in login("secretary").get("/").content.decode()
    client = login("dpo")
    assert client.get(reverse("comms:audiences")).status_code == 404
    assert client.get(reverse("comms:message_new")).status_code == 404
    created = client.post(reverse("comms:audiences"), {"name": "All", "unit": org.units["national"].pk})
    assert created.status_code == 404
    assert client.get(reverse("comms:audience", args=[audience.pk])).status_code == 404
    written = client.post(
        reverse("comms:message_new"),
        {
            "audience": audience.pk,
            "purpose": "campaigning",
            "channel": "email",
            "subject": "Hi",
            "body": "Hi",
        },
    )
    assert written.status_code == 404
    assert Message.objects.count() == 2
    assert client.post(reverse("comms:message_send", args=[draft.pk])).status_code == 404
    assert client.post(reverse("comms:message_approve", args=[waiting.pk])).status_code == 404
    draft.refresh_from_db()
    waiting.refresh_from_db()
    assert draft.state == MessageState.DRAFT and waiting.state == MessageState.AWAITING_APPROVAL
    assert Audience.objects.count() == 2


def test_the_dpo_is_refused_by_the_api(org, client):
    audience = _audience(org, "national", "national")
    draft = _message(org, audience, who="national")
    waiting = _waiting(org)
    token = token_create(actor=Actor.system(), user=org.users["dpo"], name="t")[1]
    headers = {"Authorization": f"Bearer {token}"}

    def post(path: str, body: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
        return client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers
        )

    assert post("/audiences", {"name": "All", "unit": org.units["national"].pk}).status_code == 404
    written = post(
        "/messages",
        {
            "audience": audience.pk,
            "purpose": "campaigning",
            "channel": "email",
            "subject": "Hi",
            "body": "Hi",
        },
    )
    assert written.status_code == 404
    for path in (f"/messages/{draft.pk}/send", f"/messages/{waiting.pk}/approve"):
        response = post(path)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert post(f"/messages/{waiting.pk}/refuse", {"reason": "no"}).status_code == 404
    assert client.get(f"/api/v1/messages/{draft.pk}", headers=headers).status_code == 404
    draft.refresh_from_db()
    waiting.refresh_from_db()
    assert draft.state == MessageState.DRAFT and waiting.state == MessageState.AWAITING_APPROVAL
