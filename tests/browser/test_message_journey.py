"""A secretary writes a notice to the general committee's delegates, previews it as one of them (picked by
name), sends a test to herself, sees what sending will do, confirms, and reads the delivery counts: on a
desktop and at 390 px, each page with nothing past the screen's edge and no axe-core violation."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, overflow
from tests.browser.test_person_picker import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page) -> None:  # type: ignore[no-untyped-def]
    assert overflow(page) == [], page.url
    assert axe_violations(page) == [], page.url


@pytest.mark.parametrize(("width", "suffix"), [(1200, ""), (390, "-390")])
def test_compose_preview_test_confirm_and_sent_counts(org, new_page, screenshot, sent, width, suffix):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor
    from polity.comms.models import Message
    from polity.comms.services import audience_create, unit_sender_set

    for name in ("member", "member2"):
        office_appoint(
            actor=Actor.system(),
            person=org.people[name],
            office="delegate",
            unit=org.units["north_a"],
            body=org.units["north_a_gc"],
        )
    secretary = org.actor("secretary")
    audience = audience_create(
        actor=secretary,
        unit=org.units["north_a"],
        name="General committee delegates",
        body=org.units["north_a_gc"],
        body_part="delegates",
    )
    unit_sender_set(actor=secretary, unit=org.units["north_a"], reply_to="office@north-a.example")
    device = TOTPDevice.objects.create(user=org.users["secretary"], name="phone", confirmed=True)
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, "secretary", device)

    page.goto(f"/comms/messages/new/?audience={audience.pk}")
    page.get_by_label("Purpose").select_option("governance")
    page.get_by_label("Subject").fill("Papers for the {{ body_name }}")
    page.get_by_label("Body").fill(
        "Dear {{ given_name }},\n\nThe papers for Monday are ready.\n\n{{ sender_unit }}"
    )
    _check(page)
    screenshot(page, f"60-message-compose{suffix}")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved. Nothing has been sent.")).to_be_visible()
    message = Message.objects.get()
    assert message.state == "draft"
    expect(page.get_by_text("office@north-a.example")).to_be_visible()  # replies reach the unit
    _check(page)

    # Preview as one recipient, picked by typing her name.
    page.get_by_label("Preview as").fill("Mina Mem")
    page.get_by_role("button", name="Mina Member").click()
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_text("Dear Mina,")).to_be_visible()
    _check(page)
    screenshot(page, f"61-message-preview{suffix}")
    page.get_by_role("link", name="Back to the message").click()

    # A test to myself: one email, to the secretary's own address, marked as a test.
    page.get_by_role("button", name="Send a test to myself").click()
    expect(page.get_by_text("Nobody else received it")).to_be_visible()
    assert [(e.to, e.subject.startswith("[Test]")) for e in sent.emails] == [
        (org.people["secretary"].email, True)
    ]

    # Send asks first, with the counts.
    page.get_by_role("link", name="Send…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Send “Papers for the North A general committee”?"
    )
    expect(page.get_by_role("row", name="Will receive it by email 2")).to_be_visible()
    _check(page)
    screenshot(page, f"62-message-confirm{suffix}")
    assert Message.objects.get().state == "draft"
    page.get_by_role("button", name="Send to 2 people").click()

    # Sent: the time, and (delivery runs at once in the tests) the final counts.
    expect(page.get_by_text("Handed to delivery. The counts below fill in")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Delivered", exact=True).first).to_be_visible()
    expect(page.get_by_role("row", name="Delivered 2")).to_be_visible()
    _check(page)
    screenshot(page, f"63-message-sent{suffix}")
    assert sorted(e.to for e in sent.emails[1:]) == sorted(org.people[n].email for n in ("member", "member2"))
    assert all(e.reply_to == "office@north-a.example" for e in sent.emails)

    page.goto("/comms/messages/")
    expect(page.locator("td[data-label=State]", has_text="Delivered")).to_be_visible()
    _check(page)
    screenshot(page, f"64-messages-list{suffix}")
