"""Which models hold personal data, and which of them no holding of the registry names.

A model holds personal data when it points at a person (a foreign key to `members.Person` or to the
user account), keeps a person's id in a plain integer column (`person_id`, `actor_person_id`), or has a
field of contact or identity data (email, phone, address, postcode, date of birth, names of a sender or
recipient). `tests/test_registry.py` fails for any such model of a Polity app that is neither named by a
holding nor declared `not_personal` with a reason.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.conf import settings
from django.db import models

from polity.dsr.registry import covered_models, exempt_models

_CONTACT = re.compile(
    r"(^|_)(email|phone|mobile|address|postcode|date_of_birth|given_name|family_name|rcpt_to|mail_from)(_|$)"
    r"|(^|_)(sender|recipient|requester|holder)_name$"
    r"|(^|_)person_id$"
)
PERSON_MODELS = ("members.Person", settings.AUTH_USER_MODEL)


def personal_fields(model: type[models.Model]) -> list[str]:
    """The fields that make `model` hold personal data (empty: it holds none by this test)."""
    targets = {apps.get_model(label)._meta.label_lower for label in PERSON_MODELS}
    found = []
    for f in model._meta.get_fields():
        if not f.concrete or f.auto_created:
            continue
        if f.is_relation and (f.many_to_one or f.one_to_one):
            if f.remote_field is not None and _label(f.remote_field.model) in targets:
                found.append(f.name)
        elif _CONTACT.search(f.name):
            found.append(f.name)
    if model._meta.label_lower in targets:
        found.insert(0, "(the person itself)")
    return found


def _label(model: object) -> str:
    """ "app.Model" for a model class or a lazy reference to one (a string, in a model not yet resolved)."""
    if isinstance(model, str):
        return model.lower()
    return str(model._meta.label_lower)  # type: ignore[attr-defined]


def polity_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("polity.") and not m._meta.proxy]


def unregistered(
    candidates: list[type[models.Model]] | None = None,
) -> list[tuple[type[models.Model], list[str]]]:
    """Models with personal data that no holding names and none declared `not_personal`."""
    covered, exempt = covered_models(), exempt_models()
    return [
        (m, fields)
        for m in (polity_models() if candidates is None else candidates)
        if (fields := personal_fields(m)) and m not in covered and m not in exempt
    ]
