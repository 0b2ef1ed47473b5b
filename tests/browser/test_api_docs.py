"""The API's documentation page (Swagger UI, served from our own static files) works under the
Content-Security-Policy: it lists the operations, and Chromium reports no violation (see conftest)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_under_the_policy(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    response = page.goto("/api/v1/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("Polity API").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
