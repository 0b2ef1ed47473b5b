"""The meetings API: same permissions as the services; refusals answer 409 naming the rule."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def call(org, gc, client):  # type: ignore[no-untyped-def]
    from polity.accounts.models import User
    from polity.accounts.tokens import token_create
    from polity.common.actor import Actor

    for person in gc.delegates[2:]:
        org.users[person.given_name] = User.objects.create_user(username=person.given_name, person=person)
    tokens = {n: token_create(actor=Actor.system(), user=u, name="t")[1] for n, u in org.users.items()}

    def send(who, method, path, body=None):  # type: ignore[no-untyped-def]
        fn = getattr(client, method)
        kwargs = {"headers": {"Authorization": f"Bearer {tokens[who]}"}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return fn(f"/api/v1/meetings{path}", **kwargs)

    return send


def test_a_meeting_over_the_api_with_its_refusals(org, gc, call):
    starts = (timezone.now() + timedelta(days=3)).isoformat()  # too late for seven days' notice
    new = {
        "body": gc.body.pk,
        "title": "GC",
        "starts_at": starts,
        "place": "Hall",
        "agenda": "Minutes\nMotions",
    }
    assert call("outsider", "post", "", new).status_code == 404
    assert call("member", "post", "", new).status_code == 409
    created = call("secretary", "post", "", new)
    assert created.status_code == 201, created.content
    meeting = created.json()
    assert meeting["notice_late"] and not meeting["notice_valid"]
    mid = meeting["id"]
    assert call("outsider", "get", f"/{mid}").status_code == 404
    assert call("member", "post", f"/{mid}/notice").status_code == 403
    assert call("secretary", "post", f"/{mid}/notice").status_code == 200
    assert call("secretary", "post", f"/{mid}/open").json()["quorum"] == 10
    for person in gc.delegates[:10]:
        r = call("secretary", "post", f"/{mid}/attendance", {"person": person.membership_number})
        assert r.status_code == 200, r.content
    assert call("secretary", "get", f"/{mid}").json()["quorate"]
    motion = call(
        "member",
        "post",
        f"/{mid}/motions",
        {
            "title": "Buses",
            "text": "Better buses",
            "seconder": gc.delegates[1].membership_number,
            "emergency": True,
        },
    )
    assert motion.status_code == 201, motion.content
    motion_id = motion.json()["id"]
    assert (
        call(
            "secretary", "post", f"/motions/{motion_id}/ruling", {"admit": True, "ruling": "Urgent"}
        ).status_code
        == 200
    )
    refused = call("secretary", "post", f"/motions/{motion_id}/counts", {"votes_for": 7, "against": 2})
    assert refused.status_code == 409 and refused.json()["rule"] == "late_notice"
    waived = call("secretary", "post", f"/{mid}/waive", {"reason": "Ten of twelve agree"})
    assert waived.status_code == 200 and waived.json()["notice_valid"]
    opened = call("secretary", "post", f"/motions/{motion_id}/vote/open", {"method": "secret"})
    assert opened.status_code == 200
    assert call("member", "post", f"/motions/{motion_id}/vote", {"choice": "for"}).status_code == 204
    again = call("member", "post", f"/motions/{motion_id}/vote", {"choice": "against"})
    assert again.status_code == 409 and again.json()["rule"] == "vote"
    absent = call(gc.delegates[11].given_name, "post", f"/motions/{motion_id}/vote", {"choice": "for"})
    assert absent.status_code == 409 and absent.json()["rule"] == "not_entitled"
    closed = call("secretary", "post", f"/motions/{motion_id}/vote/close")
    assert closed.json()["state"] == "carried" and closed.json()["votes_for"] == 1


def test_inquorate_and_deadline_refusals_name_their_rule(org, gc, call, called):
    mid = called.pk
    call("secretary", "post", f"/{mid}/open")
    soon = (timezone.now() + timedelta(days=5)).isoformat()  # motions close ten days before
    new = {"body": gc.body.pk, "title": "GC", "starts_at": soon, "place": "Hall"}
    soon_id = call("secretary", "post", "", new).json()["id"]
    late = call(
        "member",
        "post",
        f"/{soon_id}/motions",
        {"title": "Late", "text": "x", "seconder": gc.delegates[1].membership_number},
    )
    assert late.status_code == 409 and late.json()["rule"] == "motion_deadline"
    from polity.meetings.services.business import motion_submit
    from polity.meetings.tests.conftest import person_actor

    motion = motion_submit(
        actor=person_actor(gc.delegates[0]),
        meeting=called,
        title="T",
        text="x",
        seconder=gc.delegates[1],
        now=called.created_at,
    )
    refused = call("secretary", "post", f"/motions/{motion.pk}/counts", {"votes_for": 0, "against": 0})
    assert refused.status_code == 409 and refused.json()["rule"] == "inquorate"
    assert (
        call("outsider", "post", f"/motions/{motion.pk}/counts", {"votes_for": 0, "against": 0}).status_code
        == 404
    )


def test_members_requisition_a_meeting_over_the_api_with_its_refusals(org, gc, call):
    """Start, sign and hand in on paper as on the body's page: only the body's members may, each once; an
    outsider sees nothing (404); refusals answer 409 naming the rule."""
    from polity.deadlines.models import Deadline

    path = f"/bodies/{gc.body.pk}/requisitions"
    assert call("outsider", "post", path, {"purpose": "Reselect"}).status_code == 404
    refused = call("secretary", "post", path, {"purpose": "Reselect"})  # sees the body, does not sit on it
    assert refused.status_code == 409 and refused.json()["rule"] == "not_entitled"
    assert call("member", "post", path, {"purpose": " "}).status_code == 422
    started = call("member", "post", path, {"purpose": "Reselect our candidate"})
    assert started.status_code == 201, started.content
    req = started.json()
    assert (req["signatures"], req["needed"], req["signed_by_me"], req["submitted_at"]) == (1, 5, True, None)
    sign = f"/requisitions/{req['id']}/sign"
    again = call("member", "post", sign)
    assert again.status_code == 409 and again.json()["rule"] == "requisition"
    assert call("secretary", "post", sign).json()["rule"] == "not_entitled"
    assert call("outsider", "post", sign).status_code == 404
    assert call("outsider", "get", path).status_code == 404
    for who in ["member2", gc.delegates[2].given_name, gc.delegates[3].given_name]:
        assert call(who, "post", sign).status_code == 200
    last = call(gc.delegates[4].given_name, "post", sign).json()
    assert last["signatures"] == 5 and last["submitted_at"] is not None and last["deadline_state"] == "open"
    assert (
        Deadline.objects.get(pk=Deadline.objects.latest("pk").pk).rule_key
        == "meetings.requisition_call_within"
    )
    listed = call("member", "get", path).json()
    assert [r["id"] for r in listed] == [req["id"]] and listed[0]["signed_by_me"]

    paper = f"{path}/signed"
    numbers = [p.membership_number for p in gc.delegates[1:3]]
    short = call("member", "post", paper, {"purpose": "Deselection", "signatories": numbers})
    assert short.status_code == 409 and short.json()["rule"] == "requisition"
    numbers = [p.membership_number for p in gc.delegates[1:6]]
    assert call("secretary", "post", paper, {"purpose": "x", "signatories": numbers}).json()["rule"] == (
        "not_entitled"
    )
    handed = call("member", "post", paper, {"purpose": "Deselection", "signatories": numbers})
    assert handed.status_code == 201, handed.content
    assert handed.json()["signatures"] == 6 and handed.json()["call_by"] is not None
