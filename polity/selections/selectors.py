"""Reads of selections, scoped by who is asking: the members of the selecting unit see the public page (the
timetable, the published shortlist, every decision changing it with its body and reasons); the panels and the
officers who run it see the workspace (applications and statements: each reading is an access-log event); an
applicant sees their own application, its stages and reasons, their notices and their appeals."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import has_perm, units_q
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.deadlines.models import Deadline
from polity.deadlines.selectors import deadlines_for_subject
from polity.elections.models import Candidate, Election
from polity.elections.models import State as ElectionState
from polity.meetings.models import Meeting
from polity.members.models import Person
from polity.org.models import Body, Unit
from polity.selections.conflicts import involvement, stakes
from polity.selections.models import (
    Appeal,
    AppealState,
    Application,
    Decision,
    DecisionKind,
    Entry,
    Notice,
    PanelKind,
    PanelSeat,
    Relationship,
    Selection,
    Stage,
)
from polity.selections.services.ballot import ballot_waits, off_the_shortlist
from polity.selections.services.common import APPEAL_SUBJECT, CHANGE_POWER, SUBJECT, body_powers


def _roles(actor: Actor, selection: Selection) -> set[str]:
    roles: set[str] = set()
    if has_perm(actor, Perm.SELECTIONS_MANAGE, selection.unit):
        roles.add("manager")
    if actor.person_id is not None:
        person = Person.objects.filter(pk=actor.person_id).select_related("home_unit").first()
        if person is not None and person.home_unit.path.startswith(selection.unit.path):
            roles.add("member")
        seats = PanelSeat.objects.filter(
            selection=selection, person_id=actor.person_id, removed_at__isnull=True
        )
        for kind in seats.values_list("kind", flat=True):
            roles.add("panel" if kind == PanelKind.SHORTLISTING else "appeal_panel")
        if Application.objects.filter(selection=selection, person_id=actor.person_id).exists():
            roles.add("applicant")
    if Appeal.objects.filter(selection=selection).exists():
        units = {a.body.unit for a in Appeal.objects.filter(selection=selection).select_related("body__unit")}
        if any(has_perm(actor, Perm.SELECTIONS_MANAGE, unit) for unit in units):
            roles.add("appeal_manager")
    return roles


def selection_by_id(actor: Actor, selection_id: int) -> tuple[Selection, set[str]]:
    """The selection and the actor's roles in it; NotVisible (404) when they have none."""
    selection = Selection.objects.select_related("unit", "body").filter(pk=selection_id).first()
    if selection is None:
        raise NotVisible("not found")
    roles = _roles(actor, selection)
    if not roles:
        raise NotVisible("not found")
    return selection, roles


@dataclass
class BallotView:
    """The member ballot as the selection shows it: the election (its page has the rest) and, once the
    returning officer has published it, who was selected."""

    election: Election
    elected: list[str]
    off_shortlist: list[str] = field(default_factory=list)


def ballot_of(selection: Selection) -> BallotView | None:
    if selection.election_id is None:
        return None
    election = Election.objects.filter(pk=selection.election_id).first()
    if election is None:
        return None
    result = election.result if election.state == ElectionState.PUBLISHED else None
    if not result:
        return BallotView(election, [])
    others = off_the_shortlist(selection, election)
    return BallotView(election, [] if others else list(result.get("elected", [])), others)


def hustings_of(selection: Selection) -> Meeting | None:
    if selection.hustings_id is None:
        return None
    return Meeting.objects.filter(pk=selection.hustings_id).select_related("body__unit").first()


@dataclass
class PublicView:
    selection: Selection
    roles: set[str]
    shortlist: list[Application]
    shortlist_decision: Decision | None
    changes: list[tuple[Decision, list[Entry]]]
    deadlines: list[Deadline]
    is_open: bool
    ballot: BallotView | None = None
    hustings: Meeting | None = None


