"""Drafts before they go: edit, delete, preview as a recipient, the confirmation of consequences, and the
audience's own purpose. Each rule with the test that it refuses."""

import json

import pytest
from django.urls import reverse

from polity.audit.models import Event
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.comms.drafts import message_delete, message_update
from polity.comms.models import Message, MessageState
from polity.comms.plan import approval_needed, send_plan
from polity.comms.selectors import audience_preview, default_purpose, message_preview_as
from polity.comms.services import audience_create, message_create, message_send
from polity.comms.tests.conftest import consent
from polity.outbox.models import OutboxEntry


def _audience(org, who="secretary", unit="north_a", **extra):
    return audience_create(actor=org.actor(who), unit=org.units[unit], name="Test audience", **extra)


def _draft(org, audience, who="secretary", purpose="campaigning", **extra):
    extra.setdefault("subject", "Hello {{ given_name }}")
    extra.setdefault("body", "Dear {{ given_name }}, news from {{ sender_unit }} for {{ unit }}.")
    return message_create(actor=org.actor(who), audience=audience, purpose=purpose, channel="email", **extra)


def _update(org, message, who="secretary", **changes):
    fields = {
        "audience": message.audience,
        "purpose": message.purpose,
        "channel": message.channel,
        "subject": message.subject,
        "body": message.body,
        **changes,
    }
    return message_update(actor=org.actor(who), message=message, **fields)


def test_the_author_edits_a_draft_and_the_change_is_logged(org):
    draft = _draft(org, _audience(org))
    _update(org, draft, subject="Saturday, {{ given_name }}?")
    assert Message.objects.get().subject == "Saturday, {{ given_name }}?"
    event = Event.objects.get(verb="comms.message_update")
    assert json.loads(event.data)["changed"] == ["subject"]


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("regional", Forbidden),  # may send in the unit, but is not the author
        ("branchsec", NotVisible),  # a branch below: the constituency's message is not theirs to see
        ("outsider", NotVisible),
        ("member", NotVisible),
    ],
)
def test_only_the_author_within_scope_edits_or_deletes(org, who, refusal):
    draft = _draft(org, _audience(org))
    with pytest.raises(refusal):
        _update(org, draft, who=who, subject="Changed")
    with pytest.raises(refusal):
        message_delete(actor=org.actor(who), message=draft)
    assert Message.objects.get().subject == "Hello {{ given_name }}"


def test_a_sent_message_cannot_be_edited_or_deleted(org, delegates):
    notice = _draft(org, _audience(org, body=org.units["north_a_gc"]), purpose="governance")
    message_send(actor=org.actor("secretary"), message=notice)
    with pytest.raises(DomainError, match="only a draft can be edited"):
        _update(org, notice, subject="Rewritten after the fact")
    with pytest.raises(DomainError, match="only a draft can be deleted"):
        message_delete(actor=org.actor("secretary"), message=notice)
    assert Message.objects.get().subject == "Hello {{ given_name }}"


def test_an_edit_is_checked_like_a_new_message(org):
    draft = _draft(org, _audience(org))
    with pytest.raises(InvalidInput, match="meeting_title"):
        _update(org, draft, subject="Papers for {{ meeting_title }}")
    with pytest.raises(
        InvalidInput, match="go only to the members of a body"
    ):  # governance goes only to a body's members
        _update(org, draft, purpose="governance")
    with pytest.raises(NotVisible):  # an audience outside the author's scope
        _update(org, draft, audience=_audience(org, "national", "south_a"))


def test_stray_braces_never_reach_a_subject(org):
    for subject in ("Hi {{ Given Name }}", "Hi {{given_name}", "Hi }} there"):
        with pytest.raises(InvalidInput, match="subject: .* is not a merge field"):
            _draft(org, _audience(org), subject=subject)


def test_delete_a_draft_keeps_a_note_in_the_log(org):
    draft = _draft(org, _audience(org))
    message_delete(actor=org.actor("secretary"), message=draft)
    assert not Message.objects.exists()
    event = Event.objects.get(verb="comms.message_delete")
    assert event.object_id == str(draft.pk) and json.loads(event.data)["subject"] == "Hello {{ given_name }}"


def test_preview_as_a_recipient_fills_their_fields_and_is_logged(org):
    draft = _draft(org, _audience(org))
    member = org.people["member"]
    rendered = message_preview_as(actor=org.actor("secretary"), message=draft, person=member)
    assert rendered.subject == "Hello Mina"
    assert rendered.body == "Dear Mina, news from North A for North A 2."
    event = Event.objects.get(verb="comms.message_preview")
    assert event.subject_ids == [member.pk]


