"""What the selection services share: who is acting in which capacity, and the panel checks."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.members.models import Person
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook
from polity.selections.conflicts import stakes
from polity.selections.models import Appeal, PanelKind, PanelSeat, Selection
from polity.selections.rules import NO_STAKE, PANEL, SelectionRefused

SUBJECT = "selections.selection"
APPEAL_SUBJECT = "selections.appeal"
CHANGE_POWER = "selections.change_shortlist"
APPEAL_POWER = "selections.hear_appeal"


def as_person(person: Person) -> Actor:
    """The person as an actor: what their offices let them do (a panel member's own permission)."""
    return Actor(user_id=None, person_id=person.pk, label=f"person:{person.membership_number}")


def reasons_text(reasons: str | None) -> str:
    return (reasons or "").strip()


def current_seats(selection: Selection, kind: str, appeal: Appeal | None = None) -> list[PanelSeat]:
    qs = PanelSeat.objects.filter(selection=selection, kind=kind, removed_at__isnull=True)
    qs = qs.filter(appeal=appeal) if appeal is not None else qs.filter(appeal__isnull=True)
    return list(qs.select_related("person").order_by("added_at", "id"))


def require_seat(actor: Actor, selection: Selection, kind: str, appeal: Appeal | None = None) -> None:
    """The actor sits on the panel (403 when they may see the selection but do not)."""
    if actor.person_id is None or not any(
        s.person_id == actor.person_id for s in current_seats(selection, kind, appeal)
    ):
        which = "the appeal panel of this appeal" if kind == PanelKind.APPEAL else "its shortlisting panel"
        raise Forbidden(f"only a member of {which} may do this")


def require_panel_clear(
    selection: Selection, seats: list[PanelSeat], minimum_key: str, extra: dict[int, str]
) -> None:
    """At decision time: enough people, and none of them with a stake (a conflict can arise after appointment)."""
    minimum = get_rulebook().number(minimum_key)
    if len(seats) < minimum:
        raise SelectionRefused(
            PANEL, f"the panel has {len(seats)} member(s); the rulebook asks for at least {minimum}"
        )
    found = stakes(selection)
    for seat in seats:
        why = next(iter(found.get(seat.person_id, [])), None) or extra.get(seat.person_id)
        if why:
            raise SelectionRefused(
                NO_STAKE,
                f"a member of the panel ({seat.person.full_name}) {why}: remove them from the panel first",
            )


def body_powers(body: Body) -> frozenset[str]:
    kind = get_rulebook().bodies.get(body.kind)
    return kind.powers if kind is not None else frozenset()


def appeal_body(selection: Selection) -> Body | None:
    """The nearest body above the selecting unit that the rulebook empowers to hear selection appeals."""
    unit: Unit | None = selection.unit.parent
    while unit is not None:
        for body in Body.objects.filter(unit=unit).order_by("pk"):
            if APPEAL_POWER in body_powers(body):
                return body
        unit = unit.parent
    return None


def may_sit(person: Person, unit: Unit) -> None:
    if not has_perm(as_person(person), Perm.SELECTIONS_SHORTLIST, unit):
        raise SelectionRefused(
            PANEL, f"{person.full_name} holds no office that lets them sit on selection panels in {unit.name}"
        )


def future(at: datetime | None, field: str) -> datetime:
    """A moment after now (a time without a zone is read on the organisation's clock)."""
    if at is None:
        raise InvalidInput(f"{field}: give a date and time")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at <= timezone.now():
        raise InvalidInput(f"{field}: must be in the future")
    return at


def _panel_seat_add(
    *, actor: Actor, selection: Selection, person: Person, appeal: Appeal | None = None
) -> PanelSeat:
    """Seat someone on the shortlisting panel (no appeal) or on one appeal's panel, once, with its audit event.
    The caller has checked who acts, the state, and that the person may sit and has no stake."""
    kind = PanelKind.APPEAL if appeal is not None else PanelKind.SHORTLISTING
    if any(seat.person_id == person.pk for seat in current_seats(selection, kind, appeal)):
        which = "the appeal panel" if appeal is not None else "the panel"
        raise InvalidInput(f"person: {person.full_name} is on {which} already")
    with transaction.atomic():
        seat = PanelSeat.objects.create(
            selection=selection,
            appeal=appeal,
            kind=kind,
            person=person,
            added_at=timezone.now(),
            added_by=actor.label,
        )
        audit_record(
            actor=actor,
            verb="selection.appeal_panel_appoint" if appeal is not None else "selection.panel_appoint",
            subjects=[person.pk],
            object_type=APPEAL_SUBJECT if appeal is not None else SUBJECT,
            object_id=appeal.pk if appeal is not None else selection.pk,
            data={"seat": seat.pk},
        )
    return seat
