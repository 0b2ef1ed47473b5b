"""No link a person is shown leads to an error: each demo persona (README's logins) follows every link of its
menu and of the pages behind it, and none answers 403, 404, 500 or a debug page.

A crawl with Django's test client over the demo organisation (300 members, every app's demo content):
each URL pattern is visited with at most a few different arguments, so a list of 50 members costs two
record pages, not fifty. Links that download files or sign out are not followed; forms are not posted.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from polity.common.actor import Actor
from polity.demo.services import demo_generate
from polity.web.tests.conftest import verified_device

HREF = re.compile(r'href="(/[^"#]*)"')
DEBUG_MARKERS = ("Traceback (most recent call last)", "Using the URLconf", "You're seeing this error because")
# Downloads, the API (its own tests), Django's admin, signing out.
NOT_FOLLOWED = ("/static/", "/api/", "/admin/", "/accounts/logout", "/cases/evidence/", "/resignations/")
NOT_FOLLOWED_SUFFIXES = (".csv", ".blt", ".json", ".pdf", "/letter/", "/download/")
PER_ROUTE = 3  # different arguments tried per URL pattern
MAX_PAGES = 120
PERSONAS = ["national", "regional", "secretary", "branchsec", "dpo", "member", "outsider", "operator"]


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with django_capture_on_commit_callbacks(execute=True):
        return demo_generate(
            actor=Actor.system(), members=300, seed=7, today=date(2026, 11, 24), write_file=False, hooks=True
        )


def signed_in(username: str) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY

    from polity.accounts.models import User

    client = Client()
    user = User.objects.get(username=username)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()
    return client


def _route(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return f"{match.route}?{','.join(sorted(k.split('=')[0] for k in urlsplit(url).query.split('&') if k))}"


def crawl(client: Client, start: list[str]) -> tuple[list[str], list[tuple[str, int | str, str]]]:
    """Visit what is linked from `start`, breadth first. Returns the pages seen and the bad answers, each with
    the page that linked it."""
    queue = [(url, "menu") for url in start]
    seen: list[str] = []
    tried: set[str] = set()
    per_route: Counter[str] = Counter()
    bad: list[tuple[str, int | str, str]] = []
    while queue and len(seen) < MAX_PAGES:
        url, came_from = queue.pop(0)
        path = urlsplit(url).path
        if url in tried or path.startswith(NOT_FOLLOWED) or path.endswith(NOT_FOLLOWED_SUFFIXES):
            continue
        tried.add(url)
        route = _route(url)
        if route is None:
            bad.append((url, "no such page", came_from))
            continue
        if per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append((response["Location"], url))
            continue
        seen.append(url)
        text = (
            response.content.decode(errors="replace")
            if "text/html" in response.get("Content-Type", "")
            else ""
        )
        if response.status_code != 200 or any(marker in text for marker in DEBUG_MARKERS):
            bad.append((url, response.status_code, came_from))
            continue
        links = [h.replace("&amp;", "&") for h in HREF.findall(text)]
        queue += [(link, url) for link in links if link not in tried]
    return seen, bad


def _menu(client: Client) -> list[str]:
    home = client.get("/", follow=True).content.decode()
    nav = home.split('<nav aria-label="Main">', 1)[-1].split("</nav>", 1)[0]
    return ["/", *HREF.findall(nav), "/accounts/security/"]


def test_no_link_from_any_personas_menu_leads_to_an_error(demo):
    """One demo for every persona (building it is most of the test's time)."""
    bad_by_persona, seen_by_persona = {}, {}
    for persona in PERSONAS:
        client = signed_in(persona)
        menu = _menu(client)
        seen, bad = crawl(client, menu)
        seen_by_persona[persona] = seen
        if bad:
            bad_by_persona[persona] = bad
        assert len(seen) >= len(set(menu)), (persona, seen)
    assert bad_by_persona == {}, bad_by_persona
    assert len(seen_by_persona["secretary"]) > 30 and len(seen_by_persona["member"]) > 5, {
        p: len(s) for p, s in seen_by_persona.items()
    }
    # The sign-in page and what it links answer without signing in.
    seen, bad = crawl(Client(), ["/accounts/login/"])
    assert bad == [] and {"/accounts/login/", "/accounts/password/forgotten/", "/cases/complain/"} <= set(
        seen
    )
