"""Forgotten passwords: Django's own reset flow (a signed, single-use link by email), with our rules on top.

- The answer is the same whether or not an account has the address typed ("if an account has it, a link is
  on its way"), so the form cannot be used to find out who has an account here.
- Requests are counted per address typed and per client address in Django's cache, like the sign-in
  throttle (`polity.accounts.throttle`): `POLITY_RESET_MAX_PER_EMAIL` (default 3) and
  `POLITY_RESET_MAX_PER_ADDRESS` (default 20) in `POLITY_RESET_WINDOW_SECONDS` (default 3600). Requests for
  unknown addresses count the same, so the limit itself tells nothing either. Operational settings, not
  rules of the organisation: they do not live in the rulebook.
- The link goes to the account's own address, or, when the account has none, its person's on the register.
  The task worker makes it and queues it in the outbox like any other mail (`polity.accounts.tasks`): the
  request only finds the accounts and queues one task, whether or not it found any, so neither the answer
  nor its timing (no wait on the mail server) says whether an account has the address. The outbox keeps no
  address (it asks the account's when it sends) and forgets the link once sent.
- A new password is only the first step: an account that needs a second factor still passes it at its
  next sign-in, and the reset keeps its devices. Both the request and the change are in the access log.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from polity.accounts.models import User
from polity.accounts.throttle import _bump, _cache, _positive, client_address
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.outbox.addresses import register
from polity.outbox.services import dispatch_to_source

SOURCE_TYPE = "accounts.user"  # the outbox asks `register_addresses`' resolver for the address when it sends
SUBJECT_TEMPLATE = "registration/reset_subject.txt"
EMAIL_TEMPLATE = "registration/reset_email.txt"

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

    def save(  # type: ignore[override]
        self,
        domain_override: str | None = None,
        use_https: bool = False,
        request: HttpRequest | None = None,
        extra_email_context: dict[str, str] | None = None,
        **_unused: Any,
    ) -> None:
        """Hand the accounts found to the task worker: the request does the same work whether or not any
        account has the address, and never waits on the mail server (its timing tells nothing either)."""
        user_ids = [user.pk for user in self.get_users(self.cleaned_data["email"])]
        domain = domain_override or (request.get_host() if request is not None else "localhost")
        site_name = (extra_email_context or {}).get("site_name", domain)
        reset_links_enqueue(user_ids=user_ids, domain=domain, use_https=use_https, site_name=site_name)


def reset_links_enqueue(*, user_ids: list[int], domain: str, use_https: bool, site_name: str) -> None:
    """Queue the links for the worker (always one task, even for no account, so a known address costs the
    request no more than an unknown one). The task carries only account ids: no address, no token."""
    from polity.accounts.tasks import password_reset_send

    password_reset_send.enqueue(user_ids, domain, use_https, site_name)


def reset_links_send(*, user_ids: list[int], domain: str, use_https: bool, site_name: str) -> int:
    """Make each account's single-use link and queue it in the outbox, to the account's address as it stands
    when the mail is sent (the task worker calls this). The outbox stores no address, and forgets the link
    (a `secret_` merge field) once sent. Returns how many were queued."""
    system = Actor.system("password reset")
    queued = 0
    protocol = "https" if use_https else "http"
    for user in User.objects.filter(pk__in=user_ids, is_active=True).select_related("person"):
        if not _address_of(user) or not user.has_usable_password():
            continue
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context = {"user": user, "site_name": site_name, "link": "{{ secret_link }}"}
        with transaction.atomic():
            audit_record(
                actor=system,
                verb="account.password_reset_request",
                subjects=[user.person_id] if user.person_id else [],
                object_type="user",
                object_id=user.pk,
            )
            dispatch_to_source(
                actor=system,
                purpose="statutory",  # no opt-out: a link the account holder asked for
                subject="".join(render_to_string(SUBJECT_TEMPLATE, context).splitlines()),
                body=render_to_string(EMAIL_TEMPLATE, context),
                source_type=SOURCE_TYPE,
                source_id=user.pk,
                context={"secret_link": f"{protocol}://{domain}{path}"},
            )
        queued += 1
    return queued


def _user_address(source_id: str) -> str:
    user = User.objects.filter(pk=int(source_id), is_active=True).select_related("person").first()
    return _address_of(user) if user is not None else ""


def register_addresses() -> None:
    """Tell the outbox where an account's address is (AccountsConfig.ready)."""
    register(SOURCE_TYPE, _user_address)


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