def test_preview_outside_the_audience_or_scope_is_refused(org):
    draft = _draft(org, _audience(org, unit="north_a_1", who="branchsec"), who="branchsec")
    with pytest.raises(InvalidInput, match="not among this message's recipients"):  # in North A 2, not 1
        message_preview_as(actor=org.actor("branchsec"), message=draft, person=org.people["member"])
    with pytest.raises(InvalidInput):  # another region altogether
        message_preview_as(actor=org.actor("branchsec"), message=draft, person=org.people["outsider"])
    with pytest.raises(NotVisible):  # not a sender of the unit
        message_preview_as(actor=org.actor("member2"), message=draft, person=org.people["member2"])
    assert not Event.objects.filter(verb="comms.message_preview").exists()


def test_the_plan_shows_consequences_for_the_messages_own_purpose(org, delegates):
    consent(org.people["member"])
    campaign = _draft(org, _audience(org))
    plan = send_plan(actor=org.actor("secretary"), message=campaign)
    assert plan.reachable == 1 and plan.excluded["no_consent"] == plan.total - 1
    assert plan.approver is None and plan.goes_now
    notice = _draft(
        org, _audience(org, body=org.units["north_a_gc"], body_part="delegates"), purpose="governance"
    )
    plan = send_plan(actor=org.actor("secretary"), message=notice)
    assert (plan.total, plan.reachable, plan.excluded) == (2, 2, {})
    # Above the rulebook's threshold a campaign waits for the region; a governance notice never does.
    assert approval_needed(campaign, 10_000) == org.units["north"]
    assert approval_needed(notice, 10_000) is None
    with pytest.raises(NotVisible):
        send_plan(actor=org.actor("outsider"), message=campaign)


def test_the_plan_refuses_a_message_already_sent(org, delegates):
    notice = _draft(org, _audience(org, body=org.units["north_a_gc"]), purpose="governance")
    message_send(actor=org.actor("secretary"), message=notice)
    with pytest.raises(DomainError):
        send_plan(actor=org.actor("secretary"), message=notice)


def test_an_audience_is_counted_for_its_own_purpose_never_campaigning(org, delegates):
    gc = _audience(org, body=org.units["north_a_gc"], body_part="delegates")
    assert default_purpose(gc) == "governance"
    counts = audience_preview(actor=org.actor("secretary"), audience_id=gc.pk)
    assert (counts.purpose, counts.total, counts.reachable) == ("governance", 2, 2)
    everyone = _audience(org)
    assert default_purpose(everyone) == "service"


# --- the web pages ------------------------------------------------------------------------------------


