"""Invariant 8: a unit whose officers lost access can still send its governance notices."""

from datetime import timedelta

import pytest
from django.utils import timezone

from polity.access.restrictions import restriction_impose
from polity.access.services import office_appoint
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.comms.continuity import governance_notice_request
from polity.comms.models import MessageState
from polity.comms.services import audience_create, message_create, message_send
from polity.deadlines.models import Deadline, State
from polity.deadlines.services import deadlines_escalate
from polity.outbox import delivery


@pytest.fixture
def cut_off(org, delegates):
    """North A's secretary's access to personal data is restricted pending review (a temporary measure:
    the secretary keeps the office); its chair (no data access) remains."""
    restriction_impose(
        actor=org.actor("regional"),
        unit=org.units["north_a"],
        person=org.people["secretary"],
        reasons="access cut pending review",
        review_at=timezone.now() + timedelta(days=14),
    )
    office_appoint(
        actor=Actor.system(), person=org.people["member"], office="chair", unit=org.units["north_a"]
    )
    return org


def _request(org, who="member"):
    return governance_notice_request(
        actor=org.actor(who),
        body=org.units["north_a_gc"],
        subject="GC meets",
        text="Dear {{ given_name }}, we meet on Monday.",
    )


def test_another_officer_can_send_the_notice(cut_off, sent):
    org = cut_off
    office_appoint(
        actor=Actor.system(),
        person=org.people["member2"],
        office="membership_officer",
        unit=org.units["north_a"],
    )
    audience = audience_create(
        actor=org.actor("member2"), unit=org.units["north_a"], name="GC", body=org.units["north_a_gc"]
    )
    message = message_create(
        actor=org.actor("member2"),
        audience=audience,
        purpose="governance",
        channel="email",
        subject="GC",
        body="Monday",
    )
    assert message_send(actor=org.actor("member2"), message=message).recipients == 2


def test_the_chair_asks_the_region_which_sends_within_the_deadline(cut_off, sent):
    org = cut_off
    message = _request(org)
    assert message.state == MessageState.AWAITING_REGION and message.approver_unit == org.units["north"]
    deadline = Deadline.objects.get(subject_type="comms.message", subject_id=str(message.pk))
    assert (
        deadline.rule_key == "deadlines.regional_notice_handling"
        and deadline.owner_unit == org.units["north"]
    )
    # The restricted secretary cannot send it; the region can.
    with pytest.raises(NotVisible):
        message_send(actor=org.actor("secretary"), message=message)
    message = message_send(actor=org.actor("regional"), message=message)
    assert message.state == MessageState.SENT and message.recipients == 2
    deadline.refresh_from_db()
    assert deadline.state == State.MET and not deadline.was_missed
    delivery.deliver_due()
    notices = [e for e in sent.emails if e.subject == "GC meets"]
    assert sorted(e.to for e in notices) == sorted(
        p.email for p in (org.people["member"], org.people["member2"])
    )
    # The restricted secretary was emailed the measure, which tells them how notices keep going out.
    (cut,) = [e for e in sent.emails if e.to == org.people["secretary"].email]
    assert "access cut pending review" in cut.body and "keep going out" in cut.body


def test_a_missed_regional_deadline_escalates_and_is_counted(cut_off):
    org = cut_off
    message = _request(org)
    deadline = Deadline.objects.get(subject_type="comms.message", subject_id=str(message.pk))
    deadlines_escalate(actor=Actor.system(), now=deadline.due_at + timedelta(minutes=1))
    deadline.refresh_from_db()
    assert deadline.state == State.ESCALATED and deadline.escalated_to == org.units["national"]
    assert message_send(actor=org.actor("national"), message=message).state == MessageState.SENT
    deadline.refresh_from_db()
    assert deadline.was_missed and deadline.state == State.MET


def test_only_office_holders_of_the_unit_may_ask(cut_off):
    for who in ("member2", "outsider", "branchsec"):
        with pytest.raises(NotVisible):
            _request(cut_off, who)


def test_continuity_over_the_api(cut_off, client):
    import json

    from polity.accounts.tokens import token_create

    org = cut_off
    tokens = {n: token_create(actor=Actor.system(), user=u, name="t")[1] for n, u in org.users.items()}

    def post(who, path, body):
        return client.post(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[who]}"},
        )

    body = {"body": org.units["north_a_gc"].pk, "subject": "GC", "text": "We meet on Monday."}
    assert post("member2", "/messages/notice-requests", body).status_code == 404  # a delegate, not an officer
    response = post("member", "/messages/notice-requests", body)
    assert response.status_code == 201 and response.json()["state"] == "awaiting_region"
    message = response.json()["id"]
    assert post("secretary", f"/messages/{message}/send", {}).status_code == 404
    sent = post("regional", f"/messages/{message}/send", {})
    assert sent.status_code == 200 and sent.json()["recipients"] == 2
    starts = (timezone.now() + timedelta(days=20)).isoformat()
    meeting = {"body": org.units["north_a_gc"].pk, "title": "GC", "starts_at": starts, "place": "Hall"}
    assert post("member", "/meetings", meeting).status_code == 201  # the chair records the meeting
    assert post("outsider", "/meetings", meeting).status_code == 404


def test_continuity_on_the_web(cut_off, login):
    from django.urls import reverse

    from polity.comms.models import Message

    org = cut_off
    chair = login("member")
    assert chair.get(reverse("comms:notice_request")).status_code == 200
    response = chair.post(
        reverse("comms:notice_request"),
        {"body": org.units["north_a_gc"].pk, "subject": "GC", "text": "Monday"},
    )
    assert response.status_code == 302
    assert Message.objects.get().state == MessageState.AWAITING_REGION
    assert login("member2").get(reverse("comms:notice_request")).status_code == 404


def _main_nav(html: str) -> str:
    return html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]


def test_the_chair_finds_the_notice_request_in_the_menu_and_others_do_not(cut_off, login):
    """The chair (no Messages) reaches the request from the main menu; a delegate is shown no link to it; a
    sender who holds no office of a unit (a grant) is not offered it beside Messages; the secretary is."""
    from django.urls import reverse

    from polity.access.services import grant_give

    org = cut_off
    url = reverse("comms:notice_request")
    chair = login("member")
    nav = _main_nav(chair.get(reverse("web:home"), follow=True).text)
    assert f'href="{url}"' in nav and reverse("comms:messages") not in nav
    assert chair.get(url).status_code == 200

    delegate = login("member2")
    assert url not in delegate.get(reverse("web:home"), follow=True).text
    assert delegate.get(url).status_code == 404

    grant_give(
        actor=org.actor("regional"), person=org.people["member2"], permissions=["messages.send"],
        unit=org.units["north_a"], purpose="help with the newsletter", expires_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    messages = login("member2").get(reverse("comms:messages"))
    assert messages.status_code == 200 and url not in messages.text

    messages = login("secretary").get(reverse("comms:messages"))
    assert messages.status_code == 200 and f'href="{url}"' in messages.text
    assert login("secretary").get(url).status_code == 200
