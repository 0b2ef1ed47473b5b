"""Signing in with a second factor, setting one up (with an enrolment code where one is needed), and backup
codes. Views parse and call services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from polity.access.policy import may_issue_enrolment_code
from polity.accounts.enrolment import enrolment_code_redeem, enrolment_device
from polity.accounts.forms import (
    CodeForm,
    ConfirmDeviceForm,
    EnrolmentCodeForm,
    ThrottledAuthenticationForm,
)
from polity.accounts.models import User
from polity.accounts.reset import EMAIL_TEMPLATE, SUBJECT_TEMPLATE, ResetRequestForm, ResetSetPasswordForm
from polity.accounts.services import (
    backup_codes_create,
    enrolment_code_needed,
    has_confirmed_device,
    has_usable_device,
    second_factor_check,
    totp_device_begin,
    totp_device_confirm,
    totp_provisioning,
)
from polity.common.actor import request_actor
from polity.common.errors import DomainError, Forbidden, NotVisible

# The device an enrolment code made lives only in the session that redeemed the code.
ENROLMENT_DEVICE_KEY = "polity_enrolment_device"


class SignInView(LoginView):
    """Django's sign-in with the password throttle; a paused sign-in answers 429 with the form's message."""

    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


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
    if not has_usable_device(user):  # type: ignore[arg-type]
        return redirect("accounts:setup")  # which asks for an enrolment code where one is needed
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_check(user=user, token=form.cleaned_data["token"])  # type: ignore[arg-type]
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", "That code is not right, or it was already used.")
    return render(request, "registration/verify.html", {"form": form, "next": _next(request)})


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """First step of setting up a second factor with only a password: the enrolment code from an operator."""
    user: User = request.user  # type: ignore[assignment]
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = enrolment_code_redeem(
                actor=request_actor(request), user=user, code=form.cleaned_data["code"]
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error("code", str(error))
        else:
            request.session[ENROLMENT_DEVICE_KEY] = device.pk
            return redirect("accounts:setup")
    context = {"form": form, "has_device": has_confirmed_device(user)}
    return render(request, "registration/enrol.html", context, status=422 if form.errors else 200)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: the device an enrolment code made in this session, or, where no code is
    needed (a verified session, or a member without a device who does not need one), a device of its own."""
    user = request.user
    actor = request_actor(request)
    verified = bool(user.is_verified())  # type: ignore[union-attr]
    device = enrolment_device(actor=actor, user=user, device_id=request.session.get(ENROLMENT_DEVICE_KEY))  # type: ignore[arg-type]
    replaces = device is not None and has_confirmed_device(user)  # type: ignore[arg-type]
    if device is None:
        if has_usable_device(user) and not verified:  # type: ignore[arg-type]
            return redirect("accounts:verify")
        if enrolment_code_needed(user, session_verified=verified):  # type: ignore[arg-type]
            return redirect("accounts:enrol")
        device = totp_device_begin(actor=actor, user=user, session_verified=verified)  # type: ignore[arg-type]
    form = ConfirmDeviceForm(request.POST or None, initial={"device_id": device.pk})
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = totp_device_confirm(
                actor=actor,
                user=user,  # type: ignore[arg-type]
                device_id=form.cleaned_data["device_id"],
                token=form.cleaned_data["token"],
                session_verified=verified,
            )
        except (NotVisible, Forbidden):
            raise
        except DomainError as error:
            form.add_error("token", str(error))
        else:
            request.session.pop(ENROLMENT_DEVICE_KEY, None)
            otp_login(request, confirmed)
            codes = backup_codes_create(actor=actor, user=user)  # type: ignore[arg-type]
            return render(request, "registration/backup_codes.html", {"codes": codes, "first_time": True})
    context = {"form": form, "provisioning": totp_provisioning(device), "replaces": replaces}
    return render(request, "registration/setup.html", context)


@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Fresh backup codes (the old ones stop working). Needs a verified session."""
    if not request.user.is_verified():  # type: ignore[union-attr]
        return redirect("accounts:verify")
    actor = request_actor(request)
    codes = backup_codes_create(actor=actor, user=request.user)  # type: ignore[arg-type]
    return render(request, "registration/backup_codes.html", {"codes": codes, "first_time": False})


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The account's second-factor state, with links to set up an app or renew backup codes."""
    if has_usable_device(request.user) and not request.user.is_verified():  # type: ignore[arg-type,union-attr]
        return redirect("accounts:verify")
    context = {
        "has_device": has_usable_device(request.user),  # type: ignore[arg-type]
        "may_issue_enrolment_codes": may_issue_enrolment_code(request_actor(request)),
    }
    return render(request, "registration/security.html", context)


class ResetRequestView(auth_views.PasswordResetView):
    """Forgot password: Django's flow with our form (throttled, same answer for every address)."""

    form_class = ResetRequestForm
    template_name = "registration/reset_request.html"
    email_template_name = EMAIL_TEMPLATE
    subject_template_name = SUBJECT_TEMPLATE
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        return {"site_name": str(getattr(settings, "POLITY_SITE_NAME", "Polity"))}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form: ResetRequestForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        response.status_code = 429 if form.throttled else 400
        return response


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetSetPasswordForm
    template_name = "registration/reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/reset_complete.html"
