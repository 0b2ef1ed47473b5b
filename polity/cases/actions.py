"""One entry point for taking a workflow action by name with plain data (used by the API and the web).

It turns ids and text into the objects a service takes, refusing (404) any person, case or body the
actor may not refer to, and calls exactly one service.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Q, QuerySet
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import has_perm, units_q
from polity.cases import services as s
from polity.cases.gate import require_action, require_case_visible
from polity.cases.models import Case, Message, Notice, Suspension
from polity.cases.params import ParamErrors, parse_params, people_from_picker
from polity.cases.rules import CaseRefused
from polity.common.actor import Actor
from polity.common.errors import InvalidInput, NotVisible
from polity.members.models import Person
from polity.org.models import Body

Data = Mapping[str, Any]


def case_person(actor: Actor, person_id: Any) -> Person:
    """A person the actor may name in a case: in scope of their case or member permissions, or in the
    subtree of a unit where they hold an office (so a body can object to a local applicant)."""
    people = Person.objects.select_related("home_unit")
    if isinstance(person_id, str) and person_id.strip() and not person_id.strip().isdigit():
        person = people.filter(
            membership_number__iexact=person_id.strip()
        ).first()  # the API may say M0000045
    else:
        try:
            pk = int(person_id)
        except (TypeError, ValueError):
            raise InvalidInput("person: give a person's id or membership number") from None
        person = people.filter(pk=pk).first()
    if person is None:
        raise NotVisible("not found")
    unit = person.home_unit
    if (
        actor.is_system
        or has_perm(actor, Perm.CASES_HANDLE, unit)
        or has_perm(actor, Perm.MEMBERS_VIEW, unit)
    ):
        return person
    if actor.person_id is not None:
        now = timezone.now()
        terms = OfficeTerm.objects.in_force(now).filter(person_id=actor.person_id)
        if any(unit.path.startswith(path) for path in terms.values_list("unit__path", flat=True)):
            return person
    raise NotVisible("not found")


def case_people(actor: Actor) -> QuerySet[Person]:
    """Everyone `case_person` would accept: the person picker's scope for case forms."""
    people = Person.objects.all()
    if actor.is_system:
        return people
    q = units_q(actor, Perm.CASES_HANDLE, field="home_unit__path") | units_q(
        actor, Perm.MEMBERS_VIEW, field="home_unit__path"
    )
    if actor.person_id is not None:
        terms = OfficeTerm.objects.in_force(timezone.now()).filter(person_id=actor.person_id)
        for path in terms.values_list("unit__path", flat=True):
            q |= Q(home_unit__path__startswith=path)
    return people.filter(q)


def case_by_id(actor: Actor, case_id: Any) -> Case:
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise InvalidInput("case: give a case's id") from None
    case = Case.objects.select_related("unit").filter(pk=pk).first()
    if case is None:
        raise NotVisible("not found")
    require_case_visible(actor, case)
    return case


def body_by_id(actor: Actor, body_id: Any) -> Body:
    try:
        pk = int(body_id)
    except (TypeError, ValueError):
        raise InvalidInput("objecting_body: give a body's id") from None
    body = Body.objects.select_related("unit").filter(pk=pk).first()
    if body is None:
        raise NotVisible("not found")
    return body