def selection_get(*, actor: Actor, selection_id: int) -> PublicView:
    """The selection's public page for the members of the selecting unit (and everyone with a role in it)."""
    selection, roles = selection_by_id(actor, selection_id)
    decisions = list(
        Decision.objects.filter(selection=selection).select_related("body__unit").order_by("decided_at")
    )
    shortlist = list(
        Application.objects.filter(selection=selection, stage__in=[Stage.SHORTLISTED])
        .select_related("person__home_unit")
        .order_by("person__family_name", "person__given_name")
    )
    withdrawn = list(
        Application.objects.filter(
            selection=selection,
            stage=Stage.WITHDRAWN,
            entries__decision__kind=DecisionKind.SHORTLIST,
            entries__included=True,
        ).select_related("person__home_unit")
    )
    entries = {
        d.pk: list(Entry.objects.filter(decision=d).select_related("application__person"))
        for d in decisions
        if d.kind == DecisionKind.CHANGE
    }
    return PublicView(
        selection=selection,
        roles=roles,
        shortlist=shortlist + withdrawn,
        shortlist_decision=next((d for d in decisions if d.kind == DecisionKind.SHORTLIST), None),
        changes=[(d, entries[d.pk]) for d in decisions if d.kind == DecisionKind.CHANGE],
        deadlines=deadlines_for_subject(subject_type=SUBJECT, subject_id=selection.pk),
        is_open=selection.state == "open" and timezone.now() < selection.applications_close_at,
        ballot=ballot_of(selection),
        hustings=hustings_of(selection),
    )


def selections_for(*, actor: Actor) -> list[tuple[Selection, set[str]]]:
    """Selections the actor has a part in: in their own unit or above, run in their scope, applied to, sat on
    (100 most recent; a fixed number of queries however many there are)."""
    q = Q(pk__in=[])
    home = ""
    if actor.person_id is not None:
        person = Person.objects.filter(pk=actor.person_id).select_related("home_unit").first()
        if person is not None:
            home = person.home_unit.path
            segments = home.split(".")[:-1]
            q |= Q(unit__path__in=[".".join(segments[: i + 1]) + "." for i in range(len(segments))])
        q |= Q(applications__person_id=actor.person_id) | Q(panel_seats__person_id=actor.person_id)
    managed = units_q(actor, Perm.SELECTIONS_MANAGE, field="unit__path")
    found = list(
        Selection.objects.filter(pk__in=Selection.objects.filter(q | managed).values("pk"))
        .select_related("unit", "body")
        .order_by("-created_at")[:100]
    )
    ids = [sel.pk for sel in found]
    me = actor.person_id or 0  # no person: matches nobody
    applied = set(
        Application.objects.filter(selection_id__in=ids, person_id=me).values_list("selection_id", flat=True)
    )
    seats = set(
        PanelSeat.objects.filter(selection_id__in=ids, person_id=me, removed_at__isnull=True).values_list(
            "selection_id", "kind"
        )
    )
    out = []
    for sel in found:
        roles = set()
        if has_perm(actor, Perm.SELECTIONS_MANAGE, sel.unit):
            roles.add("manager")
        if home and home.startswith(sel.unit.path):
            roles.add("member")
        if sel.pk in applied:
            roles.add("applicant")
        if (sel.pk, PanelKind.SHORTLISTING) in seats:
            roles.add("panel")
        if (sel.pk, PanelKind.APPEAL) in seats:
            roles.add("appeal_panel")
        out.append((sel, roles))
    return out


@dataclass
class SeatView:
    seat: PanelSeat
    stake: str


@dataclass
class AppealView:
    appeal: Appeal
    seats: list[SeatView]
    may_appoint: bool
    may_decide: bool


@dataclass
class Workspace:
    selection: Selection
    roles: set[str]
    applications: list[Application]
    seats: list[SeatView]
    relationships: list[Relationship]
    decisions: list[Decision]
    appeals: list[AppealView]
    change_bodies: list[Body]
    deadlines: list[Deadline] = field(default_factory=list)
    ballot: BallotView | None = None
    hustings: Meeting | None = None
    ballot_waits: str = ""

    @property
    def hustings_valid(self) -> bool:
        """Hustings are called and still stand (not cancelled, notice not late)."""
        h = self.hustings
        return h is not None and h.state != "cancelled" and not h.notice_is_late

    @property
    def active(self) -> list[Application]:
        return [a for a in self.applications if a.stage != Stage.WITHDRAWN]

    @property
    def longlisted(self) -> list[Application]:
        return [
            a
            for a in self.applications
            if a.stage in (Stage.LONGLISTED, Stage.SHORTLISTED, Stage.NOT_SHORTLISTED)
        ]

    @property
    def shortlist_waits(self) -> str:
        """Why the shortlist cannot be published yet (the longlist's appeals), or ""."""
        longlist = next((d for d in self.decisions if d.kind == DecisionKind.LONGLIST), None)
        if longlist is None:
            return ""
        if longlist.appeal_until and longlist.appeal_until > timezone.now():
            until = timezone.localtime(longlist.appeal_until)
            return f"Appeals against the longlist may be lodged until {until:%d %B %Y %H:%M}."
        if any(
            v.appeal.decision_id == longlist.pk and v.appeal.state == AppealState.LODGED for v in self.appeals
        ):
            return "An appeal against the longlist is not decided yet."
        return ""

    @property
    def shortlisted(self) -> list[Application]:
        return [a for a in self.applications if a.stage == Stage.SHORTLISTED]


