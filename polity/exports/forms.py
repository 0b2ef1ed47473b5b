"""Forms of the exports pages. They parse; the services decide (polity.exports.services)."""

from __future__ import annotations

from django import forms

from polity.common.labels import audience_in_words
from polity.comms.models import Audience
from polity.exports.columns import WORDS
from polity.exports.models import Format
from polity.rulebook.loader import CHANNELS, Purpose

CHANNEL_WORDS = {
    "": "No contact details (no channel)",
    "email": "Email",
    "sms": "Text message",
    "phone": "Phone call",
    "post": "Post",
}


class ExportForm(forms.Form):
    audience = forms.ChoiceField(
        label="Who (a saved audience)", help_text="Audiences are built on the Messages page."
    )
    purpose = forms.ChoiceField(
        label="Purpose", help_text="The rulebook says which columns each purpose may take."
    )
    channel = forms.ChoiceField(
        label="Channel",
        required=False,
        help_text="Needed for contact details, and for purposes that need consent: only members who consent to "
        "it, when the file is made, are in it.",
    )
    columns = forms.MultipleChoiceField(
        label="Columns", widget=forms.CheckboxSelectMultiple, choices=list(WORDS.items())
    )
    format = forms.ChoiceField(
        label="Format", choices=Format.choices, widget=forms.RadioSelect, initial="csv"
    )
    reason = forms.CharField(
        label="What the list is for",
        max_length=500,
        help_text="Kept with the export and shown to whoever approves it.",
    )

    def __init__(
        self, *args: object, audiences: list[Audience], purposes: list[Purpose], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["audience"].choices = [("", "Choose an audience")] + [  # type: ignore[attr-defined]
            (str(a.pk), audience_in_words(a)) for a in audiences
        ]
        self.fields["purpose"].choices = [("", "Choose a purpose")] + [  # type: ignore[attr-defined]
            (p.key, f"{p.label}: {', '.join(WORDS[c] for c in p.export_columns)}") for p in purposes
        ]
        self.fields["channel"].choices = [(c, CHANNEL_WORDS[c]) for c in ("", *CHANNELS)]  # type: ignore[attr-defined]


class RefuseForm(forms.Form):
    reason = forms.CharField(label="Why it is refused", max_length=500)


class AttributeForm(forms.Form):
    excerpt = forms.CharField(
        label="The leaked rows",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Paste them as they were found: any columns, any order, any spacing.",
    )
    upload = forms.FileField(label="Or upload the file (CSV or text)", required=False)
    open_incident = forms.BooleanField(
        label="Start the clock to report a breach (72 hours to the Information Commissioner)", required=False
    )
    note = forms.CharField(label="Where it was found (for the incident)", required=False, max_length=1000)


class DecoyContactForm(forms.Form):
    address = forms.CharField(label="Email address or phone number that was contacted", max_length=254)
    channel = forms.ChoiceField(
        label="How", choices=[("email", "Email"), ("sms", "Text message"), ("phone", "Phone call")]
    )


class ReportForm(forms.Form):
    reference = forms.CharField(label="Regulator's reference (or why it was not reportable)", max_length=100)
