"""Every screen of every demo persona, in a real Chromium, on a desktop and on a phone (390 px wide): nothing
runs past the screen's edge and axe-core finds no violation.

The demo organisation is built once (README's logins: national, regional, secretary, branchsec, dpo, member,
outsider, operator). A crawl with Django's test client (polity/web/tests/test_crawl.py) lists the pages each
persona reaches from its menu; each kind of page (URL pattern) is then opened once in the browser, by the
first persona who reaches it, signed in through the real form and second step. Screenshots of the README's
journeys at 390 px go to docs/screens (5x-*-390.png).
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from django_otp.oath import totp

from polity.demo.logins import PASSWORD
from tests.browser.conftest import axe_violations, overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 900}
# README's "Where to click first", as screenshots at 390 px: (persona, URL pattern) -> file name.
SHOTS = {
    ("secretary", ""): "50-officer-home-390",
    ("secretary", "members/"): "51-members-list-390",
    ("secretary", "members/<int:member_id>/"): "52-member-record-390",
    ("member", "me/"): "53-who-viewed-my-data-390",
    ("dpo", "audit/"): "54-access-log-390",
    ("secretary", "comms/messages/"): "55-messages-390",
    ("member", "cases/"): "56-my-cases-390",
    ("regional", "cases/queue/"): "57-case-queue-390",
    ("regional", "cases/<int:case_id>/"): "58-case-page-390",
    ("operator", "outbox/caught/"): "59-mail-catcher-390",
}


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    if "/accounts/verify/" in page.url:
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        # A code is good once: a second sign-in within the same 30 s (desktop, then phone) takes the next step's
        # code, which the device's tolerance of one step accepts.
        now_t = (int(time.time()) - device.t0) // device.step
        drift = max(0, device.last_t + 1 - now_t)
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
        page.get_by_label("Code").fill(f"{code:06d}")
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()
    assert "/accounts/" not in page.url or username == "operator", page.url


def _pages_by_persona() -> dict[str, list[tuple[str, str]]]:
    """Each URL pattern reached from a menu, once, with the first persona who reaches it (and the README's
    screenshot pages for their persona)."""
    from polity.web.tests.test_crawl import PERSONAS, _menu, _route, crawl, signed_in

    done: set[str] = set()
    out: dict[str, list[tuple[str, str]]] = {}
    for persona in PERSONAS:
        client = signed_in(persona)
        seen, bad = crawl(client, _menu(client))
        assert bad == [], (persona, bad)
        mine: set[str] = set()
        for url in seen:
            if "." in url.partition("?")[0].rstrip("/").rsplit("/", 1)[-1]:
                continue  # a file (e.g. an election's stages.txt): the crawl checked it answers, a browser downloads it
            route = (_route(url) or "").partition("?")[0]
            if route in mine or (route in done and (persona, route) not in SHOTS):
                continue
            mine.add(route)
            done.add(route)
            out.setdefault(persona, []).append((url, route))
    return out


def test_every_screen_fits_a_phone_and_passes_axe(live_server, browser, screenshot, settings, tmp_path):
    from polity.common.actor import Actor
    from polity.demo.services import demo_generate

    settings.MEDIA_ROOT = str(tmp_path / "media")
    demo_generate(
        actor=Actor.system(), members=300, seed=7, today=date(2026, 11, 24), write_file=False, hooks=True
    )
    problems: list[str] = []
    visited = 0
    for persona, pages in _pages_by_persona().items():
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            _sign_in(page, persona)
            for url, route in pages:
                for size in (DESKTOP, PHONE):
                    page.set_viewport_size(size)
                    response = page.goto(url)
                    visited += 1
                    where = f"{persona} {url} at {size['width']} px"
                    if response is None or response.status != 200:
                        problems.append(f"{where}: answered {response.status if response else 'nothing'}")
                        continue
                    problems += [f"{where}: runs past the edge: {e}" for e in overflow(page)[:3]]
                    problems += [f"{where}: axe: {v}" for v in axe_violations(page)]
                    name = SHOTS.get((persona, route))
                    if name and size is PHONE:
                        screenshot(page, name)
        finally:
            context.close()
    assert visited > 80, visited
    assert problems == [], "\n".join(problems)