WORKSPACE_ROLES = {"manager", "panel", "appeal_panel", "appeal_manager"}


def workspace_get(*, actor: Actor, selection_id: int) -> Workspace:
    """The panel's and the organisers' workspace. Reading the applications is an access-log event."""
    selection, roles = selection_by_id(actor, selection_id)
    if not roles & WORKSPACE_ROLES:
        raise NotVisible("not found")
    applications = list(
        Application.objects.filter(selection=selection)
        .select_related("person__home_unit")
        .order_by("person__family_name", "person__given_name", "id")
    )
    found = stakes(selection)
    seats = [
        SeatView(seat, (found.get(seat.person_id) or [""])[0])
        for seat in PanelSeat.objects.filter(
            selection=selection, kind=PanelKind.SHORTLISTING, removed_at__isnull=True
        )
        .select_related("person__home_unit")
        .order_by("added_at")
    ]
    appeals = []
    for appeal in Appeal.objects.filter(selection=selection).select_related(
        "body__unit", "application__person", "decision"
    ):
        involved = involvement(selection, appeal.application, appeal)
        appeal_seats = [
            SeatView(seat, (found.get(seat.person_id) or [""])[0] or (involved.get(seat.person_id) or ""))
            for seat in PanelSeat.objects.filter(appeal=appeal, removed_at__isnull=True).select_related(
                "person"
            )
        ]
        appeals.append(
            AppealView(
                appeal=appeal,
                seats=appeal_seats,
                may_appoint=appeal.state == AppealState.LODGED
                and has_perm(actor, Perm.SELECTIONS_MANAGE, appeal.body.unit),
                may_decide=appeal.state == AppealState.LODGED
                and any(s.seat.person_id == actor.person_id for s in appeal_seats),
            )
        )
    bodies = [
        body
        for body in Body.objects.filter(unit__in=_unit_and_above(selection.unit)).select_related("unit")
        if CHANGE_POWER in body_powers(body) and has_perm(actor, Perm.SELECTIONS_MANAGE, body.unit)
    ]
    audit_record(
        actor=actor,
        verb="selection.read_applications",
        subjects=[a.person_id for a in applications if a.person_id != actor.person_id],
        purpose="candidate selection",
        object_type=SUBJECT,
        object_id=selection.pk,
        data={"applications": len(applications)},
    )
    return Workspace(
        selection=selection,
        roles=roles,
        applications=applications,
        seats=seats,
        relationships=list(
            Relationship.objects.filter(selection=selection).select_related("person", "application__person")
        ),
        decisions=list(
            Decision.objects.filter(selection=selection).select_related("body__unit").order_by("decided_at")
        ),
        appeals=appeals,
        change_bodies=bodies,
        deadlines=deadlines_for_subject(subject_type=SUBJECT, subject_id=selection.pk),
        ballot=ballot_of(selection),
        hustings=hustings_of(selection),
        ballot_waits=ballot_waits(selection) if selection.state == "shortlisted" else "",
    )


def _unit_and_above(unit: Unit) -> list[Unit]:
    out: list[Unit] = []
    current: Unit | None = unit
    while current is not None:
        out.append(current)
        current = current.parent
    return out


@dataclass
class Standing:
    """One decision as it concerns the applicant."""

    decision: Decision
    included: bool
    own_reasons: str
    may_appeal: bool
    appeal: Appeal | None


@dataclass
class MyApplication:
    selection: Selection
    application: Application
    standings: list[Standing]
    notices: list[Notice]
    appeals: list[Appeal]
    appeal_deadlines: list[Deadline]
    # On the member ballot's paper: the candidacy, and whether its statement for members is still open.
    candidate: Candidate | None = None
    statement_open: bool = False


