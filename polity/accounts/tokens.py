"""API tokens: create (shown once), authenticate, list and revoke.

Only the SHA-256 of a token is stored, so a copy of the database does not hand out API access. A token acts
with its user's permissions. For accounts that must use a second factor the token *is* the credential: an
operator creates it with `polity token create USERNAME`, or the user creates it from a session that already
passed two-factor authentication.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from polity.access.policy import is_operator
from polity.accounts.models import ApiToken, User
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible

TOKEN_PREFIX = "pol_"
# Writing last_used_at on every request would turn each API read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _may_manage(actor: Actor, user: User) -> bool:
    return is_operator(actor) or actor.user_id == user.pk


def user_for_username(username: str) -> User:
    """The account an operator names on the command line."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(f"username: there is no account {username!r}")
    return user


def token_create(*, actor: Actor, user: User, name: str = "cli") -> tuple[ApiToken, str]:
    """A new token for `user`. Returns the row and the token itself, which is never shown again."""
    if not _may_manage(actor, user):
        raise Forbidden("only the account's owner or an operator may create its API tokens")
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name: give the token a name of 1 to 100 characters")
    if not user.is_active:
        raise DomainError("a deactivated account cannot be given an API token")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], digest=ApiToken.digest_of(raw))
        audit_record(
            actor=actor,
            verb="token.create",
            subjects=[user.person_id] if user.person_id else [],
            object_type="api_token",
            object_id=token.pk,
            data={"user_id": user.pk, "name": name},
        )
    return token, raw


def token_revoke(*, actor: Actor, token_id: int, reason: str = "") -> ApiToken:
    """Revoke a token at once. Revoking twice is refused, so the log holds one revocation per token."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
        if token is None or not _may_manage(actor, token.user):
            raise NotVisible("not found")
        if token.revoked_at is not None:
            raise DomainError("this token is already revoked")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            verb="token.revoke",
            subjects=[token.user.person_id] if token.user.person_id else [],
            object_type="api_token",
            object_id=token.pk,
            data={"user_id": token.user_id, "reason": reason[:200]},
        )
    return token


def token_list(*, actor: Actor, user: User) -> list[ApiToken]:
    """The tokens of one account, newest first (their prefix, never the token)."""
    if not _may_manage(actor, user):
        raise NotVisible("not found")
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))


def token_authenticate(raw: str) -> User | None:
    """The active user a presented token belongs to, or None. Marks the token as used."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user