def upload_from(data: Data, files: Mapping[str, Any] | None) -> Any:
    if files and files.get("file") is not None:
        return files["file"]
    raw = data.get("content_base64")
    if not raw:
        raise InvalidInput("file: attach the evidence file")
    try:
        content = base64.b64decode(str(raw), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("content_base64: not base64") from None
    return ContentFile(content, name=str(data.get("name") or "evidence"))


def _text(data: Data, key: str) -> str:
    return str(data.get(key) or "")


def _persons(actor: Actor, data: Data, key: str) -> list[Person]:
    ids = data.get(key) or []
    if isinstance(ids, str):
        ids = [part for part in ids.replace(" ", ",").split(",") if part]
    elif isinstance(ids, int):
        ids = [ids]
    return [case_person(actor, i) for i in ids]


def _person(actor: Actor, person_id: int | str | None) -> Person:
    return case_person(actor, person_id)


# Each handler takes the actor, the case, the parameters as `parse_params` typed them, and the uploads.
_HANDLERS: dict[str, Callable[[Actor, Case, dict[str, Any], Mapping[str, Any] | None, Data], Any]] = {
    "acknowledge": lambda a, c, p, f, d: s.case_acknowledge(actor=a, case=c),
    "triage": lambda a, c, p, f, d: s.case_triage(actor=a, case=c, reasons=p["reasons"]),
    "dismiss": lambda a, c, p, f, d: s.case_dismiss(actor=a, case=c, reasons=p["reasons"]),
    "add_party": lambda a, c, p, f, d: s.case_add_party(
        actor=a, case=c, person=_person(a, p["person"]), role=p["role"]
    ),
    "link": lambda a, c, p, f, d: s.case_link(
        actor=a, case=c, other=case_by_id(a, p["case"]), reason=p["reason"]
    ),
    "assign_investigator": lambda a, c, p, f, d: s.case_assign_investigator(
        actor=a, case=c, person=_person(a, p["person"])
    ),
    "add_evidence": lambda a, c, p, f, d: s.case_add_evidence(
        actor=a, case=c, upload=upload_from(d, f), description=p["description"]
    ),
    "send_notice": lambda a, c, p, f, d: s.case_send_notice(actor=a, case=c, allegations=p["allegations"]),
    "reply": lambda a, c, p, f, d: s.case_reply(actor=a, case=c, text=p["text"]),
    "schedule_hearing": lambda a, c, p, f, d: s.case_schedule_hearing(
        actor=a, case=c, at=p["at"], details=p["details"]
    ),
    "assign_panel": lambda a, c, p, f, d: s.case_assign_panel(
        actor=a, case=c, members=[_person(a, i) for i in p["members"]]
    ),
    "assign_appeal_panel": lambda a, c, p, f, d: s.case_assign_panel(
        actor=a, case=c, members=[_person(a, i) for i in p["members"]], appeal=True
    ),
    "decide": lambda a, c, p, f, d: s.case_decide(
        actor=a, case=c, outcome=p["outcome"], reasons=p["reasons"], review_at=p["review_at"]
    ),
    "communicate": lambda a, c, p, f, d: s.case_communicate(actor=a, case=c),
    "appeal": lambda a, c, p, f, d: s.case_appeal(actor=a, case=c, grounds=p["grounds"]),
    "decide_appeal": lambda a, c, p, f, d: s.case_decide_appeal(
        actor=a, case=c, outcome=p["outcome"], reasons=p["reasons"]
    ),
    "suspend": lambda a, c, p, f, d: s.case_suspend(
        actor=a, case=c, person=_person(a, p["person"]), reasons=p["reasons"], review_at=p["review_at"]
    ),
    "review_suspension": lambda a, c, p, f, d: s.case_review_suspension(
        actor=a,
        case=c,
        suspension=_suspension(c, p["suspension"]),
        reasons=p["reasons"],
        lift=p["lift"],
        next_review_at=p["next_review_at"],
    ),
    "record_delivery": lambda a, c, p, f, d: s.case_record_delivery(
        actor=a, case=c, notice=_notice(c, p["notice"]), how=p["how"]
    ),
    "close": lambda a, c, p, f, d: s.case_close(actor=a, case=c),
    "supply_evidence": lambda a, c, p, f, d: s.case_supply_evidence(
        actor=a, case=c, upload=upload_from(d, f), description=p["description"]
    ),
    "add_statement": lambda a, c, p, f, d: s.case_add_statement(actor=a, case=c, text=p["text"]),
    "message_team": lambda a, c, p, f, d: s.case_message_team(actor=a, case=c, text=p["text"]),
    "acknowledge_message": lambda a, c, p, f, d: s.case_acknowledge_message(
        actor=a, case=c, message=_message(c, p["message"], "message")
    ),
    "message_party": lambda a, c, p, f, d: s.case_message_party(
        actor=a,
        case=c,
        person=_person(a, p["person"]),
        text=p["text"],
        in_reply_to=_message(c, p["in_reply_to"], "in_reply_to") if p["in_reply_to"] else None,
    ),
}


def _message(case: Case, pk: int, field: str) -> Message:
    found = Message.objects.filter(case=case, pk=pk).first()
    if found is None:
        raise ParamErrors({field: "no message with this id in this case"})
    return found


def _suspension(case: Case, pk: int) -> Suspension:
    found = Suspension.objects.filter(case=case, pk=pk).first()
    if found is None:
        raise ParamErrors({"suspension": "no suspension with this id in this case"})
    return found


def _notice(case: Case, pk: int) -> Notice:
    found = Notice.objects.filter(case=case, pk=pk).first()
    if found is None:
        raise ParamErrors({"notice": "no notice with this id in this case"})
    return found


def case_act(
    *,
    actor: Actor,
    case: Case,
    action: str,
    data: Data,
    files: Mapping[str, Any] | None = None,
    typed_people: bool = False,
) -> Any:
    """Take `action` on `case` with `data` (the parameters the action's service needs).

    With `typed_people` (the web's forms), person fields hold what was typed in the person picker (a
    membership number, or a name only one person in scope has), resolved after the role check.

    In this order: the actor's role in the case (404 if none, 403 if it does not include the action), the
    workflow's state (409), then every parameter (422 naming the field), then the service's own rules."""
    handler = _HANDLERS.get(action)
    if handler is None:
        raise NotVisible("not found")
    try:
        require_action(actor, case, action)
        unresolved: dict[str, str] = {}
        if typed_people:
            try:
                data = people_from_picker(actor, action, data)
            except ParamErrors as error:  # say what else is wrong too, in one go
                unresolved = error.fields
                data = {k: v for k, v in data.items() if k not in unresolved}
        try:
            params = parse_params(action, data, files)
        except ParamErrors as error:
            raise ParamErrors({**error.fields, **unresolved}) from None
        if unresolved:
            raise ParamErrors(unresolved)
        return handler(actor, case, params, files, data)
    except CaseRefused as refused:
        s.case_refusal_record(actor=actor, case=case, action=action, refused=refused)
        raise


def case_open_from(*, actor: Actor, data: Data, files: Mapping[str, Any] | None = None) -> Case:
    """Open a case from plain data (the API's and the web form's shape)."""
    evidence = []
    for item in data.get("evidence") or []:
        evidence.append((upload_from(item, None), str(item.get("description") or "")))
    if files and files.get("file") is not None:
        evidence.append((files["file"], _text(data, "evidence_description") or "Evidence"))
    unit = None
    if data.get("unit"):
        from polity.org.models import Unit

        unit = Unit.objects.filter(pk=int(data["unit"])).first()
        if unit is None:
            raise NotVisible("not found")
    body = body_by_id(actor, data["objecting_body"]) if data.get("objecting_body") else None
    return s.case_open(
        actor=actor,
        kind=_text(data, "kind") or "complaint",
        summary=_text(data, "summary"),
        unit=unit,
        respondents=_persons(actor, data, "respondents"),
        witnesses=_persons(actor, data, "witnesses"),
        objecting_body=body,
        evidence=evidence,
        linked=[case_by_id(actor, i) for i in data.get("linked") or []],
    )
