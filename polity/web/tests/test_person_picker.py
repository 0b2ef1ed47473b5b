"""The person picker on the web pages: forms never ask for an id; the matches need a sign-in and a known scope."""

from __future__ import annotations

import re

from django.urls import reverse


def test_the_grants_form_asks_for_a_person_not_an_id(login):
    page = login("regional").get(reverse("web:grants")).content.decode()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", page, flags=re.S)
    assert "Holder" in labels
    assert not [label for label in labels if re.search(r"\bids?\b", label, flags=re.I)]
    assert 'class="picker-input"' in page and "hx-get" in page


def test_matches_need_a_sign_in(client):
    r = client.get(reverse("web:person_matches"), {"field": "q", "q": "Member"})
    assert r.status_code == 302 and "Member" not in r.content.decode()


def test_an_unknown_scope_is_refused(login):
    r = login("regional").get(
        reverse("web:person_matches"), {"field": "q", "q": "Member", "scope": "everyone"}
    )
    assert r.status_code == 400 and "Milo" not in r.content.decode()


def test_matches_in_the_members_scope(org, login):
    r = login("secretary").get(reverse("web:person_matches"), {"field": "q", "q": "Member"})
    page = r.content.decode()
    assert "Mina Member" in page and "Milo Member" in page  # both in North A
    assert org.people["member"].membership_number in page
    assert (
        "Outsider"
        not in login("secretary").get(reverse("web:person_matches"), {"field": "q", "q": "Olu"}).text
    )
