"""API tokens: services (shown once, digest only, who may manage) and the `polity token` command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from polity.accounts.models import ApiToken
from polity.accounts.tokens import token_authenticate, token_create, token_list, token_revoke
from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible


def test_only_the_digest_is_stored(org):
    token, raw = token_create(actor=Actor.system(), user=org.users["member"], name="laptop")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith("pol_") and len(raw) > 40
    assert stored.digest == ApiToken.digest_of(raw) != raw
    assert raw not in {stored.digest, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix)
    assert token_authenticate(raw) == org.users["member"]


@pytest.mark.parametrize(
    ("who", "owner", "outcome"),
    [
        ("system", "member", "ok"),
        ("member", "member", "ok"),
        ("secretary", "member", Forbidden),  # an officer cannot mint tokens for members
        ("national", "secretary", Forbidden),
    ],
)
def test_who_may_create_a_token(org, who, owner, outcome):
    actor = Actor.system() if who == "system" else org.actor(who)
    if outcome == "ok":
        token, _ = token_create(actor=actor, user=org.users[owner])
        assert token.user == org.users[owner]
    else:
        with pytest.raises(outcome):
            token_create(actor=actor, user=org.users[owner])


def test_creating_a_token_is_recorded_without_the_token(org):
    token, raw = token_create(actor=Actor.system("cli:token"), user=org.users["member"], name="script")
    event = Event.objects.get(verb="token.create")
    assert event.object_id == str(token.pk)
    assert event.subject_ids == [org.people["member"].pk]
    assert event.actor_label == "cli:token"
    assert raw not in event.data and token.digest not in event.data


def test_revoke(org):
    token, raw = token_create(actor=Actor.system(), user=org.users["member"])
    with pytest.raises(NotVisible):
        token_revoke(actor=org.actor("secretary"), token_id=token.pk)
    token_revoke(actor=org.actor("member"), token_id=token.pk, reason="lost laptop")
    assert token_authenticate(raw) is None
    assert Event.objects.get(verb="token.revoke").details["reason"] == "lost laptop"
    with pytest.raises(DomainError):
        token_revoke(actor=Actor.system(), token_id=token.pk)


def test_list_is_for_the_owner_and_operators(org):
    token_create(actor=Actor.system(), user=org.users["member"])
    assert len(token_list(actor=org.actor("member"), user=org.users["member"])) == 1
    with pytest.raises(NotVisible):
        token_list(actor=org.actor("national"), user=org.users["member"])


def test_names_must_be_sensible(org):
    with pytest.raises(InvalidInput):
        token_create(actor=Actor.system(), user=org.users["member"], name="   ")


@pytest.mark.parametrize("raw", ["", "pol_", "pol_" + "x" * 43, "x" * 1000, "pol_' OR 1=1 --"])
def test_unknown_tokens_authenticate_nobody(org, raw):
    assert token_authenticate(raw) is None


def test_command_prints_the_token_as_the_last_word(org, client):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "secretary", "--name", "reports", stdout=out, stderr=err)
    raw = (err.getvalue() + out.getvalue()).split()[-1]
    assert out.getvalue().strip() == raw
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == "secretary"
    assert ApiToken.objects.get(digest=ApiToken.digest_of(raw)).name == "reports"


def test_command_lists_and_revokes(org):
    call_command("token", "create", "member", stdout=io.StringIO(), stderr=io.StringIO())
    token = ApiToken.objects.get(user=org.users["member"])
    out = io.StringIO()
    call_command("token", "list", "member", stdout=out)
    assert token.prefix in out.getvalue() and "active" in out.getvalue()
    call_command("token", "revoke", str(token.pk), "--reason", "rotated", stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="no account 'ghost'"):
        call_command("token", "create", "ghost", stdout=io.StringIO(), stderr=io.StringIO())
