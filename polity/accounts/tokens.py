"""API tokens: create (shown once), authenticate, list and revoke.

Only the SHA-256 of a token is stored, so a copy of the database does not hand out API access. A token acts
with its user's permissions. For accounts that must use a second factor the token *is* the credential: an
operator creates it with `polity token create USERNAME`, or the user creates it from a session that already
passed two-factor authentication.

A token made with a password alone (a member who needs no second factor, from a session that passed none, or
only a device the member set up without an enrolment code) is not such a credential: once its account needs
a second factor (an office or a grant; access.policy.needs_second_factor) it is refused, and it stays refused
after the account enrols. Whoever had the member's password could have made it, and the API would otherwise
hand them the register the day the member is appointed. The account creates a new token once enrolled. It is
the same rule as decision 0008 applies to self-enrolled devices.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from polity.access.policy import is_operator, needs_second_factor
from polity.accounts.models import ApiToken, User
from polity.accounts.services import has_confirmed_device
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible

TOKEN_PREFIX = "pol_"
# Writing last_used_at on every request would turn each API read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenNeedsSecondFactor(DomainError):
    """A token made without a second factor, for an account that now needs one (401, with this message)."""

    code = "token_needs_second_factor"


TOKEN_NEEDS_SECOND_FACTOR = (
    "This token was created without a second factor, and its account now needs one (it holds an office or a "
    "grant), so it no longer works, not even after the second factor is set up. Sign in with your second "
    "factor and create a new token on /me/tokens/, or ask an operator for one (polity token create USERNAME)."
)


def _may_manage(actor: Actor, user: User) -> bool:
    return is_operator(actor) or actor.user_id == user.pk


def issued_with_second_factor(actor: Actor, user: User, *, session_verified: bool) -> bool:
    """Whether a token `actor` creates for `user` now may be used once the account needs a second factor:
    made by an operator for someone (who hands it over in person, like an enrolment code), or by the owner
    from a session verified by a device that was not self-enrolled (User.second_factor_self_enrolled)."""
    if actor.is_system or (is_operator(actor) and actor.user_id != user.pk):
        return True
    return session_verified and not user.second_factor_self_enrolled and has_confirmed_device(user)


def user_for_username(username: str) -> User:
    """The account an operator names on the command line."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(f"username: there is no account {username!r}")
    return user


def token_create(
    *, actor: Actor, user: User, name: str = "cli", session_verified: bool = False
) -> tuple[ApiToken, str]:
    """A new token for `user`. Returns the row and the token itself, which is never shown again.

    `session_verified`: the owner's session passed its second factor (see issued_with_second_factor).
    """
    if not _may_manage(actor, user):
        raise Forbidden("only the account's owner or an operator may create its API tokens")
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name: give the token a name of 1 to 100 characters")
    if not user.is_active:
        raise DomainError("a deactivated account cannot be given an API token")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    vouched = issued_with_second_factor(actor, user, session_verified=session_verified)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:12],
            digest=ApiToken.digest_of(raw),
            issued_with_second_factor=vouched,
        )
        audit_record(
            actor=actor,
            verb="token.create",
            subjects=[user.person_id] if user.person_id else [],
            object_type="api_token",
            object_id=token.pk,
            data={"user_id": user.pk, "name": name, "issued_with_second_factor": vouched},
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


def token_usable(token: ApiToken) -> bool:
    """Whether a live token of an active account may be used now: not when it was made without a second
    factor and the account needs one (see the module's docstring)."""
    return token.issued_with_second_factor or not needs_second_factor(Actor.for_user(token.user))


def token_authenticate(raw: str) -> User | None:
    """The active user a presented token belongs to, or None. Marks the token as used.

    Raises TokenNeedsSecondFactor for a token made without a second factor whose account now needs one.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if not token_usable(token):
        raise TokenNeedsSecondFactor(TOKEN_NEEDS_SECOND_FACTOR)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user
