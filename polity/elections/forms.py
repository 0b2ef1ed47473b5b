"""Election forms. People are named through the person picker (scope "elections") or by membership number,
units by name or code, never by id."""

from __future__ import annotations

from typing import Any

from django import forms

from polity.common.actor import Actor
from polity.elections.models import Method
from polity.rulebook.loader import get_rulebook
from polity.web.picker import PersonField, bind_actor


class PersonForm(forms.Form):
    person = PersonField(scope="elections", label="Member")

    def __init__(self, *args: Any, actor: Actor, label: str = "Member", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].label = label
        bind_actor(self, actor)


class ElectionForm(forms.Form):
    """Calling an election: what is elected, how, by whom, and who runs it."""

    title = forms.CharField(
        max_length=200, label="Title", help_text="For example: North A women's officer 2027"
    )
    office = forms.CharField(max_length=200, label="What is elected", help_text="The office or the seats")
    unit = forms.CharField(max_length=200, label="Unit holding it", help_text="Its name or its code")
    method = forms.ChoiceField(choices=Method.choices, label="Method")
    seats = forms.IntegerField(min_value=1, max_value=99, initial=1, label="Seats")
    electorate = forms.ChoiceField(label="Who votes", widget=forms.RadioSelect)
    returning_officer = forms.CharField(
        max_length=40, label="Returning officer", help_text="Their membership number"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sections = get_rulebook().sections.values()
        electorate = self.fields["electorate"]
        assert isinstance(electorate, forms.ChoiceField)  # noqa: S101
        electorate.choices = [
            ("", "All the members of the unit"),
            *((s.key, f"The members of the {s.label} in the unit") for s in sections),
        ]
        electorate.required = False
        electorate.initial = ""
