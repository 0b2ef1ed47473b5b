"""Every response carries the Content-Security-Policy; nothing Django renders may be stored by a cache.

The policy forbids inline script and style, so the templates must carry none: a scan of every template
keeps it that way (the browser journeys also fail on any policy violation Chromium reports)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from polity.accounts.tokens import token_create
from polity.common.actor import Actor

ROOT = Path(__file__).resolve().parents[3]


def policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response.headers.get("Content-Security-Policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


@pytest.fixture
def responses(org, login):  # type: ignore[no-untyped-def]
    """One response of each kind: anonymous page, signed-in pages, API, error, admin, static file."""
    anonymous = Client()
    token = token_create(actor=Actor.system(), user=org.users["secretary"], name="t")[1]
    out = {
        "sign-in page": anonymous.get("/accounts/login/"),
        "not found": anonymous.get("/no-such-page/"),
        "api without token": anonymous.get("/api/v1/members"),
        "static file": anonymous.get("/static/polity.css"),
    }
    client = login("secretary")
    out["members list"] = client.get("/members/", {"q": "Mina"})
    out["member record"] = client.get(f"/members/{org.people['member'].pk}/")
    out["home"] = client.get("/")
    out["api with token"] = Client().get("/api/v1/members", headers={"Authorization": f"Bearer {token}"})
    return out


def test_every_response_carries_a_strict_content_security_policy(responses) -> None:  # type: ignore[no-untyped-def]
    for name, response in responses.items():
        csp = policy(response)
        assert csp.get("default-src") == ["'self'"], name
        assert csp.get("script-src") == ["'self'"], name
        assert csp.get("style-src") == ["'self'"], name
        assert csp.get("object-src") == ["'none'"], name
        assert csp.get("frame-ancestors") == ["'none'"], name
        assert csp.get("form-action") == ["'self'"], name
        assert not any("unsafe" in value for values in csp.values() for value in values), name


def test_pages_and_api_answers_are_never_stored(responses) -> None:  # type: ignore[no-untyped-def]
    assert responses["members list"].status_code == 200
    assert responses["member record"].status_code == 200
    assert responses["api with token"].status_code == 200
    for name, response in responses.items():
        if name == "static file":
            continue
        directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= directives, (name, response.headers.get("Cache-Control"))


def test_static_files_stay_cacheable(responses) -> None:  # type: ignore[no-untyped-def]
    static = responses["static file"]
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    assert "public" in static.headers.get("Cache-Control", "")


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\bhx-on\b|hx-vals=['\"]js:|hx-vars=", re.I), "htmx evaluated attribute"),
]


def test_no_template_needs_inline_script_or_style() -> None:
    """The policy blocks inline script and style, so none may be written (they would silently not work)."""
    found = []
    templates = sorted((ROOT / "polity").rglob("templates/**/*.html"))
    assert len(templates) > 20
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(ROOT)}: {what}: {match.group(0)!r}")
    assert found == []
