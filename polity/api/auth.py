"""Bearer-token authentication for the API: the token acts with its user's permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from polity.accounts.models import User
from polity.accounts.tokens import token_authenticate
from polity.common.actor import Actor


class BearerToken(HttpBearer):
    """`Authorization: Bearer pol_...`. Missing, unknown and revoked tokens all answer 401."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_authenticate(token.strip())


def actor_of(request: HttpRequest) -> Actor:
    """The actor for an authenticated API request (set once per request, its cache with it)."""
    cached: Any = getattr(request, "_polity_actor", None)
    if cached is None:
        user: User = request.auth  # type: ignore[attr-defined]
        cached = Actor.for_user(user)
        request._polity_actor = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]
