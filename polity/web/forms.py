"""Forms of the web interface. They parse input; the services decide what is allowed."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from polity.access.perms import DESCRIPTIONS, Perm
from polity.audit.search import MAX_PAGE
from polity.common.actor import Actor
from polity.common.labels import label
from polity.members.models import Person, Status
from polity.org.models import Unit
from polity.web.picker import PersonField, bind_actor, picked


def _unit_choices(units: list[Unit], blank: str) -> list[tuple[str, str]]:
    choices = [("", blank)] if blank else []
    return choices + [(str(u.pk), f"{'\u00a0\u00a0' * u.depth}{u.name} ({u.level})") for u in units]


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="A name (or its start), or a membership number.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    unit = forms.ChoiceField(label="Unit", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Status.choices])
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        _choices(self, "unit", _unit_choices(units, "All units in my scope"))

    def selected_unit(self) -> Unit | None:
        return self.units.get(self.cleaned_data.get("unit") or "")


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label="Amount (£)", min_value=Decimal("0.01"), max_digits=8, decimal_places=2)
    paid_on = forms.DateField(label="Paid on", widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(
        label="Method",
        choices=[("direct_debit", "Direct debit"), ("card", "Card"), ("cheque", "Cheque"), ("cash", "Cash")],
    )

    def clean_paid_on(self) -> date:
        paid_on: date = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("A payment cannot be in the future.")
        return paid_on

    def amount_pence(self) -> int:
        return int(self.cleaned_data["amount"] * 100)


class StatusForm(forms.Form):
    """By hand an officer only admits an applicant. Any other known status is accepted here so that the
    service refuses it with the route to use (a case, the arrears rule, a resignation)."""

    status = forms.ChoiceField(label="New status", choices=Status.choices)
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["status"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [(Status.ACTIVE.value, "Active: admit the applicant")]


def _confirm(label: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, error_messages={"required": "Tick the box to confirm."})


class ResignationRecordForm(forms.Form):
    """An officer records a resignation the member sent: the letter or email is required."""

    received_on = forms.DateField(label="Received on", widget=forms.DateInput(attrs={"type": "date"}))
    letter = forms.FileField(
        label="The member's letter or email",
        required=False,  # the service refuses without it, with the rule in words
        help_text="A scan, photo, PDF or saved email. It is kept as evidence; the member can read it.",
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = _confirm(
        "The member sent this resignation. Tell them, and let them dispute it within the window."
    )

    def clean_received_on(self) -> date:
        received: date = self.cleaned_data["received_on"]
        if received > timezone.localdate():
            raise forms.ValidationError("A letter cannot be received in the future.")
        return received


class MembershipResignForm(forms.Form):
    reason = forms.CharField(
        label="Why are you leaving? (optional)",
        required=False,
        max_length=500,
        help_text="Your officers see this with your resignation.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = _confirm("I want to resign my membership.")


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label="Why do you dispute it?",
        max_length=1000,
        help_text="For example: I did not send that letter, or I have changed my mind.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ContactForm(forms.Form):
    email = forms.EmailField(label="Email", required=False, max_length=254)
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    address_line = forms.CharField(label="Address", required=False, max_length=200)
    town = forms.CharField(label="Town", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=12)


class TransferForm(forms.Form):
    to_unit = forms.ChoiceField(label="To branch")
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, targets: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = {str(u.pk): u for u in targets}
        _choices(self, "to_unit", [(str(u.pk), u.name) for u in targets])

    def target(self) -> Unit:
        return self.targets[self.cleaned_data["to_unit"]]


class GrantGiveForm(forms.Form):
    holder = PersonField(label="Holder")
    permissions = forms.MultipleChoiceField(
        label="Permissions",
        choices=[(p.value, f"{label(p.value)}. {DESCRIPTIONS[p]}") for p in Perm],
        widget=forms.CheckboxSelectMultiple,
    )
    unit = forms.ChoiceField(label="Over unit (and everything below it)")
    purpose = forms.CharField(label="Purpose", max_length=300)
    expires_on = forms.DateField(label="Expires on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, actor: Actor, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_actor(self, actor)
        self.units = {str(u.pk): u for u in units}
        _choices(self, "unit", _unit_choices(units, ""))

    def selected_unit(self) -> Unit:
        return self.units[self.cleaned_data["unit"]]

    def selected_holder(self) -> Person:
        return picked(self, "holder")

    def expires_at(self) -> datetime:
        day: date = self.cleaned_data["expires_on"]
        return timezone.make_aware(datetime.combine(day, time(23, 59)))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="The holder is told this reason, and it is kept in the access log.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AccessLogSearchForm(forms.Form):
    """The data protection officer's search of the access log (polity.audit.search). People by number or name."""

    actor = forms.CharField(
        label="Officer",
        required=False,
        max_length=100,
        help_text="Who acted: a membership number or a name.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    person = forms.CharField(
        label="Person whose data",
        required=False,
        max_length=100,
        help_text="Whose data it touched: a membership number or a name.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    verb = forms.ChoiceField(label="Action", required=False)
    purpose = forms.CharField(
        label="Purpose", required=False, max_length=200, help_text="Exactly as recorded."
    )
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label="To",
        required=False,
        help_text="Both days included.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput)

    def __init__(self, *args: Any, verbs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "verb", [("", "Any action"), *((verb, f"{words} ({verb})") for verb, words in verbs)])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", f"The end date ({until:%-d %b %Y}) is before the start date.")
        return data


def _review_at(day: date) -> datetime:
    return timezone.make_aware(
        datetime.combine(day, time(0, 0))
    )  # the start of the day: 8 weeks from now fits


class OfficeDecisionForm(forms.Form):
    """The appointing body's decision to end a term: the body from a list, the date, the reasons."""

    body = forms.ChoiceField(label="Appointing body that decided")
    decided_on = forms.DateField(label="Date of the decision", widget=forms.DateInput(attrs={"type": "date"}))
    reasons = forms.CharField(
        label="Reasons of the decision",
        max_length=500,
        help_text="The holder is emailed these reasons with the route to contest the decision.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, bodies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bodies = {str(b.pk): b for b in bodies}
        _choices(
            self,
            "body",
            [("", "Choose the body")] + [(str(b.pk), f"{b.name} ({b.unit.name})") for b in bodies],
        )

    def selected_body(self) -> Any:
        return self.bodies.get(self.cleaned_data.get("body") or "")


class ResignForm(forms.Form):
    confirm = forms.BooleanField(
        label="I resign this office; I understand its access ends at once", required=False
    )
    reason = forms.CharField(
        label="Reason (optional)", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RestrictionForm(forms.Form):
    unit = forms.ChoiceField(label="Unit (and everything below it)")
    person = forms.ChoiceField(label="Officer", required=False)
    reasons = forms.CharField(
        label="Reasons",
        help_text="Every holder affected is emailed these reasons.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    review_on = forms.DateField(label="Review by", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, units: list[Unit], holders: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.holders = {str(p.pk): p for p in holders}
        _choices(self, "unit", _unit_choices(units, ""))
        _choices(
            self,
            "person",
            [("", "Every office holder in the unit")]
            + [(str(p.pk), f"{p.full_name} ({p.home_unit.name})") for p in holders],
        )

    def selected_unit(self) -> Unit:
        return self.units[self.cleaned_data["unit"]]

    def selected_person(self) -> Any:
        return self.holders.get(self.cleaned_data.get("person") or "")

    def review_at(self) -> datetime:
        return _review_at(self.cleaned_data["review_on"])


class RestrictionReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=[("renew", "Keep it, with a new review date"), ("lift", "Lift it")]
    )
    next_review_on = forms.DateField(
        label="Next review by (when kept)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reasons = forms.CharField(
        label="Reasons",
        help_text="Every holder affected is emailed these reasons.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def lift(self) -> bool:
        return bool(self.cleaned_data["decision"] == "lift")

    def next_review_at(self) -> datetime | None:
        day = self.cleaned_data.get("next_review_on")
        return _review_at(day) if day else None
