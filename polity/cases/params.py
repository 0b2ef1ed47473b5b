"""The parameters of every workflow action: their form fields, and their validation into typed values.

One table serves the case page (a form per action) and the API. `parse_params` turns plain data (a JSON
object or a posted form) into the values the services take, or refuses with `ParamErrors` naming every
field that is wrong (422 over the API, form errors on the web). It runs only after the actor's role in the
case was checked (`polity.cases.actions.case_act`), so nobody learns anything from it about a case they
may not see. Objects named by id (a person, a case) are looked up afterwards, with the usual scope checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from polity.cases.models import AppealOutcome, Outcome
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.members.picker import PickError, people_resolve, person_resolve


class ParamErrors(InvalidInput):
    """One or more parameters are malformed: `fields` maps each to what is wrong with it."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in fields.items()))
        self.fields = fields


_NUMBER = re.compile(r"^[A-Za-z]{1,4}\d{1,12}$")  # a membership number, e.g. M0000045


class _Bad(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Bad("give text")
    return str(value)


def _id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise _Bad("give a number (an id)")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise _Bad("give a number (an id)")
    if not 0 < number < 2**63:
        raise _Bad("give a number (an id)")
    return number


def _ids(value: Any) -> list[int]:
    if value in (None, ""):
        return []
    items = [p for p in re.split(r"[\s,]+", value) if p] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        items = [items]
    try:
        return [n for n in (_id(item) for item in items) if n is not None]
    except _Bad:
        raise _Bad("give ids (numbers) separated by commas") from None


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = parse_datetime(f"{text}T12:00" if len(text) == 10 else text)
        except ValueError:  # well formed but not a real date or time, e.g. 30 February
            raise _Bad("not a real date and time") from None
    else:
        parsed = None
    if parsed is None:
        raise _Bad("not a date and time (use ISO 8601, e.g. 2027-03-01T18:00)")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", 0, "0", "false", "off", "no"):
        return False
    if value in (1, "1", "true", "on", "yes"):
        return True
    raise _Bad("give true or false")


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    kind: (
        str  # the input: text, textarea, number, ids, person, people, select, checkbox, datetime-local, file
    )
    choices: tuple[tuple[str, str], ...] = ()
    required: str = ""  # what to say when it is missing; empty: optional (the service judges emptiness)
    help: str = ""

    @property
    def input_type(self) -> str:
        return "text" if self.kind in ("ids", "case", "person", "people") else self.kind

    @property
    def is_person(self) -> bool:
        """Chosen with the person picker (a name or membership number on the web; an id over the API)."""
        return self.kind in ("person", "people")

    @property
    def is_several(self) -> bool:
        return self.kind == "people"

    def parse(self, value: Any) -> Any:
        parser: Callable[[Any], Any] = _PARSERS.get(self.kind, _text)
        parsed = parser(value)
        if self.required and parsed in (None, "", []):
            raise _Bad(self.required)
        return parsed


def _person_ref(value: Any) -> int | str | None:
    """An id (a number) or a membership number (text with letters), as the API may name a person."""
    if isinstance(value, str) and value.strip() and not value.strip().isdigit():
        text = value.strip()
        if not _NUMBER.match(text):
            raise _Bad("give a person's id or membership number")
        return text
    try:
        return _id(value)
    except _Bad:
        raise _Bad("give a person's id or membership number") from None


_CASE_REFERENCE = re.compile(r"^(?:C-?)?0*(\d{1,12})$", re.I)  # C-000012, c12 or 12 (see case_open)


def _case_ref(value: Any) -> int | None:
    """A case named by its reference, which is made from its number."""
    if isinstance(value, str) and (match := _CASE_REFERENCE.match(value.strip())):
        return _id(match.group(1))
    try:
        return _id(value)
    except _Bad:
        raise _Bad("give the case's reference, e.g. C-000012") from None


def _person_refs(value: Any) -> list[int | str]:
    if value in (None, ""):
        return []
    items = [p for p in re.split(r"[\s,]+", value) if p] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        items = [items]
    return [n for n in (_person_ref(item) for item in items) if n is not None]


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "number": _id,
    "ids": _ids,
    "choice": _id,  # one of the case's own items (a notice, a message, a suspension), chosen from a list
    "case": _case_ref,
    "person": _person_ref,
    "people": _person_refs,
    "datetime-local": _when,
    "checkbox": _flag,
}


PICK_ONE = "Type a name (Jane Owen or Owen, Jane) or a membership number, then pick from the list."
PICK_SEVERAL = "Names or membership numbers, separated by commas; pick each from the list."


def _reasons(label: str = "Reasons") -> Param:
    return Param("reasons", label, "textarea")


