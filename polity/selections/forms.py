"""The selection's web forms. People are named with the person picker (scope "selections"); every form that
publishes or changes something ends with a box to tick after reading what will happen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone

from polity.org.models import Body
from polity.selections.models import AppealOutcome, Application
from polity.selections.services.ballot import BALLOT_METHODS
from polity.web.picker import PersonField


def _confirm(label: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, error_messages={"required": "Tick the box to confirm."})


def _reasons(label: str = "Reasons", help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": 4})
    )  # the service refuses empty reasons, naming the rule


class SelectionForm(forms.Form):
    body = forms.ChoiceField(
        label="Selecting body", help_text="Its unit's members apply and vote; the body holds the hustings."
    )
    seat = forms.CharField(label="Seat", max_length=200, help_text="What the candidate will stand for.")
    closes = forms.DateTimeField(
        label="Applications close", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    about = forms.CharField(
        label="About the selection (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, bodies: list[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bodies = {str(b.pk): b for b in bodies}
        field = self.fields["body"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose the body")] + [(str(b.pk), f"{b.name} ({b.unit.name})") for b in bodies]

    def selected_body(self) -> Body:
        return self.bodies[self.cleaned_data["body"]]

    def closes_at(self) -> datetime:
        value: datetime = self.cleaned_data["closes"]
        return timezone.make_aware(value) if timezone.is_naive(value) else value


class ApplyForm(forms.Form):
    statement = forms.CharField(
        label="Your statement",
        help_text="Why you, for this seat. The shortlisting panel reads it; members do not.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    confirm = _confirm(
        "I apply. I understand that the panel reads my statement and that, if I am shortlisted, members see my name."
    )


class WithdrawForm(forms.Form):
    confirm = _confirm("I withdraw my application. This cannot be undone.")


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label="Why the decision should change", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    confirm = _confirm("I appeal to the body above. Its appeal panel will decide, with reasons.")


class PersonForm(forms.Form):
    person = PersonField(label="Person", scope="selections")


class RemoveForm(forms.Form):
    reason = forms.CharField(label="Why they leave the panel", max_length=500)


class CloseForm(forms.Form):
    confirm = _confirm("Close applications now. The longlist is then due by the rulebook's deadline.")


class DeclareForm(forms.Form):
    """A panel member's own relationship with an applicant (an officer names the person too)."""

    application = forms.ChoiceField(label="Applicant")
    description = forms.CharField(
        label="The relationship",
        max_length=300,
        help_text="For example: family, partner, employer, business.",
    )

    def __init__(self, *args: Any, applications: list[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applications = {str(a.pk): a for a in applications}
        field = self.fields["application"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose the applicant")] + [
            (str(a.pk), a.person.full_name) for a in applications
        ]

    def selected(self) -> Application:
        return self.applications[self.cleaned_data["application"]]


class RecordForm(DeclareForm):
    person = PersonField(label="Who has the relationship", scope="selections")


class ListForm(forms.Form):
    """The panel's longlist or shortlist: who goes forward, reasons for all, and reasons for each applicant."""

    reasons = _reasons("Reasons for the decision", "Every applicant receives these.")

    def __init__(self, *args: Any, applications: list[Application], word: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applications = applications
        for a in applications:
            self.fields[f"in_{a.pk}"] = forms.BooleanField(
                label=f"{a.person.full_name}: on the {word}", required=False
            )
            self.fields[f"why_{a.pk}"] = forms.CharField(
                label=f"Reasons for {a.person.full_name} (only they receive these)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["confirm"] = _confirm(
            f"Publish the {word}: every applicant is emailed it with the reasons, and those left out may appeal."
        )

    def rows(self) -> list[tuple[Application, forms.BoundField, forms.BoundField]]:
        return [(a, self[f"in_{a.pk}"], self[f"why_{a.pk}"]) for a in self.applications]

    def included(self) -> list[int]:
        return [a.pk for a in self.applications if self.cleaned_data.get(f"in_{a.pk}")]

    def entry_reasons(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data.get(f"why_{a.pk}") or "" for a in self.applications}


class ChangeForm(forms.Form):
    body = forms.ChoiceField(label="The body that decided")
    decided_on = forms.DateField(label="Decided on", widget=forms.DateInput(attrs={"type": "date"}))
    reasons = _reasons(
        "The body's reasons", "Every applicant receives these; members see them on the selection's page."
    )

    def __init__(
        self,
        *args: Any,
        bodies: list[Body],
        shortlisted: list[Application],
        others: list[Application],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.bodies = {str(b.pk): b for b in bodies}
        field = self.fields["body"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose the body")] + [(str(b.pk), f"{b.name} ({b.unit.name})") for b in bodies]
        self.shortlisted, self.others = shortlisted, others
        for a in others:
            self.fields[f"add_{a.pk}"] = forms.BooleanField(label=f"Add {a.person.full_name}", required=False)
        for a in shortlisted:
            self.fields[f"remove_{a.pk}"] = forms.BooleanField(
                label=f"Take {a.person.full_name} off", required=False
            )
        self.fields["confirm"] = _confirm(
            "Record this decision: the shortlist changes, every applicant is emailed it and members see it."
        )

    def selected_body(self) -> Body:
        return self.bodies[self.cleaned_data["body"]]

    def add_fields(self) -> list[forms.BoundField]:
        return [self[f"add_{a.pk}"] for a in self.others]

    def remove_fields(self) -> list[forms.BoundField]:
        return [self[f"remove_{a.pk}"] for a in self.shortlisted]

    def added(self) -> list[int]:
        return [a.pk for a in self.others if self.cleaned_data.get(f"add_{a.pk}")]

    def removed(self) -> list[int]:
        return [a.pk for a in self.shortlisted if self.cleaned_data.get(f"remove_{a.pk}")]

    def decided(self) -> date:
        day: date = self.cleaned_data["decided_on"]
        return day


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=AppealOutcome.choices, widget=forms.RadioSelect)
    reasons = _reasons("Reasons", "The appellant receives these; if allowed, every applicant does.")
    confirm = _confirm("Decide the appeal. The decision is final and is emailed with its reasons.")


class HustingsForm(forms.Form):
    starts = forms.DateTimeField(label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label="Place", max_length=300)
    online_link = forms.URLField(label="Online link (optional)", required=False, max_length=500)
    confirm = _confirm(
        "Call the hustings as a meeting of the selecting body. Its notice period is the rulebook's: called "
        "too late, the hustings are invalid and must be called again."
    )

    def starts_at(self) -> datetime:
        value: datetime = self.cleaned_data["starts"]
        return timezone.make_aware(value) if timezone.is_naive(value) else value


class BallotForm(forms.Form):
    method = forms.ChoiceField(label="Method", choices=[(m.value, m.label) for m in BALLOT_METHODS])
    returning_officer = PersonField(
        label="Returning officer",
        scope="selections",
        help_text="Someone holding the returning officer's role here, with no stake in any applicant.",
    )
    confirm = _confirm(
        "Call the member ballot: the roll of members is frozen today, and the shortlist becomes the ballot "
        "paper. It cannot be changed afterwards."
    )


class ConcludeForm(forms.Form):
    confirm = _confirm("Declare the published result. Every applicant is emailed who was selected.")


class BallotStatementForm(forms.Form):
    statement = forms.CharField(
        label="Your statement for members",
        required=False,
        help_text="Published with the ballot paper, for every voter to read (your application's statement is not).",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
