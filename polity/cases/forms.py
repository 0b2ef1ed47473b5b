"""Forms of the case pages (the workflow actions' fields are listed in polity.cases.params)."""

from __future__ import annotations

from typing import Any

from django import forms

from polity.cases.models import CaseState, Kind
from polity.cases.queue import MINE, UNASSIGNED, QueueChoices, QueueFilters


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


class QueueForm(forms.Form):
    """The case queue's filters and search. The menus offer only what the actor's scope holds."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="A reference (C-000123), or a party's name or membership number.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    state = forms.ChoiceField(label="Status", required=False)
    kind = forms.ChoiceField(label="Kind", required=False)
    unit = forms.ChoiceField(label="Unit", required=False)
    assignee = forms.ChoiceField(label="Investigator", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: QueueChoices, has_person: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in choices.units}
        states = [("", "Any open case"), *((v, t) for v, t in CaseState.choices if v != CaseState.CLOSED)]
        self.fields["state"].choices = [*states, (CaseState.CLOSED.value, "Closed")]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", "Any kind"), *Kind.choices]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", "All units in my scope")] + [  # type: ignore[attr-defined]
            (str(u.pk), u.name) for u in choices.units
        ]
        people = [("", "Anyone or no one"), (UNASSIGNED, "No investigator yet")]
        if has_person:
            people.append((MINE, "Me"))
        self.fields["assignee"].choices = people + [  # type: ignore[attr-defined]
            (number, f"{name} ({number})") for number, name in choices.assignees
        ]

    def filters(self) -> QueueFilters:
        data = self.cleaned_data
        return QueueFilters(
            q=data["q"],
            state=data["state"],
            kind=data["kind"],
            unit=self.units.get(data["unit"] or ""),
            assignee=data["assignee"],
            overdue=bool(data["overdue"]),
        )

    def query(self) -> dict[str, str]:
        """The filters as they go in a page link."""
        data = self.cleaned_data
        out = {k: str(data[k]) for k in ("q", "state", "kind", "unit", "assignee") if data.get(k)}
        if data.get("overdue"):
            out["overdue"] = "on"
        return out
