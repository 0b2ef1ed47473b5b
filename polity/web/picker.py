"""The person picker as a Django form field: a text input taking a name or a membership number, with
matches under it as one types (htmx, polity/web/views/picker.py), resolved on submit to one Person in
the actor's scope for the form (polity.members.picker). Without JavaScript the field still works: type
the membership number. What was typed stays in the field when it names nobody, or several people."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from polity.common.actor import Actor
from polity.members.models import Person
from polity.members.picker import PickError, person_resolve

PICK_HELP = "Type a name (Jane Owen or Owen, Jane) or a membership number, then pick from the list."


class PersonPickerInput(forms.TextInput):
    template_name = "web/picker/widget.html"

    def __init__(self, *, scope: str = "members", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "picker-input", **(attrs or {})}
        )
        self.scope = scope

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        fid = widget["attrs"].get("id") or f"id_{name}"
        query = urlencode({"field": name, "scope": self.scope, "target": fid})
        widget["attrs"].update(
            {
                "hx-get": f"{reverse('web:person_matches')}?{query}",
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{fid}-matches",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        context["matches_id"] = f"{fid}-matches"
        return context


class PersonField(forms.CharField):
    """Cleans to a Person; the form sets `actor` (see `bind_actor`) before validation."""

    def __init__(self, *, scope: str = "members", **kwargs: Any) -> None:
        kwargs.setdefault("help_text", PICK_HELP)
        super().__init__(max_length=200, widget=PersonPickerInput(scope=scope), **kwargs)
        self.scope = scope
        self.actor: Actor | None = None

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        if self.actor is None:
            raise RuntimeError("PersonField needs the actor: call bind_actor(form, actor)")
        try:
            return person_resolve(actor=self.actor, text=text, scope=self.scope)
        except PickError as error:
            raise forms.ValidationError(str(error), code="pick") from None


def bind_actor(form: forms.Form, actor: Actor) -> None:
    """Let every person field of `form` resolve within `actor`'s scope."""
    for field in form.fields.values():
        if isinstance(field, PersonField):
            field.actor = actor


def picked(form: forms.Form, name: str) -> Person:
    person = form.cleaned_data[name]
    assert isinstance(person, Person)
    return person
