"""Forms of the data subject request pages. People are chosen with the person picker; codes read as words."""

from __future__ import annotations

from typing import Any

from django import forms

from polity.dsr import redaction
from polity.dsr.models import Channel, Kind, State
from polity.rulebook.loader import get_rulebook
from polity.web.picker import PersonField

DETAILS_HELP = (
    "What you are asking, in your words: what is wrong, what to erase, which use of your data to stop."
)


def refusable_purposes() -> list[tuple[str, str]]:
    return [(key, p.label) for key, p in get_rulebook().purposes.items() if p.may_refuse]


class OwnRequestForm(forms.Form):
    kind = forms.ChoiceField(label="What would you like?", choices=Kind.choices, widget=forms.RadioSelect)
    purposes = forms.MultipleChoiceField(
        label="Uses of your data to stop (restriction or objection)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    details = forms.CharField(
        label="Details", widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=DETAILS_HELP
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = refusable_purposes()  # type: ignore[attr-defined]


class PublicRequestForm(forms.Form):
    requester_name = forms.CharField(label="Your name", max_length=200)
    requester_email = forms.EmailField(
        label="Your email address", help_text="We send a link to confirm it is yours."
    )
    membership_number = forms.CharField(
        label="Membership number, if you were a member", max_length=20, required=False
    )
    kind = forms.ChoiceField(label="What would you like?", choices=Kind.choices, widget=forms.RadioSelect)
    details = forms.CharField(
        label="Details", widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=DETAILS_HELP
    )


class RecordRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of request", choices=Kind.choices)
    channel = forms.ChoiceField(
        label="How it came", choices=[(c.value, c.label) for c in (Channel.LETTER, Channel.EMAIL)]
    )
    received_on = forms.DateField(label="Received on", widget=forms.DateInput(attrs={"type": "date"}))
    person = PersonField(
        label="The member it is about (leave empty for someone not on the register)", required=False
    )
    requester_name = forms.CharField(
        label="Sender's name (not on the register)", max_length=200, required=False
    )
    requester_email = forms.EmailField(label="Sender's email address", required=False)
    purposes = forms.MultipleChoiceField(
        label="Uses of data named (restriction or objection)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    details = forms.CharField(label="What they ask", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    identity_needed = forms.BooleanField(
        label="The sender's identity needs checking",
        required=False,
        help_text="Only when in doubt (e.g. a letter from an address not on the register). Leave the next "
        "field empty to stop the clock until proof arrives.",
    )
    identity_evidence = forms.CharField(
        label="What proof of identity was seen", max_length=500, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = refusable_purposes()  # type: ignore[attr-defined]


class PauseForm(forms.Form):
    why = forms.ChoiceField(
        label="Waiting for",
        choices=[(s.value, s.label) for s in (State.AWAITING_IDENTITY, State.AWAITING_CLARIFICATION)],
    )
    asked = forms.CharField(
        label="What the requester is asked to send", widget=forms.Textarea(attrs={"rows": 3})
    )


class ResumeForm(forms.Form):
    evidence = forms.CharField(label="Proof of identity seen (for identity)", max_length=500, required=False)


class ExtendForm(forms.Form):
    to = forms.DateField(label="New due date", widget=forms.DateInput(attrs={"type": "date"}))
    reasons = forms.CharField(
        label="Reasons, sent to the requester", widget=forms.Textarea(attrs={"rows": 3})
    )


class RedactForm(forms.Form):
    holding = forms.CharField(widget=forms.HiddenInput)
    ref = forms.CharField(widget=forms.HiddenInput)
    field = forms.CharField(label="Field")
    text = forms.CharField(label="Words to withhold (empty: the whole field)", required=False, max_length=300)
    reason = forms.ChoiceField(label="Reason", choices=redaction.choices())


class LiftForm(forms.Form):
    holding = forms.CharField(widget=forms.HiddenInput)
    ref = forms.CharField(widget=forms.HiddenInput)
    field = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label="Why it may be disclosed", max_length=500)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Answer, sent to the requester", widget=forms.Textarea(attrs={"rows": 4}))


class RefuseForm(forms.Form):
    reasons = forms.CharField(
        label="Reasons for refusing, sent to the requester", widget=forms.Textarea(attrs={"rows": 4})
    )


class StopForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label="Uses of data to stop", widget=forms.CheckboxSelectMultiple, choices=()
    )
    reasons = forms.CharField(
        label="Anything to add to the answer", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = refusable_purposes()  # type: ignore[attr-defined]


class RectifyForm(forms.Form):
    given_name = forms.CharField(label="Given name", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    email = forms.EmailField(label="Email", required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    address_line = forms.CharField(label="Address", max_length=200, required=False)
    town = forms.CharField(label="Town", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=12, required=False)

    def changes(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="I have read what this does", required=True)
