"""Who is acting: a signed-in user (usually linked to a person on the register) or the system."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from polity.accounts.models import User


@dataclass
class Actor:
    user_id: int | None
    person_id: int | None
    label: str
    is_system: bool = False
    is_superuser: bool = False
    # Per-request memo used by polity.access; never shared between requests.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(
            user_id=user.pk,
            person_id=user.person_id,
            label=user.get_username(),
            is_superuser=bool(user.is_superuser),
        )

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(user_id=None, person_id=None, label=label, is_system=True)


def request_actor(request: Any) -> Actor:
    """One Actor per request, shared by the middleware, the view and the templates, so the access
    policy's per-actor memo of offices and grants is read from the database once per request."""
    actor: Actor | None = getattr(request, "_polity_actor", None)
    if actor is None:
        actor = Actor.for_user(request.user)
        request._polity_actor = actor
    return actor
