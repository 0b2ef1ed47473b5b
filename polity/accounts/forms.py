"""Forms of signing in: the second-factor code, the enrolment code and the TOTP set-up confirmation."""

from django import forms


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
