"""Forms of the case pages (the workflow actions' fields are listed in polity.cases.params)."""

from __future__ import annotations

from django import forms


class ComplaintForm(forms.Form):
    summary = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
        help_text="Who was involved, when and where, and what you would like to happen.",
    )
    file = forms.FileField(label="Evidence (optional)", required=False)
    evidence_description = forms.CharField(label="What the evidence is", required=False, max_length=300)


class PublicComplaintForm(forms.Form):
    sender_name = forms.CharField(label="Your name", max_length=200)
    sender_email = forms.EmailField(label="Your email address", help_text="We send a link to confirm it.")
    unit = forms.TypedChoiceField(label="Which part of the party is it about", coerce=int)
    summary = forms.CharField(
        label="What happened", widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000
    )

    def __init__(self, *args: object, units: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