def test_send_asks_first_and_a_post_without_confirming_sends_nothing(org, login, delegates):
    notice = _draft(
        org, _audience(org, body=org.units["north_a_gc"], body_part="delegates"), purpose="governance"
    )
    client = login("secretary")
    url = reverse("comms:message_send", args=[notice.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Will receive it by email" in page.text and "Send to 2 people" in page.text
    assert client.post(url).status_code == 200 and Message.objects.get().state == MessageState.DRAFT
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert Message.objects.get().state == MessageState.SENT
    again = client.get(url)
    assert again.status_code == 409  # nothing to confirm twice


def test_the_audience_page_counts_delegates_for_governance(org, login, delegates):
    gc = _audience(org, body=org.units["north_a_gc"], body_part="delegates")
    page = login("secretary").get(reverse("comms:audience", args=[gc.pk]))
    assert "Governance" in page.text
    assert '<tr><th scope="row">Can be reached</th><td>2</td></tr>' in page.text


def test_compose_keeps_what_was_typed_and_names_the_bad_field(org, login):
    audience = _audience(org)
    client = login("secretary")
    response = client.post(
        reverse("comms:message_new"),
        {
            "audience": audience.pk,
            "purpose": "campaigning",
            "channel": "email",
            "subject": "Papers for {{ meeting_title }}",
            "body": "My carefully written text",
        },
    )
    assert response.status_code == 422 and not Message.objects.exists()
    assert "unknown merge field(s) meeting_title" in response.text
    assert "My carefully written text" in response.text


def test_compose_without_an_audience_says_why_and_what_to_do(org, login):
    page = login("branchsec").get(reverse("comms:message_new"))
    assert page.status_code == 200
    assert "You have no audience to write to yet" in page.text and "North A 1" in page.text
    assert reverse("comms:audiences") in page.text and "Save draft" not in page.text


def test_edit_and_delete_on_the_web(org, login):
    draft = _draft(org, _audience(org))
    client = login("secretary")
    edit = reverse("comms:message_edit", args=[draft.pk])
    assert "Hello {{ given_name }}" in client.get(edit).text
    data = {"audience": draft.audience_id, "purpose": "campaigning", "channel": "email"}
    assert client.post(edit, {**data, "subject": "New subject", "body": "New body"}).status_code == 302
    assert Message.objects.get().subject == "New subject"
    assert login("regional").get(edit).status_code == 409  # not the author
    assert login("outsider").get(edit).status_code == 404
    delete = reverse("comms:message_delete", args=[draft.pk])
    assert "Delete the draft" in client.get(delete).text and Message.objects.exists()
    assert client.post(delete).status_code == 302 and not Message.objects.exists()


def test_a_sent_message_offers_no_edit_and_refuses_one(org, login, delegates):
    notice = _draft(org, _audience(org, body=org.units["north_a_gc"]), purpose="governance")
    message_send(actor=org.actor("secretary"), message=notice)
    client = login("secretary")
    page = client.get(reverse("comms:message", args=[notice.pk]))
    assert "Edit the draft" not in page.text and "Send…" not in page.text
    refused = client.post(
        reverse("comms:message_edit", args=[notice.pk]),
        {
            "audience": notice.audience_id,
            "purpose": "governance",
            "channel": "email",
            "subject": "x",
            "body": "y",
        },
    )
    assert refused.status_code == 409 and Message.objects.get().subject == "Hello {{ given_name }}"


def test_preview_page_uses_the_picker_and_refuses_outside_scope(org, login):
    draft = _draft(org, _audience(org))
    client = login("secretary")
    url = reverse("comms:message_preview", args=[draft.pk])
    page = client.get(url, {"person": org.people["member"].membership_number})
    assert page.status_code == 200 and "Dear Mina, news from North A for North A 2." in page.text
    outside = client.get(url, {"person": org.people["outsider"].membership_number})
    assert outside.status_code == 422 and "in your area" in outside.text and "Dear Olu" not in outside.text
    assert login("member").get(url, {"person": "Mina Member"}).status_code == 404


def test_after_sending_the_page_and_list_show_sent_time_and_final_counts(org, login, delegates, sent):
    from polity.outbox import delivery
    from polity.outbox.services import bounce_record

    notice = _draft(
        org, _audience(org, body=org.units["north_a_gc"], body_part="delegates"), purpose="governance"
    )
    message_send(actor=org.actor("secretary"), message=notice)
    client = login("secretary")
    page = client.get(reverse("comms:message", args=[notice.pk]))
    assert "Being delivered (2 to go)" in page.text and "Sent</dt>" in page.text
    delivery.deliver_due()
    entry = OutboxEntry.objects.filter(person=org.people["member"]).get()
    from polity.common.actor import Actor

    bounce_record(actor=Actor.system("bounce"), message_id=entry.message_id)
    page = client.get(reverse("comms:message", args=[notice.pk]))
    assert "Delivered, some did not arrive" in page.text and "Delivery finished" in page.text
    assert '<th scope="row">Delivered</th><td class="num">1</td>' in page.text
    assert '<th scope="row">Bounced</th><td class="num">1</td>' in page.text
    listing = client.get(reverse("comms:messages"))
    assert "Delivered, some did not arrive" in listing.text and "Handed to delivery" not in listing.text
    assert '<td data-label="Delivered" class="num">1</td>' in listing.text


def test_the_list_reads_delivery_counts_in_one_query(org, login, delegates, django_assert_max_num_queries):
    for _ in range(3):
        notice = _draft(
            org, _audience(org, body=org.units["north_a_gc"], body_part="delegates"), purpose="governance"
        )
        message_send(actor=org.actor("secretary"), message=notice)
    client = login("secretary")
    client.get(reverse("comms:messages"))  # warm the session and the nav
    with django_assert_max_num_queries(7):
        assert client.get(reverse("comms:messages")).status_code == 200


def test_approving_shows_what_will_go_out_first_and_refuses_the_author(org, login):
    from polity.comms.tests.test_messages import _big_branch
    from polity.rulebook.loader import get_rulebook

    threshold = get_rulebook().number("comms.approval_threshold")
    _big_branch(org, threshold + 1)
    consent(org.people["member"])
    campaign = _draft(org, _audience(org))
    plan = send_plan(actor=org.actor("secretary"), message=campaign)
    assert plan.approver == org.units["north"] and plan.approval_due is not None
    page = login("secretary").get(reverse("comms:message_send", args=[campaign.pk]))
    assert (
        "It needs approval first." in page.text and "North" in page.text and "Send for approval" in page.text
    )
    message_send(actor=org.actor("secretary"), message=campaign)
    assert Message.objects.get().state == MessageState.AWAITING_APPROVAL
    url = reverse("comms:message_approve", args=[campaign.pk])
    regional = login("regional")
    asked = regional.get(url)
    assert asked.status_code == 200 and "Approve and send to 1 person" in asked.text
    assert (
        regional.post(url).status_code == 200
        and Message.objects.get().state == MessageState.AWAITING_APPROVAL
    )
    assert login("secretary").post(url, {"confirm": "yes"}).status_code == 403  # not one's own
    assert login("branchsec").get(url).status_code == 404
    assert regional.post(url, {"confirm": "yes"}).status_code == 302
    assert Message.objects.get().state == MessageState.SENT
