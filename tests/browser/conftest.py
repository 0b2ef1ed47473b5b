"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (installed by `make test` when missing).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread; the tests' ORM calls are still synchronous.

    DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser test modules only, and Chromium and its loop stop
    with the module: set at import, it would leak into the rest of the session (the `check --deploy` test
    runs a subprocess with our environment, and that check refuses the variable).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"


@pytest.fixture(scope="module")
def browser(_allow_orm_beside_playwright: None) -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):  # type: ignore[no-untyped-def]
    """new_page() → a fresh page in its own context (own cookies), closed at the end of the test.

    The test fails if Chromium reports any Content-Security-Policy violation on any of its pages: the
    policy forbids inline script and style, and a blocked one would break the page without an error."""
    contexts = []
    violations: list[str] = []

    def make():  # type: ignore[no-untyped-def]
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert violations == [], violations


@pytest.fixture
def screenshot():  # type: ignore[no-untyped-def]
    SCREENS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)

    return shoot
