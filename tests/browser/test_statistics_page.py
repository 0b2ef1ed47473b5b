"""The public statistics page, read by someone not signed in: a chart and a table per series, a quarter to
choose, units below to follow, a CSV to download; nothing runs off a 390 px screen, no CSP violation."""

from datetime import date

import pytest
from playwright.sync_api import expect

from polity.transparency.tests.test_statistics import _joins
from tests.browser.test_phone_lists import OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_statistics_for_a_visitor(org, new_page, screenshot):
    _joins(org.units["north_a_1"], 7, on=date(2025, 8, 1))
    _joins(org.units["north_a_2"], 2, on=date(2025, 8, 1))
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="Public statistics").click()
    page.goto("/statistics/?quarter=2025Q3")
    expect(page.get_by_role("heading", name="Statistics: Demo Party, 2025Q3")).to_be_visible()
    section = page.locator("section#members\\.movement")
    expect(section.get_by_role("img")).to_be_visible()
    expect(section.get_by_role("row", name="Joined 9")).to_be_visible()
    page.get_by_role("link", name="North", exact=True).click()
    page.get_by_role("link", name="North A", exact=True).click()
    expect(page.get_by_role("heading", name="Statistics: North A, 2025Q3")).to_be_visible()
    expect(page.locator("section#members\\.movement").get_by_role("row", name="Joined 9")).to_be_visible()
    page.get_by_role("link", name="North A 2").click()
    expect(
        page.locator("section#members\\.movement").get_by_role("row", name="Joined fewer than 5")
    ).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures (CSV)").click()
    assert download.value.suggested_filename == "statistics-north-a-2-2025Q3.csv"
    screenshot(page, "50-statistics")
    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "51-statistics-390")