PARAMS: dict[str, list[Param]] = {
    "triage": [_reasons("Reasons for the triage decision")],
    "dismiss": [_reasons("Reasons for dismissing")],
    "add_party": [
        Param("person", "Person", "person", required="name the person", help=PICK_ONE),
        Param(
            "role",
            "Role",
            "select",
            (("respondent", "Respondent"), ("witness", "Witness"), ("complainant", "Complainant")),
        ),
    ],
    "link": [
        Param(
            "case", "Other case (its reference)", "case", required="give the reference of the case to link"
        ),
        Param("reason", "Why they are linked", "text"),
    ],
    "assign_investigator": [
        Param("person", "Investigator", "person", required="name the investigator", help=PICK_ONE)
    ],
    "add_evidence": [Param("file", "File", "file"), Param("description", "What it is", "text")],
    "send_notice": [Param("allegations", "The allegations, as the respondent will read them", "textarea")],
    "reply": [Param("text", "Your reply", "textarea")],
    "schedule_hearing": [
        Param("at", "Date and time", "datetime-local", required="give the date and time of the hearing"),
        Param("details", "Place and details", "textarea"),
    ],
    "assign_panel": [
        Param("members", "Panel members", "people", required="name the panel's members", help=PICK_SEVERAL)
    ],
    "assign_appeal_panel": [
        Param(
            "members",
            "Appeal panel members",
            "people",
            required="name the panel's members",
            help=PICK_SEVERAL,
        )
    ],
    "decide": [
        Param(
            "outcome",
            "Outcome",
            "select",
            tuple((v, label) for v, label in Outcome.choices if v != Outcome.NO_CASE),
        ),
        Param("reasons", "Written reasons", "textarea"),
        Param("review_at", "Review date (for a suspension)", "datetime-local"),
    ],
    "appeal": [Param("grounds", "Grounds of appeal", "textarea")],
    "decide_appeal": [
        Param("outcome", "Outcome", "select", tuple(AppealOutcome.choices)),
        Param("reasons", "Written reasons", "textarea"),
    ],
    "suspend": [
        Param("person", "Respondent", "person", required="name the respondent", help=PICK_ONE),
        Param("reasons", "Reasons", "textarea"),
        Param("review_at", "Review date", "datetime-local"),
    ],
    "review_suspension": [
        Param("suspension", "Suspension", "choice", required="choose the suspension"),
        Param("reasons", "Reasons", "textarea"),
        Param("lift", "Lift the suspension", "checkbox"),
        Param("next_review_at", "Next review date (if kept)", "datetime-local"),
    ],
    "record_delivery": [
        Param("notice", "Notice", "choice", required="choose the notice"),
        Param("how", "How and when it was delivered", "text"),
    ],
    "supply_evidence": [Param("file", "File", "file"), Param("description", "What it is", "text")],
    "add_statement": [Param("text", "Your statement", "textarea")],
    "message_team": [Param("text", "Your message to the case team", "textarea")],
    "acknowledge_message": [
        Param("message", "Message", "choice", required="choose the message to acknowledge")
    ],
    "message_party": [
        Param("person", "Party", "person", required="name the party", help=PICK_ONE),
        Param("text", "Your message", "textarea"),
        Param("in_reply_to", "In answer to (optional)", "choice"),
    ],
}


@dataclass
class FormField:
    """One field of an action's form on the case page, with what was typed and what was wrong."""

    param: Param
    value: str = ""
    error: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)  # for a "choice": the case's own items


@dataclass
class ActionForm:
    name: str
    label: str
    fields: list[FormField] = field(default_factory=list)
    is_open: bool = False


def parse_params(
    action: str, data: Mapping[str, Any], files: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Every parameter of `action`, typed; ParamErrors names each malformed one."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for param in PARAMS.get(action, []):
        if param.kind == "file":
            continue  # files come as uploads (or base64 over the API) and are checked by the evidence service
        try:
            values[param.name] = param.parse(data.get(param.name))
        except _Bad as problem:
            errors[param.name] = str(problem)
    if errors:
        raise ParamErrors(errors)
    return values


def people_from_picker(actor: Actor, action: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A posted web form with each person field resolved from what was typed (a membership number, or a
    name only one person in the case forms' scope has) to that person's id, for `case_act`.

    ParamErrors names each field that names nobody in scope, or several people; the form keeps the text."""
    resolved = dict(data)
    errors: dict[str, str] = {}
    for param in PARAMS.get(action, []):
        text = str(data.get(param.name) or "").strip()
        if not param.is_person or not text:
            continue
        try:
            if param.kind == "person":
                resolved[param.name] = person_resolve(actor=actor, text=text, scope="cases").pk
            else:
                resolved[param.name] = [p.pk for p in people_resolve(actor=actor, text=text, scope="cases")]
        except PickError as error:
            errors[param.name] = str(error)
    if errors:
        raise ParamErrors(errors)
    return resolved


def action_forms(
    names: list[str],
    labels: Mapping[str, str],
    failed: str = "",
    typed: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    options: Mapping[str, list[tuple[str, str]]] | None = None,
) -> list[ActionForm]:
    """The forms of the actions the viewer may take; the one that failed keeps what was typed and its errors."""
    forms = []
    for index, name in enumerate(names):
        is_failed = name == failed
        fields = [
            FormField(
                param,
                value=str((typed or {}).get(param.name, "")) if is_failed and param.kind != "file" else "",
                error=(errors or {}).get(param.name, "") if is_failed else "",
                options=list((options or {}).get(param.name, [])),
            )
            for param in PARAMS.get(name, [])
        ]
        forms.append(ActionForm(name, labels[name], fields, is_open=is_failed or (index == 0 and not failed)))
    return forms
