"""Opening a selection, applications, closing, the shortlisting panel and declared relationships."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.deadlines.services import deadline_open
from polity.elections.roll import STAND_RULE, standing_problems
from polity.members.models import Person
from polity.org.models import Body, Unit
from polity.selections.conflicts import stakes
from polity.selections.models import Application, PanelKind, PanelSeat, Relationship, Selection, Stage, State
from polity.selections.rules import APPLY, NO_STAKE, WORKFLOW, SelectionRefused
from polity.selections.services.common import SUBJECT, _panel_seat_add, current_seats, future, may_sit
from polity.selections.workflow import require_state

LONGLIST_RULE = "selections.longlist_decision"


def _reference(selection: Selection) -> str:
    return f"S-{selection.pk:06d}"


def selection_create(
    *, actor: Actor, unit: Unit, body: Body, seat: str, applications_close_at: datetime, about: str = ""
) -> Selection:
    """Open a selection for a seat: the unit's members apply until the closing time."""
    require(actor, Perm.SELECTIONS_MANAGE, scope=unit, visible=False)
    seat = seat.strip()
    if not seat:
        raise InvalidInput("seat: say what the candidate will stand for")
    if body.unit_id != unit.pk:
        raise InvalidInput(f"body: {body.name} is not a body of {unit.name}")
    applications_close_at = future(applications_close_at, "applications_close_at")
    now = timezone.now()
    with transaction.atomic():
        selection = Selection.objects.create(
            reference=f"new-{uuid.uuid4().hex[:16]}",  # replaced by S-<id> below, in the same transaction
            seat=seat[:200],
            unit=unit,
            body=body,
            about=about.strip(),
            applications_close_at=applications_close_at,
            created_at=now,
            created_by=actor.label,
        )
        selection.reference = _reference(selection)
        selection.save(update_fields=["reference"])
        audit_record(
            actor=actor,
            verb="selection.create",
            object_type=SUBJECT,
            object_id=selection.pk,
            data={"unit": unit.pk, "body": body.pk, "closes": applications_close_at.isoformat()},
        )
    return selection


def application_submit(*, actor: Actor, selection: Selection, statement: str) -> Application:
    """A member applies, for themselves, with a statement the panel reads."""
    if actor.person_id is None:
        raise Forbidden("only a member on the register may apply")
    require_state(selection, "apply")
    now = timezone.now()
    if now >= selection.applications_close_at:
        closed = timezone.localtime(selection.applications_close_at)
        raise SelectionRefused(APPLY, f"applications closed on {closed:%d %B %Y at %H:%M}")
    person = Person.objects.select_related("home_unit").get(pk=actor.person_id)
    if not person.home_unit.path.startswith(selection.unit.path):
        raise SelectionRefused(APPLY, f"you are not a member in {selection.unit.name}")
    problems = standing_problems(person, timezone.localdate(), STAND_RULE)
    if problems:
        raise SelectionRefused(APPLY, "; ".join(problems))
    if any(seat.person_id == person.pk for seat in current_seats(selection, PanelKind.SHORTLISTING)):
        raise SelectionRefused(
            NO_STAKE, "you sit on this selection's shortlisting panel: leave it before applying"
        )
    statement = statement.strip()
    if not statement:
        raise InvalidInput("statement: write a statement for the panel")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                selection=selection, person=person, statement=statement, submitted_at=now
            )
            audit_record(
                actor=actor,
                verb="selection.apply",
                subjects=[person.pk],
                object_type=SUBJECT,
                object_id=selection.pk,
                data={"application": application.pk},
            )
    except IntegrityError:
        raise SelectionRefused(APPLY, "you have applied already") from None
    return application


def application_withdraw(*, actor: Actor, application: Application) -> Application:
    """The applicant withdraws (a withdrawal from a published shortlist is shown to members as such)."""
    if actor.person_id is None or actor.person_id != application.person_id:
        raise Forbidden("only the applicant may withdraw an application")
    selection = application.selection
    require_state(selection, "withdraw")
    if application.stage == Stage.WITHDRAWN:
        raise SelectionRefused(WORKFLOW, "the application is withdrawn already")
    with transaction.atomic():
        application.stage = Stage.WITHDRAWN
        application.withdrawn_at = timezone.now()
        application.save(update_fields=["stage", "withdrawn_at"])
        audit_record(
            actor=actor,
            verb="selection.withdraw",
            subjects=[application.person_id],
            object_type=SUBJECT,
            object_id=selection.pk,
            data={"application": application.pk},
        )
    return application


