"""Forgotten passwords: Django's own reset flow (a signed, single-use link by email), with our rules on top.

- The answer is the same whether or not an account has the address typed ("if an account has it, a link is
  on its way"), so the form cannot be used to find out who has an account here.
- Requests are counted per address typed and per client address in Django's cache, like the sign-in
  throttle (`polity.accounts.throttle`): `POLITY_RESET_MAX_PER_EMAIL` (default 3) and
  `POLITY_RESET_MAX_PER_ADDRESS` (default 20) in `POLITY_RESET_WINDOW_SECONDS` (default 3600). Requests for
  unknown addresses count the same, so the limit itself tells nothing either. Operational settings, not
  rules of the organisation: they do not live in the rulebook.
- The link goes to the account's own address, or, when the account has none, its person's on the register.
- A new password is only the first step: an account that needs a second factor still passes it at its
  next sign-in, and the reset keeps its devices. Both the request and the change are in the access log.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest

from polity.accounts.models import User
from polity.accounts.throttle import _bump, _cache, _positive, client_address
from polity.audit.services import audit_record
from polity.common.actor import Actor

_PREFIX = "polity:password-reset"


def _limits() -> tuple[int, int, int]:
    return (
        _positive("POLITY_RESET_MAX_PER_EMAIL", 3),
        _positive("POLITY_RESET_MAX_PER_ADDRESS", 20),
        _positive("POLITY_RESET_WINDOW_SECONDS", 3600),
    )


def _key(kind: str, value: str) -> str:
    return f"{_PREFIX}:{kind}:{hashlib.sha256(value.strip().casefold().encode()).hexdigest()}"


def reset_request_allowed(*, email: str, address: str) -> bool:
    """Count one request; False once the address typed or the client address has used up its window."""
    per_email, per_address, window = _limits()
    keys = [_key("email", email), _key("address", address)]
    counts = _cache().get_many(keys)
    if counts.get(keys[0], 0) >= per_email or counts.get(keys[1], 0) >= per_address:
        return False
    _bump(keys[0], window)
    _bump(keys[1], window)
    return True


def reset_window_minutes() -> int:
    return -(-_limits()[2] // 60)


def _same_address(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


def _address_of(user: User) -> str:
    if user.email:
        return user.email
    person = user.person
    return person.email if person is not None else ""


class ResetRequestForm(PasswordResetForm):
    """Django's request form: throttled, and finding the account by its own or its person's address."""

    throttled = False

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["email"].label = "Your email address"
        self.fields["email"].help_text = "The address your organisation has for you."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email = str(cleaned.get("email") or "")
        if email:
            address = client_address(self.request) if self.request is not None else "unknown"
            if not reset_request_allowed(email=email, address=address):
                self.throttled = True
                raise ValidationError(
                    "Too many requests for this address or from your network. For everyone's protection, "
                    f"wait up to {reset_window_minutes()} minutes and ask again.",
                    code="throttled",
                )
        return cleaned

    def get_users(self, email: str) -> Iterator[User]:
        candidates = User.objects.filter(
            Q(email__iexact=email) | Q(email="", person__email__iexact=email), is_active=True
        ).select_related("person")
        for user in candidates:
            if user.has_usable_password() and _same_address(email, _address_of(user)):
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user: User = context["user"]
        to = to_email or _address_of(user)
        context["email"] = to
        audit_record(
            actor=Actor.system("password reset"),
            verb="account.password_reset_request",
            subjects=[user.person_id] if user.person_id else [],
            object_type="user",
            object_id=user.pk,
        )
        super().send_mail(
            subject_template_name, email_template_name, context, from_email, to, html_email_template_name
        )


class ResetSetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """The new password; its change goes in the access log."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        audit_record(
            actor=Actor.system("password reset"),
            verb="account.password_reset",
            subjects=[user.person_id] if user.person_id else [],
            object_type="user",
            object_id=user.pk,
        )
        return user
