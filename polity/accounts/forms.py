"""Forms of signing in: the password (throttled), the second-factor code, the enrolment code and the TOTP
set-up confirmation."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from polity.accounts.throttle import (
    SignInThrottled,
    client_address,
    signin_check,
    signin_failed,
    signin_succeeded,
)


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form behind the throttle of polity.accounts.throttle: while the account or the
    address is paused the password is not checked at all; a wrong one counts; a right one clears the
    account's count."""

    throttled = False

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        address = client_address(self.request) if self.request is not None else "unknown"
        try:
            signin_check(username=username, address=address)
        except SignInThrottled as error:
            self.throttled = True
            raise ValidationError(str(error), code="throttled") from error
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                signin_failed(username=username, address=address)
            raise
        if self.user_cache is not None:
            signin_succeeded(username=username)
        return cleaned


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class ConfirmDeviceForm(forms.Form):
    device_id = forms.IntegerField(widget=forms.HiddenInput)
    token = forms.CharField(
        label="Code from the app",
        max_length=8,
        help_text="Add the key to your authenticator app, then type the 6-digit code it shows.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label="Enrolment code",
        max_length=40,
        help_text="The one-time code an operator gave you, such as 7KQ4-M2XD-9PRT-H3WA.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
