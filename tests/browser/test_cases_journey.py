"""Cases in a real Chromium: a member complains, follows her case and writes to the case team; the team acknowledges it from
its queue; the respondent reads the allegations and replies; a refused decision names its rule."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_complaint_from_form_to_reply(org, new_page, screenshot):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.access.services import office_appoint
    from polity.cases import services as s
    from polity.cases.models import Case
    from polity.common.actor import Actor

    office_appoint(
        actor=Actor.system(),
        person=org.people["regional"],
        office="complaints_officer",
        unit=org.units["north"],
    )
    device = TOTPDevice.objects.create(user=org.users["regional"], name="phone", confirmed=True)

    member = new_page()
    sign_in(member, "member")
    member.get_by_role("navigation", name="Main").get_by_role("link", name="Complaints").click()
    member.get_by_role("link", name="Make a complaint").click()
    member.get_by_label("What happened").fill("I was shouted down at the branch meeting on 3 March.")
    screenshot(member, "20-complaint-form")
    member.get_by_role("button", name="Send the complaint").click()
    expect(member.get_by_test_id("state")).to_have_text("Received")
    expect(member.get_by_title("deadlines.complaint_acknowledgement")).to_be_visible()
    screenshot(member, "21-complaint-status")
    case = Case.objects.get()
    # She writes to the case team: the message is on the case, with its acknowledgement deadline.
    member.locator("summary", has_text="Write to the case team").click()
    member.get_by_label("Your message to the case team").fill("Two members saw it and will say so.")
    member.get_by_role("button", name="Write to the case team").click()
    expect(member.get_by_text("Done: write to the case team.")).to_be_visible()
    expect(member.get_by_test_id("message")).to_contain_text("Acknowledgement due by")
    screenshot(member, "25-message-to-the-team")

    team = new_page()
    sign_in(team, "regional", device)
    team.goto("/cases/queue/")
    expect(team.get_by_role("link", name=case.reference)).to_be_visible()
    screenshot(team, "22-case-queue")
    team.get_by_role("link", name=case.reference).click()
    team.get_by_role("button", name="Acknowledge receipt").click()
    expect(team.get_by_test_id("state")).to_have_text("Acknowledged")
    screenshot(team, "23-case-team-page")

    # The case goes on in the services; the respondent's view is what matters next.
    officer = Actor.for_user(org.users["regional"])
    s.case_add_party(actor=officer, case=case, person=org.people["member2"], role="respondent")
    s.case_triage(actor=officer, case=case, reasons="A breach of the code of conduct is alleged.")
    s.case_send_notice(actor=officer, case=case, allegations="You shouted down a member at the meeting.")
    respondent = new_page()
    sign_in(respondent, "member2")
    respondent.goto(f"/cases/{case.pk}/")
    expect(respondent.get_by_text("Allegations sent to the respondent")).to_be_visible()
    # Under the demo rulebook the complainant's contact with the team is shown to him, by role, not by name.
    expect(respondent.get_by_test_id("message")).to_contain_text("The complainant to the case team")
    expect(respondent.get_by_test_id("message")).not_to_contain_text("Mina")
    respondent.get_by_label("Your reply").fill("I raised my voice once, to be heard over the music.")
    screenshot(respondent, "24-respondent-reply")
    respondent.get_by_role("button", name="Reply to the allegations").click()
    expect(respondent.get_by_text("Done: reply to the allegations.")).to_be_visible()
    assert case.replies.count() == 1
    assert timezone.now() - case.replies.get().received_at < timedelta(minutes=5)
    expect(respondent).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
