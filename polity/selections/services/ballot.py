"""After the shortlist: the hustings (a meeting of the selecting body, called through polity.meetings, so its
notice rules apply) and the member ballot (an election of the selecting unit's members by FPTP, AV or SV,
run through polity.elections with the shortlist as its ballot paper). The selection adds no voting or notice
rules of its own: it calls the services that hold them (decision 0030)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import require
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.elections.models import Candidate, CandidateState, Election, Method
from polity.elections.models import State as ElectionState
from polity.elections.services import (
    candidate_add,
    election_create,
    election_freeze,
    election_open_nominations,
)
from polity.meetings.models import Meeting
from polity.meetings.models import State as MeetingState
from polity.meetings.services.meetings import meeting_call
from polity.members.models import Person
from polity.selections.conflicts import stakes
from polity.selections.models import (
    Appeal,
    AppealState,
    Decision,
    DecisionKind,
    Selection,
    Stage,
    State,
)
from polity.selections.notices import notice_send
from polity.selections.rules import BALLOT, HUSTINGS, SelectionRefused
from polity.selections.services.common import SUBJECT
from polity.selections.services.decisions import active_applications
from polity.selections.workflow import require_state

BALLOT_METHODS = (Method.FPTP, Method.AV, Method.SV)  # the issue's: one seat, marked by members
HUSTINGS_KIND = "hustings"  # a key of the rulebook's [meeting_kinds]


def ballot_waits(selection: Selection) -> str:
    """Why the member ballot cannot be created yet (the shortlist's appeals), or ""."""
    shortlist = Decision.objects.filter(selection=selection, kind=DecisionKind.SHORTLIST).first()
    if shortlist is None:
        return "the shortlist is not published"
    if shortlist.appeal_until and shortlist.appeal_until > timezone.now():
        until = timezone.localtime(shortlist.appeal_until)
        return f"appeals against the shortlist may be lodged until {until:%d %B %Y %H:%M}"
    if Appeal.objects.filter(decision=shortlist, state=AppealState.LODGED).exists():
        return "an appeal against the shortlist is not decided yet"
    return ""


def off_the_shortlist(selection: Selection, election: Election) -> list[str]:
    """Valid candidates of the member ballot who are not on the selection's final shortlist (a member who
    nominated themselves in the election's nomination period and was let through): the shortlist is the
    ballot paper, so the selection refuses such a result."""
    shortlisted = {a.person_id for a in active_applications(selection) if a.stage == Stage.SHORTLISTED}
    valid = Candidate.objects.filter(election=election, state=CandidateState.VALID).order_by("ballot_name")
    return [c.ballot_name for c in valid if c.person_id not in shortlisted]


def _on_behalf(actor: Actor, selection: Selection) -> Actor:
    """The elections services run the member ballot's first steps on the selection's authority (the
    organiser's own act is audited as selection.ballot_create): its label names both."""
    return Actor.system(label=f"{actor.label} for selection {selection.reference}"[:150])


def ballot_create(*, actor: Actor, selection: Selection, method: str, returning_officer: Person) -> Election:
    """The selecting unit's member ballot: an election by FPTP, AV or SV among the unit's members, its roll
    frozen today, its returning officer named (independent of the applicants), and the shortlist (in
    order of name) validly on the ballot paper. The returning officer then runs the poll and the count."""
    require(actor, Perm.SELECTIONS_MANAGE, scope=selection.unit, visible=False)
    require_state(selection, "ballot")
    if method not in BALLOT_METHODS:
        raise InvalidInput(f"method: a member ballot is by {', '.join(str(m.label) for m in BALLOT_METHODS)}")
    waits = ballot_waits(selection)
    if waits:
        raise SelectionRefused(BALLOT, waits)
    why = stakes(selection).get(returning_officer.pk)
    if why:
        raise SelectionRefused(BALLOT, f"the returning officer {returning_officer.full_name} {why[0]}")
    everyone = active_applications(selection)
    shortlisted = [a for a in everyone if a.stage == Stage.SHORTLISTED]
    if not shortlisted:
        raise SelectionRefused(BALLOT, "nobody is on the shortlist")
    system = _on_behalf(actor, selection)
    with transaction.atomic():
        # Locked: two organisers calling the ballot at once make one election, not two.
        require_state(Selection.objects.select_for_update().get(pk=selection.pk), "ballot")
        election = election_create(
            actor=system,
            title=f"Member ballot: {selection.seat}"[:200],
            office=selection.seat,
            unit=selection.unit,
            method=method,
            returning_officer=returning_officer,
            seats=1,
            electorate_unit=selection.unit,
            candidates_from_shortlist=True,
        )
        election = election_freeze(actor=system, election=election)
        election = election_open_nominations(actor=system, election=election)
        for application in shortlisted:
            candidate_add(actor=system, election=election, person=application.person)
        selection.election_id = election.pk
        selection.state = State.BALLOT
        selection.save(update_fields=["election_id", "state"])
        assert election.nominations_close_at is not None  # noqa: S101 - set at the freeze
        closes = timezone.localtime(election.nominations_close_at)
        for application in everyone:
            on = application.stage == Stage.SHORTLISTED
            lines = [
                f"Dear {application.person.given_name},",
                "",
                f"The member ballot of selection {selection.reference} ({selection.seat}) is called: "
                f"{election.get_method_display().lower()}, every member of {selection.unit.name} on the roll "
                f"fixed on {election.freeze_on:%d %B %Y} votes.",
            ]
            if on:
                lines += [
                    "",
                    "You are on the ballot paper. You may publish a statement for members from your page in the "
                    f"selection until {closes:%d %B %Y %H:%M}.",
                ]
            notice_send(
                actor=actor,
                selection=selection,
                person=application.person,
                subject=f"Selection {selection.reference}: the member ballot",
                body="\n".join(lines),
            )
        audit_record(
            actor=actor,
            verb="selection.ballot_create",
            subjects=[a.person_id for a in shortlisted],
            object_type=SUBJECT,
            object_id=selection.pk,
            data={"election": election.pk, "method": method, "candidates": len(shortlisted)},
        )
    return election


def ballot_result_declare(*, actor: Actor, selection: Selection) -> Selection:
    """Once the returning officer has published the ballot's result, the selection is concluded: every
    applicant is told who was selected (the count itself is the election's, public with its ballots)."""
    require(actor, Perm.SELECTIONS_MANAGE, scope=selection.unit, visible=False)
    require_state(selection, "declare")
    election = Election.objects.filter(pk=selection.election_id or 0).first()
    if election is None or election.state != ElectionState.PUBLISHED or not election.result:
        raise SelectionRefused(BALLOT, "the returning officer has not published the ballot's result yet")
    others = off_the_shortlist(selection, election)
    if others:
        raise SelectionRefused(
            BALLOT,
            f"the ballot paper named {', '.join(others)}, who were not on the final shortlist: the result "
            "cannot be declared as this selection's",
        )
    elected = ", ".join(election.result.get("elected", [])) or "nobody"
    with transaction.atomic():
        selection.state = State.SELECTED
        selection.save(update_fields=["state"])
        for application in active_applications(selection):
            notice_send(
                actor=actor,
                selection=selection,
                person=application.person,
                subject=f"Selection {selection.reference}: the result of the member ballot",
                body=(
                    f"Dear {application.person.given_name},\n\nThe member ballot of selection "
                    f"{selection.reference} ({selection.seat}) is counted and published. Selected: {elected}.\n\n"
                    "The result, the stages of the count and the anonymised ballots are on the ballot's page."
                ),
            )
        audit_record(
            actor=actor,
            verb="selection.declare",
            object_type=SUBJECT,
            object_id=selection.pk,
            data={"election": election.pk},
        )
    return selection


def hustings_call(
    *,
    actor: Actor,
    selection: Selection,
    starts_at: datetime,
    place: str,
    online_link: str = "",
    now: datetime | None = None,
) -> Meeting:
    """Call the hustings: a meeting of the selecting body (the meetings services check who may call it and
    compute its notice from the rulebook; called too late, it is invalid like any meeting). Once, unless the
    one called was cancelled or its notice was late."""
    require(actor, Perm.SELECTIONS_MANAGE, scope=selection.unit, visible=False)
    require_state(selection, "hustings")
    current = Meeting.objects.filter(pk=selection.hustings_id).first() if selection.hustings_id else None
    if current is not None and current.state != MeetingState.CANCELLED and not current.notice_is_late:
        raise SelectionRefused(HUSTINGS, f"the hustings are called already ({current.title})")
    names = ", ".join(
        a.person.full_name for a in active_applications(selection) if a.stage == Stage.SHORTLISTED
    )
    with transaction.atomic():
        meeting = meeting_call(
            actor=actor,
            body=selection.body,
            kind=HUSTINGS_KIND,
            title=f"Hustings: {selection.seat}"[:200],
            starts_at=starts_at,
            place=place,
            online_link=online_link,
            agenda=[f"The shortlisted applicants speak and take questions: {names}"[:200]],
            now=now,
        )
        Selection.objects.filter(pk=selection.pk).update(hustings_id=meeting.pk)
        selection.hustings_id = meeting.pk
        audit_record(
            actor=actor,
            verb="selection.hustings_call",
            object_type=SUBJECT,
            object_id=selection.pk,
            data={"meeting": meeting.pk, "late": meeting.notice_is_late},
        )
    return meeting
