"""Signing in with a second factor, setting one up, and backup codes. Views parse and call services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from polity.accounts.forms import CodeForm, ConfirmDeviceForm
from polity.accounts.services import (
    backup_codes_create,
    has_confirmed_device,
    second_factor_check,
    totp_device_begin,
    totp_device_confirm,
    totp_provisioning,
)
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, NotVisible


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: a code from the authenticator app or a backup code."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_next(request))
    if not has_confirmed_device(user):  # type: ignore[arg-type]
        return redirect("accounts:setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_check(user=user, token=form.cleaned_data["token"])  # type: ignore[arg-type]
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", "That code is not right, or it was already used.")
    return render(request, "registration/verify.html", {"form": form, "next": _next(request)})


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app. With a confirmed device already, only a verified session may add one."""
    user = request.user
    if has_confirmed_device(user) and not user.is_verified():  # type: ignore[arg-type,union-attr]
        return redirect("accounts:verify")
    actor = Actor.for_user(user)  # type: ignore[arg-type]
    device = totp_device_begin(actor=actor, user=user)  # type: ignore[arg-type]
    form = ConfirmDeviceForm(request.POST or None, initial={"device_id": device.pk})
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = totp_device_confirm(
                actor=actor,
                user=user,  # type: ignore[arg-type]
                device_id=form.cleaned_data["device_id"],
                token=form.cleaned_data["token"],
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error("token", str(error))
        else:
            otp_login(request, confirmed)
            codes = backup_codes_create(actor=actor, user=user)  # type: ignore[arg-type]
            return render(request, "registration/backup_codes.html", {"codes": codes, "first_time": True})
    return render(
        request, "registration/setup.html", {"form": form, "provisioning": totp_provisioning(device)}
    )


@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Fresh backup codes (the old ones stop working). Needs a verified session."""
    if not request.user.is_verified():  # type: ignore[union-attr]
        return redirect("accounts:verify")
    actor = Actor.for_user(request.user)  # type: ignore[arg-type]
    codes = backup_codes_create(actor=actor, user=request.user)  # type: ignore[arg-type]
    return render(request, "registration/backup_codes.html", {"codes": codes, "first_time": False})


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The account's second-factor state, with links to set up an app or renew backup codes."""
    if has_confirmed_device(request.user) and not request.user.is_verified():  # type: ignore[arg-type,union-attr]
        return redirect("accounts:verify")
    return render(
        request,
        "registration/security.html",
        {"has_device": has_confirmed_device(request.user)},  # type: ignore[arg-type]
    )
