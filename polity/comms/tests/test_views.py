"""Web pages of consent and comms: the member's consents, audiences, messages, approval."""

import pytest
from django.urls import reverse

from polity.comms.models import Message
from polity.comms.tests.conftest import consent
from polity.consent.checks import contact_permitted
from polity.consent.models import ConsentEvent


def test_member_changes_consent_on_their_page(org, login):
    client = login("member")
    page = client.get(reverse("comms:my_consents"))
    assert page.status_code == 200 and b"Campaigning" in page.content
    response = client.post(
        reverse("comms:my_consents"), {"purpose": "campaigning", "channel": "email", "action": "given"}
    )
    assert response.status_code == 302
    event = ConsentEvent.objects.get()
    assert event.method == "web_form" and "Campaigning".lower() in event.wording.lower()
    assert contact_permitted(person_id=org.people["member"].pk, purpose="campaigning", channel="email")[0]
    refused = client.post(
        reverse("comms:my_consents"), {"purpose": "governance", "channel": "email", "action": "withdrawn"}
    )
    assert refused.status_code == 409


def test_officer_journey_on_the_web(org, login, sent):
    consent(org.people["member"])
    client = login("secretary")
    assert client.get(reverse("comms:audiences")).status_code == 200
    response = client.post(
        reverse("comms:audiences"), {"name": "North A all", "unit": org.units["north_a"].pk}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Can be reached" in page.content
    audience_id = int(response["Location"].rstrip("/").split("/")[-1])
    response = client.post(
        reverse("comms:message_new"),
        {
            "audience": audience_id,
            "purpose": "campaigning",
            "channel": "email",
            "subject": "Hi {{ given_name }}",
            "body": "News for {{ unit }}",
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert client.get(reverse("comms:message", args=[message.pk])).status_code == 200
    # Send asks first: the page says how many receive it by email and how many are left out, and why.
    confirm = client.post(reverse("comms:message_send", args=[message.pk]))
    assert confirm.status_code == 200 and Message.objects.get().state == "draft"
    assert "Will receive it by email" in confirm.text and "no consent for this purpose" in confirm.text
    assert (
        client.post(reverse("comms:message_send", args=[message.pk]), {"confirm": "yes"}).status_code == 302
    )
    page = client.get(reverse("comms:message", args=[message.pk]))
    assert "Being delivered" in page.text or "Delivered" in page.text
    assert client.get(reverse("comms:messages")).status_code == 200
    # Who wrote and who sent it, by name and office (never the login name "secretary").
    assert "written by Sam Secretary, Secretary of North A" in page.text
    assert "by Sam Secretary, Secretary of North A</dd>" in page.text
    audiences = client.get(reverse("comms:audiences")).text
    assert '<td data-label="By">Sam Secretary, Secretary of North A</td>' in audiences
    assert '<td data-label="By">secretary</td>' not in audiences


@pytest.mark.parametrize("who", ["member", "outsider", "branchsec"])
def test_out_of_scope_pages_are_404(org, login, who):
    staff = login("secretary")
    staff.post(reverse("comms:audiences"), {"name": "North A", "unit": org.units["north_a"].pk})
    from polity.comms.models import Audience

    audience = Audience.objects.get()
    client = login(who)
    assert client.get(reverse("comms:audience", args=[audience.pk])).status_code == 404


def test_officer_records_consent_on_the_members_word_on_the_web(org, login):
    from polity.audit.models import Event

    url = reverse("comms:member_consents", args=[org.people["member"].pk])
    regional = login("regional")
    assert regional.get(url).status_code == 200
    assert Event.objects.filter(verb="consent.view", actor_person_id=org.people["regional"].pk).exists()
    missing = regional.post(
        url, {"purpose": "campaigning", "channel": "phone", "action": "given", "evidence": ""}
    )
    assert missing.status_code == 200 and not ConsentEvent.objects.exists()
    done = regional.post(
        url, {"purpose": "campaigning", "channel": "phone", "action": "given", "evidence": "Call 3 May"}
    )
    assert done.status_code == 302
    event = ConsentEvent.objects.get()
    assert (event.method, event.evidence, event.recorded_by_person_id) == (
        "officer",
        "Call 3 May",
        org.people["regional"].pk,
    )
    assert (
        login("secretary")
        .post(url, {"purpose": "campaigning", "channel": "phone", "action": "given", "evidence": "x"})
        .status_code
        == 403
    )
    assert login("outsider").get(url).status_code == 404
