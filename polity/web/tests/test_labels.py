"""Codes never leak into pages: every persona of the demo walks the pages linked from its menu and their
links, and none shows a raw code ("Directdebit", "noconsent"), an unfilled merge field, an internal
reference ("invariant 3") or a rule key."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from polity.common.actor import Actor
from polity.common.labels import label, merge_fields_as_words, plain_rule
from polity.demo.services import demo_generate
from polity.web.tests.conftest import verified_device

LEAKS = re.compile(
    r"Legitimateinterest|Legalobligation|Directdebit|noconsent|noaddress|\{\{|invariant \d|"
    r"\b[a-z_]+\.[a-z_]+(?:_[a-z]+)+(?:@\d+)?\b"
)
HREF = re.compile(r'href="(/[^"#?]*)"')
# The access log names actions by their audit verbs, and the compose form teaches the merge fields' syntax.
SKIP = (
    "/audit/",
    "/comms/messages/new/",
    "/comms/notice-request/",
    "/static/",
    "/api/",
    "/admin/",
    "/accounts/logout",
    "/outbox/caught",
    "/export",
    ".csv",
    "/evidence/",
)
PERSONAS = ["national", "regional", "secretary", "branchsec", "dpo", "member", "outsider"]
PAGES_EACH = 25


def test_labels_read_as_words():
    assert label("direct_debit") == "Direct debit" and label("legitimate_interest") == "Legitimate interest"
    assert label("no_consent").startswith("No consent") and label("first_notice") == "First notice"
    assert label("members.view_contact") == "Members: view contact"
    assert merge_fields_as_words("Papers for {{ meeting_title }}") == "Papers for [meeting title]"
    assert plain_rule("Nobody investigates where they have a stake (invariant 3)") == (
        "Nobody investigates where they have a stake"
    )
    assert "@" not in plain_rule("bounded by access.restriction_review_max@2")


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return demo_generate(
            actor=Actor.system(), members=300, seed=7, today=date(2026, 11, 24), write_file=False, hooks=True
        )


def _text(html: str) -> str:
    """What a person reads: the page without its tags, scripts and attribute values."""
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_code_leaks_into_a_personas_pages(demo, persona):
    from django_otp import DEVICE_ID_SESSION_KEY

    from polity.accounts.models import User

    client = Client()
    user = User.objects.get(username=persona)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()
    queue, seen, leaks = ["/", "/me/", "/me/consents/", "/comms/messages/", "/cases/"], set(), []
    while queue and len(seen) < PAGES_EACH:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP) or any(s in url for s in SKIP):
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        leaks += [(url, m.group(0)) for m in LEAKS.finditer(_text(html))]
        queue += [h.replace("&amp;", "&") for h in HREF.findall(html) if h not in seen]
    assert len(seen) > 3, seen
    if persona == "member":  # her payments, her consents (with their lawful bases)
        assert {"/me/", "/me/consents/"} <= seen
        assert b"Legitimate interest" in client.get("/me/consents/").content
    assert leaks == [], leaks
