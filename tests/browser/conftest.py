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


# The page scrolls sideways, or some visible element ends past the screen's edge (the stacked tables' header
# row is visually hidden, clipped to a pixel, and left out; so is what a closed <details> hides).
OVERFLOW = (
    "(document.documentElement.scrollWidth > document.documentElement.clientWidth ? ['page'] : [])"
    ".concat(Array.from(document.querySelectorAll('body *')).filter(e => !e.closest('table.stack thead') && "
    "!e.closest('.visually-hidden') && e.getClientRects().length > 0 && "
    "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
    ".map(e => e.tagName + '.' + e.className + '#' + e.id))"
)


def overflow(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What runs past the right edge of the screen (nothing, on a page that fits)."""
    return list(page.evaluate(OVERFLOW))


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's violations on the page as it is now (rule, impact, first offending element), none expected.

    axe-core is bundled by the `axe-playwright-python` package (a dev dependency): it is injected through the
    DevTools protocol, which the page's Content-Security-Policy does not govern."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v.get('impact')}): {v['nodes'][0]['target'] if v.get('nodes') else ''} {v['help']}"
        for v in results.response.get("violations", [])
    ]


def sign_in(page, username: str, device=None) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real form (the test suite's password); with an authenticator `device`, also pass the
    second step with its current code."""
    from django_otp.oath import totp

    from conftest import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    if device is not None:
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.get_by_label("Code").fill(f"{code:06d}")
        page.get_by_role("button", name="Verify").click()
