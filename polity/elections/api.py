"""/api/v1/elections: call an election, take its steps, stand, vote, check a receipt, read the result and
its bundle. A refused step answers 409 naming the rule (after the freeze date, a second ballot, a closed
poll, a conflicted returning officer)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut
from polity.common.errors import NotVisible
from polity.elections.models import Election, State
from polity.elections.roll import electorate_words
from polity.elections.selectors import (
    ballot_paper,
    body_for_election,
    candidate_get,
    election_get,
    election_list,
    election_page,
    member_by_number,
    my_candidacy,
    nominating_body,
    papers_to_resolve,
    person_for_election,
    receipt_check,
    roll_person,
    unit_for_election,
)
from polity.elections.services import (
    GroupSpec,
    ballot_cast,
    candidate_accept,
    candidate_nominate,
    candidate_validate,
    election_close,
    election_count,
    election_create,
    election_freeze,
    election_name_returning_officer,
    election_open_nominations,
    election_open_poll,
    election_publish,
    election_recount,
)
from polity.elections.services.count import BUNDLE_FILES, bundle
from polity.elections.services.nominations import agent_appoint, nomination_record, teller_appoint
from polity.elections.services.papers import paper_enter, paper_mark_received, paper_resolve

router = Router(tags=["elections"])
ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
STEPS = {
    "freeze": election_freeze,
    "open_nominations": election_open_nominations,
    "open_poll": election_open_poll,
    "close": election_close,
    "count": election_count,
    "publish": election_publish,
}


class GroupIn(Schema):
    label: str
    minimum: int
    description: str = ""


class ElectionIn(Schema):
    title: str
    office: str
    unit: int
    method: str
    seats: int = 1
    returning_officer: str  # membership number (or person id)
    electorate_unit: int | None = None
    electorate_body: int | None = None
    electorate_section: str = ""  # a key of the rulebook's [sections]: its members within electorate_unit
    groups: list[GroupIn] = []
    needs_body_nominations: bool = False
    candidates_from_shortlist: bool = False


class BallotIn(Schema):
    ranking: list[int]  # ballot positions (from 1) in order of preference; FPTP: the chosen positions


class AcceptIn(Schema):
    acceptance: str
    statement: str = ""
    groups: list[str] = []


class DecisionIn(Schema):
    valid: bool
    reasons: str = ""


class PersonIn(Schema):
    person: str


class NominationIn(Schema):
    body: str | int  # the body's name or its unit's code (or its id, as elsewhere in the API)
    decided_on: date


class PaperIn(Schema):
    reference: str
    ranking: list[int]


class ResolveIn(Schema):
    ranking: list[int]
    reasons: str


def election_out(election: Election, request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request)
    page = election_page(actor=actor, election_id=election.pk)
    out: dict[str, Any] = {
        "id": election.pk,
        "title": election.title,
        "office": election.office,
        "unit": election.unit_id,
        "method": election.method,
        "seats": election.seats,
        "state": election.state,
        "state_label": election.get_state_display(),
        "electorate": {
            "kind": election.electorate,
            "unit": election.electorate_unit_id,
            "body": election.electorate_body_id,
            "section": election.electorate_section or None,
            "words": electorate_words(election),
        },
        "groups": [{"label": g, "minimum": m, "description": d} for g, m, d in page.groups],
        "freeze_on": election.freeze_on,
        "roll_size": election.roll_size,
        "nominations_close_at": election.nominations_close_at,
        "poll_opens_at": election.poll_opens_at,
        "poll_closes_at": election.poll_closes_at,
        "seed": election.seed,
        "candidates": [
            {
                "id": c.pk,
                "name": c.ballot_name,
                "position": c.ballot_position,
                "statement": c.statement,
                "groups": [g.label for g in c.groups.all()],
            }
            for c in page.candidates
        ],  # fmt: skip
        "turnout": page.turnout,
        "you_have_voted": page.has_voted,
        "next_step": page.next_name if page.is_ro else None,
        "seal": election.sealed_digest or None,
        "result": election.result if election.state == State.PUBLISHED else None,
    }
    return out


@router.get("", response={200: list[dict[str, Any]], **ERRORS}, summary="Elections")
def elections_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": e.pk, "title": e.title, "state": e.state, "method": e.method, "unit": e.unit_id}
        for e in election_list(actor=actor_of(request))[:100]
    ]


@router.post("", response={201: dict[str, Any], **ERRORS}, summary="Call an election")
def elections_create(request: HttpRequest, data: ElectionIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    election = election_create(
        actor=actor,
        title=data.title,
        office=data.office,
        unit=unit_for_election(actor=actor, unit_id=data.unit),
        method=data.method,
        seats=data.seats,
        returning_officer=person_for_election(actor=actor, ref=data.returning_officer),
        electorate_unit=unit_for_election(actor=actor, unit_id=data.electorate_unit)
        if data.electorate_unit
        else None,
        electorate_body=body_for_election(actor=actor, body_id=data.electorate_body)
        if data.electorate_body
        else None,
        electorate_section=data.electorate_section,
        groups=[GroupSpec(g.label, g.minimum, g.description) for g in data.groups],
        needs_body_nominations=data.needs_body_nominations,
        candidates_from_shortlist=data.candidates_from_shortlist,
    )
    return Status(201, election_out(election, request))


@router.get("/{int:election_id}", response={200: dict[str, Any], **ERRORS}, summary="One election")
def elections_get(request: HttpRequest, election_id: int) -> dict[str, Any]:
    return election_out(election_get(actor=actor_of(request), election_id=election_id), request)


@router.post(
    "/{int:election_id}/steps/{name}", response={200: dict[str, Any], **ERRORS}, summary="Take a step"
)
def elections_step(request: HttpRequest, election_id: int, name: str) -> dict[str, Any]:
    """The returning officer's next step: freeze, open_nominations, open_poll, close, count, publish; or
    recount (which answers whether it agrees)."""
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    if name == "recount":
        return election_recount(actor=actor, election=election)
    service = STEPS.get(name)
    if service is None:
        raise NotVisible("not found")
    return election_out(service(actor=actor, election=election), request)


@router.post(
    "/{int:election_id}/returning-officer",
    response={200: dict[str, Any], **ERRORS},
    summary="Name the returning officer",
)
def elections_name_ro(request: HttpRequest, election_id: int, data: PersonIn) -> dict[str, Any]:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    person = person_for_election(actor=actor, ref=data.person)
    return election_out(
        election_name_returning_officer(actor=actor, election=election, person=person), request
    )


@router.get(
    "/{int:election_id}/eligibility", response={200: dict[str, Any], **ERRORS}, summary="May I vote, and why"
)
def elections_eligibility(request: HttpRequest, election_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    page = election_page(actor=actor, election_id=election_id)
    standing = page.standing
    if standing is None:
        raise NotVisible("not found")
    return {"eligible": standing.eligible, "roll_fixed": standing.fixed, "reasons": list(standing.reasons)}


@router.get("/{int:election_id}/ballot", response={200: dict[str, Any], **ERRORS}, summary="The ballot paper")
def elections_ballot_paper(request: HttpRequest, election_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    paper = ballot_paper(actor=actor, election=election)
    return {
        "method": election.method,
        "max_marks": election.max_preferences,
        "candidates": [{"position": p, "name": n} for p, n in sorted(paper.items())],
    }


@router.post("/{int:election_id}/ballot", response={201: dict[str, Any], **ERRORS}, summary="Cast my ballot")
def elections_vote(request: HttpRequest, election_id: int, data: BallotIn) -> Status[dict[str, Any]]:
    """Store your ballot; the answer holds your receipt code, shown only this once."""
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    code = ballot_cast(actor=actor, election=election, ranking=data.ranking)
    return Status(201, {"receipt": code})


@router.get(
    "/{int:election_id}/receipts/{code}", response={200: dict[str, Any], **ERRORS}, summary="Check a receipt"
)
def elections_receipt(request: HttpRequest, election_id: int, code: str) -> dict[str, Any]:
    election = election_get(actor=actor_of(request), election_id=election_id)
    return {"receipt": code, "status": receipt_check(election=election, code=code)}


@router.post(
    "/{int:election_id}/candidacy",
    response={201: dict[str, Any], **ERRORS},
    summary="Stand: nominate and accept",
)
def elections_stand(request: HttpRequest, election_id: int, data: AcceptIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    mine = my_candidacy(actor=actor, election=election) or candidate_nominate(actor=actor, election=election)
    mine = candidate_accept(
        actor=actor, candidate=mine, acceptance=data.acceptance, groups=data.groups, statement=data.statement
    )
    return Status(201, {"id": mine.pk, "state": mine.state})


@router.post(
    "/{int:election_id}/candidates/{int:candidate_id}/decision",
    response={200: dict[str, Any], **ERRORS},
    summary="Validate or refuse a nomination",
)
def elections_decide(
    request: HttpRequest, election_id: int, candidate_id: int, data: DecisionIn
) -> dict[str, Any]:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    candidate = candidate_get(actor=actor, election=election, candidate_id=candidate_id)
    candidate = candidate_validate(actor=actor, candidate=candidate, valid=data.valid, reasons=data.reasons)
    return {"id": candidate.pk, "state": candidate.state, "reasons": candidate.reasons}


@router.get(
    "/{int:election_id}/bundle/{name}",
    response={200: None, **ERRORS},
    summary="A file of the published result",
    openapi_extra={"responses": {200: {"content": {"text/plain": {}}}}},
)
def elections_bundle(request: HttpRequest, election_id: int, name: str) -> HttpResponse:
    """result.json, stages.txt, chart.svg, ballots.blt (anonymised), receipts.txt or README.txt."""
    election = election_get(actor=actor_of(request), election_id=election_id)
    if name not in BUNDLE_FILES:
        raise NotVisible("not found")
    return HttpResponse(bundle(election)[name], content_type="text/plain; charset=utf-8")


@router.post(
    "/{int:election_id}/tellers", response={201: dict[str, Any], **ERRORS}, summary="Appoint a teller"
)
def elections_teller(request: HttpRequest, election_id: int, data: PersonIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    teller = teller_appoint(
        actor=actor, election=election, person=person_for_election(actor=actor, ref=data.person)
    )
    return Status(201, {"id": teller.pk})


@router.post(
    "/{int:election_id}/candidates/{int:candidate_id}/agents",
    response={201: dict[str, Any], **ERRORS},
    summary="A candidate names an agent (by membership number)",
)
def elections_agent(
    request: HttpRequest, election_id: int, candidate_id: int, data: PersonIn
) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    candidate = candidate_get(actor=actor, election=election, candidate_id=candidate_id)
    if actor.person_id != candidate.person_id:
        raise NotVisible("not found")
    agent = agent_appoint(
        actor=actor, candidate=candidate, person=member_by_number(actor=actor, ref=data.person)
    )
    return Status(201, {"id": agent.pk})


@router.post(
    "/{int:election_id}/candidates/{int:candidate_id}/nominations",
    response={201: dict[str, Any], **ERRORS},
    summary="Record a body's nomination",
)
def elections_nomination(
    request: HttpRequest, election_id: int, candidate_id: int, data: NominationIn
) -> Status[dict[str, Any]]:
    """`body` is the nominating body's name or its unit's code (an id is accepted too); 422 naming it when
    it is none of the nominating bodies you may act for."""
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    candidate = candidate_get(actor=actor, election=election, candidate_id=candidate_id)
    body = nominating_body(actor=actor, election=election, ref=data.body)
    nomination = nomination_record(actor=actor, candidate=candidate, body=body, decided_on=data.decided_on)
    return Status(201, {"id": nomination.pk})


@router.post(
    "/{int:election_id}/papers/received",
    response={201: dict[str, Any], **ERRORS},
    summary="Mark a postal voter's returned envelope",
)
def elections_paper_received(
    request: HttpRequest, election_id: int, data: PersonIn
) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    person = roll_person(actor=actor, election=election, ref=data.person)
    paper_mark_received(actor=actor, election=election, person=person)
    return Status(201, {"marked": True})


@router.post(
    "/{int:election_id}/papers", response={201: dict[str, Any], **ERRORS}, summary="Enter a paper ballot"
)
def elections_paper_enter(request: HttpRequest, election_id: int, data: PaperIn) -> Status[dict[str, Any]]:
    """One teller's reading of a paper; a second teller's reading of the same reference settles it."""
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    paper = paper_enter(actor=actor, election=election, reference=data.reference, ranking=data.ranking)
    return Status(201, {"reference": paper.reference, "state": paper.state})


@router.get(
    "/{int:election_id}/papers/discrepancies",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="Papers whose two entries differ",
)
def elections_discrepancies(request: HttpRequest, election_id: int) -> list[dict[str, Any]]:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    return [
        {"reference": ref, "readings": readings}
        for ref, readings in papers_to_resolve(actor=actor, election=election)
    ]


@router.post(
    "/{int:election_id}/papers/{reference}/resolution",
    response={200: dict[str, Any], **ERRORS},
    summary="Resolve a discrepancy with reasons",
)
def elections_paper_resolve(
    request: HttpRequest, election_id: int, reference: str, data: ResolveIn
) -> dict[str, Any]:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    paper = paper_resolve(
        actor=actor, election=election, reference=reference, ranking=data.ranking, reasons=data.reasons
    )
    return {"reference": paper.reference, "state": paper.state}
