"""Election forms that name people: through the person picker (scope "elections"), never by id."""

from __future__ import annotations

from typing import Any

from django import forms

from polity.common.actor import Actor
from polity.web.picker import PersonField, bind_actor


class PersonForm(forms.Form):
    person = PersonField(scope="elections", label="Member")

    def __init__(self, *args: Any, actor: Actor, label: str = "Member", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].label = label
        bind_actor(self, actor)
