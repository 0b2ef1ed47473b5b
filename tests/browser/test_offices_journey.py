"""Offices and access in a real Chromium: the regional officer restricts a secretary's access (picking the
unit and the officer from lists), the secretary finds the register closed and resigns from her own page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_restriction_and_a_resignation(org, new_page, screenshot):
    from datetime import timedelta

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from polity.access.models import Ending, OfficeTerm, Restriction

    devices = {
        name: TOTPDevice.objects.create(user=org.users[name], name="phone", confirmed=True)
        for name in ("regional", "secretary")
    }
    regional = new_page()
    sign_in(regional, "regional", devices["regional"])
    regional.get_by_role("link", name="Restrictions of access").click()
    regional.get_by_label("Unit (and everything below it)").select_option(value=str(org.units["north_a"].pk))
    regional.get_by_label("Officer").select_option(value=str(org.people["secretary"].pk))
    regional.get_by_label("Reasons").fill("The membership list was posted in a public chat.")
    too_late = timezone.localdate() + timedelta(days=90)
    regional.get_by_label("Review by").fill(f"{too_late:%Y-%m-%d}")
    regional.get_by_role("button", name="Restrict access").click()
    expect(regional.get_by_text("access.restriction_review_max")).to_be_visible()
    screenshot(regional, "30-restriction-refused")
    in_time = timezone.localdate() + timedelta(days=21)
    regional.get_by_label("Review by").fill(f"{in_time:%Y-%m-%d}")
    regional.get_by_role("button", name="Restrict access").click()
    expect(regional.get_by_role("heading", name="Restriction of access in North A")).to_be_visible()
    screenshot(regional, "31-restriction-under-review")
    assert Restriction.objects.get().person == org.people["secretary"]

    regional.goto(f"/units/{org.units['north_a'].pk}/")
    expect(regional.get_by_role("heading", name="Restrictions of access to personal data")).to_be_visible()
    expect(
        regional.get_by_role("link", name=re.compile("Record the appointing body's decision")).first
    ).to_be_visible()
    expect(regional.get_by_text("End term")).to_have_count(0)
    screenshot(regional, "32-unit-offices-and-restrictions")

    secretary = new_page()
    sign_in(secretary, "secretary", devices["secretary"])
    expect(
        secretary.get_by_text("Your access to members' personal data in North A is restricted")
    ).to_be_visible()
    secretary.goto("/members/")
    expect(secretary.get_by_text(re.compile("not found", re.I)).first).to_be_visible()
    secretary.goto("/me/")
    secretary.get_by_role("link", name=re.compile("Resign as Secretary")).click()
    secretary.get_by_role("button", name="Resign").click()
    expect(secretary.get_by_text(re.compile("confirm", re.I)).first).to_be_visible()
    secretary.get_by_label(re.compile("I resign this office")).check()
    screenshot(secretary, "33-resign-an-office")
    secretary.get_by_role("button", name="Resign").click()
    expect(secretary.get_by_text("You have resigned")).to_be_visible()
    assert OfficeTerm.objects.get(pk=org.terms["secretary"].pk).ended_how == Ending.RESIGNATION