def my_application(*, actor: Actor, selection_id: int) -> MyApplication:
    """The applicant's own page: their statement, every decision about them with reasons, notices, appeals."""
    selection, roles = selection_by_id(actor, selection_id)
    application = (
        Application.objects.filter(selection=selection, person_id=actor.person_id).first()
        if actor.person_id is not None
        else None
    )
    if application is None or actor.person_id is None:
        raise NotVisible("not found")
    appeals = list(Appeal.objects.filter(application=application).select_related("body__unit", "decision"))
    candidate = (
        Candidate.objects.filter(election_id=selection.election_id, person_id=actor.person_id)
        .select_related("election")
        .first()
        if selection.election_id is not None
        else None
    )
    by_decision = {a.decision_id: a for a in appeals}
    now = timezone.now()
    standings = [
        Standing(
            decision=entry.decision,
            included=entry.included,
            own_reasons=entry.reasons,
            may_appeal=(
                not entry.included
                and entry.decision.kind != DecisionKind.CHANGE
                and entry.decision.appeal_until is not None
                and now <= entry.decision.appeal_until
                and entry.decision_id not in by_decision
                and application.stage != Stage.WITHDRAWN
                and selection.state in ("longlisted", "shortlisted")
            ),
            appeal=by_decision.get(entry.decision_id),
        )
        for entry in Entry.objects.filter(application=application)
        .select_related("decision__body__unit")
        .order_by("decision__decided_at")
    ]
    return MyApplication(
        selection=selection,
        application=application,
        standings=standings,
        notices=list(
            Notice.objects.filter(selection=selection, person_id=actor.person_id).order_by("created_at")
        ),
        appeals=appeals,
        appeal_deadlines=[
            d for a in appeals for d in deadlines_for_subject(subject_type=APPEAL_SUBJECT, subject_id=a.pk)
        ],
        candidate=candidate,
        statement_open=candidate is not None
        and candidate.election.state in (ElectionState.FROZEN, ElectionState.NOMINATIONS),
    )


def decision_for_appeal(*, actor: Actor, selection_id: int, decision_id: int) -> Decision:
    """A decision of the selection the actor applied to (the appeal service checks the rest)."""
    selection, _roles_ = selection_by_id(actor, selection_id)
    decision = (
        Decision.objects.filter(pk=decision_id, selection=selection).select_related("selection").first()
    )
    if decision is None:
        raise NotVisible("not found")
    return decision


def application_in(selection: Selection, application_id: int) -> Application:
    found = (
        Application.objects.filter(pk=application_id, selection=selection)
        .select_related("selection", "person")
        .first()
    )
    if found is None:
        raise NotVisible("not found")
    return found


def seat_in(selection: Selection, seat_id: int) -> PanelSeat:
    found = (
        PanelSeat.objects.filter(pk=seat_id, selection=selection)
        .select_related("selection", "appeal__body__unit", "person")
        .first()
    )
    if found is None:
        raise NotVisible("not found")
    return found


def appeal_in(selection: Selection, appeal_id: int) -> Appeal:
    found = (
        Appeal.objects.filter(pk=appeal_id, selection=selection)
        .select_related("selection__unit", "body__unit", "application__person", "decision")
        .first()
    )
    if found is None:
        raise NotVisible("not found")
    return found


def body_for_change(*, actor: Actor, selection: Selection, body_id: int) -> Body:
    """A body at or above the selecting unit (the service checks its power and the actor's scope)."""
    found = (
        Body.objects.filter(pk=body_id, unit__in=_unit_and_above(selection.unit))
        .select_related("unit")
        .first()
    )
    if found is None:
        raise NotVisible("not found")
    return found


def unit_and_body(*, unit_id: int, body_id: int) -> tuple[Unit, Body]:
    """A unit and one of its bodies named by id (the service checks the actor's scope over the unit)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    body = Body.objects.filter(pk=body_id).select_related("unit").first()
    if unit is None or body is None:
        raise NotVisible("not found")
    return unit, body


def creatable_bodies(*, actor: Actor) -> list[Body]:
    """Bodies of the units where the actor may open a selection (the selecting body names its unit)."""
    q = units_q(actor, Perm.SELECTIONS_MANAGE, field="unit__path")
    return list(Body.objects.filter(q).select_related("unit").order_by("unit__path", "name")[:200])
