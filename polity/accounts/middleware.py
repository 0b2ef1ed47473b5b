"""Accounts that can see other people's data must pass a second factor before anything else.

A session verified with a self-enrolled device of an account that has since come to need a second factor
(polity.accounts.services.second_factor_trusted) is treated as not verified, on every path."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from polity.access.policy import needs_second_factor
from polity.accounts.services import second_factor_trusted
from polity.common.actor import request_actor

# Paths a signed-in but not yet verified user may reach.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/api/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.is_verified()  # type: ignore[attr-defined]
            and not second_factor_trusted(user)
        ):
            user.otp_device = None  # type: ignore[attr-defined]
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()  # type: ignore[attr-defined]
            and needs_second_factor(request_actor(request))
        ):
            return redirect(f"{reverse('accounts:verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
