"""My API tokens page: create one (shown once), use it, revoke it; officers need a verified second factor."""

from __future__ import annotations

import re

from django.urls import reverse

from polity.accounts.models import ApiToken
from polity.accounts.tokens import token_create
from polity.common.actor import Actor


def created_token(html: str) -> str:
    match = re.search(r'<code id="new-token">(pol_[^<]+)</code>', html)
    assert match, html
    return match.group(1)


def test_a_member_creates_a_token_shown_once_and_uses_it(login, client, org):
    web = login("member")
    response = web.post(reverse("web:tokens"), {"name": "my script"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = created_token(response.content.decode())
    assert ApiToken.objects.get(user=org.users["member"]).digest == ApiToken.digest_of(raw)
    listing = web.get(reverse("web:tokens")).content.decode()
    assert "my script" in listing and raw not in listing
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert api.json()["username"] == "member"


def test_an_officer_needs_a_verified_second_factor(login):
    web = login("secretary", verified=False)
    response = web.post(reverse("web:tokens"), {"name": "reports"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))
    assert not ApiToken.objects.exists()
    web = login("secretary")
    assert created_token(web.post(reverse("web:tokens"), {"name": "reports"}).content.decode())


def test_revoke_my_token(login, client, org):
    _token, raw = token_create(actor=Actor.system(), user=org.users["member"], name="old")
    web = login("member")
    token = ApiToken.objects.get(user=org.users["member"])
    response = web.post(reverse("web:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_someone_elses_token_is_not_found(login, org):
    token, raw = token_create(actor=Actor.system(), user=org.users["outsider"], name="theirs")
    web = login("member")
    assert web.post(reverse("web:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "theirs" not in web.get(reverse("web:tokens")).content.decode()


def test_an_empty_name_is_refused(login):
    web = login("member")
    response = web.post(reverse("web:tokens"), {"name": ""})
    assert response.status_code == 422
    assert 'id="new-token"' not in response.content.decode()
    assert not ApiToken.objects.exists()