def applications_close(*, actor: Actor, selection: Selection) -> Selection:
    """Close applications at or after the published closing time; the longlist is then due."""
    require(actor, Perm.SELECTIONS_MANAGE, scope=selection.unit, visible=False)
    require_state(selection, "close")
    now = timezone.now()
    if now < selection.applications_close_at:
        closes = timezone.localtime(selection.applications_close_at)
        raise SelectionRefused(WORKFLOW, f"applications are open until {closes:%d %B %Y at %H:%M}")
    with transaction.atomic():
        selection.state = State.CLOSED
        selection.closed_at = now
        selection.save(update_fields=["state", "closed_at"])
        deadline_open(
            actor=actor,
            rule_key=LONGLIST_RULE,
            start=now,
            owner_unit=selection.unit,
            subject_type=SUBJECT,
            subject_id=selection.pk,
            title=f"Publish the longlist of selection {selection.reference}",
        )
        audit_record(actor=actor, verb="selection.close", object_type=SUBJECT, object_id=selection.pk)
    return selection


def panel_appoint(*, actor: Actor, selection: Selection, person: Person) -> PanelSeat:
    """Put someone on the shortlisting panel: they hold `selections.shortlist` here and have no stake."""
    require(actor, Perm.SELECTIONS_MANAGE, scope=selection.unit, visible=False)
    require_state(selection, "appoint_panel")
    may_sit(person, selection.unit)
    why = stakes(selection).get(person.pk)
    if why:
        raise SelectionRefused(NO_STAKE, f"{person.full_name} {why[0]}")
    return _panel_seat_add(actor=actor, selection=selection, person=person)


def panel_remove(*, actor: Actor, seat: PanelSeat, reason: str) -> PanelSeat:
    """Take someone off a panel, with a reason (a conflict that arose, a resignation)."""
    selection = seat.selection
    unit = seat.appeal.body.unit if seat.appeal is not None else selection.unit
    require(actor, Perm.SELECTIONS_MANAGE, scope=unit, visible=False)
    if seat.kind == PanelKind.SHORTLISTING:
        require_state(selection, "remove_panel")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason: say why they leave the panel")
    if seat.removed_at is not None:
        raise SelectionRefused(WORKFLOW, "they are off the panel already")
    with transaction.atomic():
        seat.removed_at = timezone.now()
        seat.removed_reason = reason[:500]
        seat.save(update_fields=["removed_at", "removed_reason"])
        audit_record(
            actor=actor,
            verb="selection.panel_remove",
            subjects=[seat.person_id],
            object_type=SUBJECT,
            object_id=selection.pk,
            data={"seat": seat.pk},
        )
    return seat


def relationship_declare(
    *, actor: Actor, application: Application, description: str, person: Person | None = None
) -> Relationship:
    """A relationship with an applicant that keeps someone off the panels: declared by a panel member about
    themselves, or recorded by an officer who runs the selection (naming the person)."""
    selection = application.selection
    require_state(selection, "relationship")
    if person is None or person.pk == actor.person_id:
        if (
            actor.person_id is None
            or not PanelSeat.objects.filter(
                selection=selection, person_id=actor.person_id, removed_at__isnull=True
            ).exists()
        ):
            raise Forbidden(
                "only a member of one of this selection's panels declares their own relationships"
            )
        person = Person.objects.get(pk=actor.person_id)
        self_declared = True
    else:
        require(actor, Perm.SELECTIONS_MANAGE, scope=selection.unit, visible=False)
        self_declared = False
    description = description.strip()
    if not description:
        raise InvalidInput("description: say what the relationship is")
    if person.pk == application.person_id:
        raise InvalidInput("person: an applicant has no relationship to declare with themselves")
    with transaction.atomic():
        relationship = Relationship.objects.create(
            selection=selection,
            person=person,
            application=application,
            description=description[:300],
            self_declared=self_declared,
            recorded_by=actor.label,
            recorded_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            verb="selection.relationship",
            subjects=[person.pk, application.person_id],
            object_type=SUBJECT,
            object_id=selection.pk,
            data={"relationship": relationship.pk, "self_declared": self_declared},
        )
    return relationship
