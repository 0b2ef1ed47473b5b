"""The main journeys, as a person would walk them, in a real Chromium. Screenshots go to docs/screens/."""

import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(device) -> str:  # type: ignore[no-untyped-def]
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def test_secretary_finds_a_member_and_the_member_sees_it(org, new_page, screenshot):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=org.users["secretary"], name="phone", confirmed=True)

    page = new_page()
    sign_in(page, "secretary")
    expect(page).to_have_url(re.compile(r"/accounts/verify/"))
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    screenshot(page, "01-second-step")
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Your offices")).to_be_visible()
    screenshot(page, "02-officer-home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members", exact=True).click()
    page.get_by_role("searchbox", name="Search").fill("Mina")  # htmx searches as you type
    expect(page.get_by_test_id("results-summary")).to_contain_text("Showing 1–1 of 1 for “Mina”")
    expect(page).to_have_url(re.compile(r"q=Mina"))
    screenshot(page, "03-members-search")
    page.get_by_role("link", name="Member, Mina").click()
    expect(page.get_by_role("heading", name="Mina Member")).to_be_visible()
    expect(page.get_by_text("Contact details are hidden")).to_be_visible()
    screenshot(page, "04-member-record")

    member = new_page()
    sign_in(member, "member")  # no office: no second step
    expect(member).to_have_url(re.compile(r"/me/$"))
    log = member.get_by_test_id("access-log")
    expect(log.get_by_role("row").nth(1)).to_contain_text("Sam Secretary, Secretary of North A")
    expect(log.get_by_role("row").nth(1)).to_contain_text("Opened the member's record")
    expect(log).to_contain_text("Saw the member in a members list")
    screenshot(member, "05-who-viewed-my-data")


def test_dpo_sets_up_two_step_sign_in_and_verifies_the_log(org, new_page, screenshot):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.accounts.enrolment import enrolment_code_issue
    from polity.common.actor import Actor
    from polity.members.selectors import member_get

    # an operator gave the new officer a one-time enrolment code, in person (`polity enrolment-code dpo`)
    _row, enrolment_code = enrolment_code_issue(actor=Actor.system(), user=org.users["dpo"])
    member_get(actor=org.actor("secretary"), member_id=org.people["member"].pk)  # something to find later

    page = new_page()
    sign_in(page, "dpo")
    expect(page).to_have_url(re.compile(r"/accounts/enrol/"))
    screenshot(page, "06a-enrolment-code")
    page.get_by_label("Enrolment code").fill("not-the-code")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right (4 tries left).")).to_be_visible()
    page.get_by_label("Enrolment code").fill(enrolment_code)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/setup/"))
    expect(page.get_by_role("img", name="QR code for Polity")).to_be_visible()
    screenshot(page, "06-two-step-setup")
    device = TOTPDevice.objects.get(user=org.users["dpo"], confirmed=False)
    shown = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert shown and shown in device.config_url
    page.get_by_label("Code from the app").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()

    page.goto("/audit/")
    expect(page.get_by_test_id("last-check")).to_have_text("never run")
    page.get_by_role("button", name="Verify the whole log now").click()
    expect(page.get_by_role("status")).to_contain_text("The log is intact")
    expect(page.get_by_test_id("last-check")).to_contain_text("Intact")
    screenshot(page, "07-audit-status")

    page.get_by_label("Officer", exact=True).fill("Sam Secretary")  # a name, never a login
    page.get_by_role("button", name="Search").click()
    first = page.get_by_test_id("search-results").get_by_role("row").nth(1)
    expect(first).to_contain_text("Sam Secretary, Secretary of North A")
    expect(first).to_contain_text("Opened the member's record")
    expect(first).to_contain_text("Mina Member")
    expect(page.get_by_test_id("search-page")).to_have_text("Page 1 of 1")
    screenshot(page, "07a-audit-search")
