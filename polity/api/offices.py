"""/api/v1: resign one's own office, record an appointing body's decision, and restrictions of access.

Removal from office against the holder's will is not here: it is the outcome "removal" of a case
(/api/v1/cases). Refusals answer 409 (or 422 for malformed input) with the rule that refused.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from polity.access.models import OfficeTerm, Restriction
from polity.access.perms import Perm
from polity.access.restrictions import affected_person_ids, restriction_impose, restriction_review
from polity.access.services import office_end_by_decision, office_resign
from polity.api.auth import actor_of
from polity.api.schemas import ErrorOut
from polity.org.selectors import unit_get
from polity.web.selectors import (
    appointing_body_get,
    holder_for_restriction,
    office_term_get,
    own_term_get,
    restriction_get,
    restrictions_in_scope,
)

me_offices = Router(tags=["me"])
offices = Router(tags=["offices"])
restrictions = Router(tags=["restrictions"])
ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ResignIn(Schema):
    confirm: bool = False
    reason: str = ""


class BodyDecisionIn(Schema):
    body: int | None = None
    decided_on: date | None = None
    reasons: str = ""


class RestrictionIn(Schema):
    unit: int
    person: int | None = None
    reasons: str = ""
    review_at: datetime | None = None


class ReviewIn(Schema):
    lift: bool
    reasons: str = ""
    next_review_at: datetime | None = None


def term_out(term: OfficeTerm) -> dict[str, Any]:
    return {
        "id": term.pk,
        "office": term.office,
        "unit": term.unit_id,
        "body": term.body_id,
        "starts_at": term.starts_at,
        "ends_at": term.ends_at,
        "ended_how": term.ended_how or None,
        "ended_reason": term.ended_reason or None,
        "ended_body": term.ended_body_id,
        "ended_decided_on": term.ended_decided_on,
    }


def restriction_out(r: Restriction) -> dict[str, Any]:
    return {
        "id": r.pk,
        "unit": r.unit_id,
        "person": r.person_id,
        "authority": r.authority_id,
        "reasons": r.reasons,
        "starts_at": r.starts_at,
        "review_at": r.review_at,
        "review_rule": r.review_rule,
        "reviewed_at": r.reviewed_at,
        "review_count": r.review_count,
        "lifted_at": r.lifted_at,
        "lifted_reasons": r.lifted_reasons or None,
        "affected": len(affected_person_ids(r)) if r.lifted_at is None else None,
    }


@me_offices.post("/{term_id}/resign", response={200: dict[str, Any], **ERRORS}, summary="Resign my office")
def resign(request: HttpRequest, term_id: int, data: ResignIn) -> dict[str, Any]:
    """Resign one of your own offices, with effect now. Send `"confirm": true`; you are emailed a confirmation."""
    actor = actor_of(request)
    term = own_term_get(actor=actor, term_id=term_id)
    return term_out(office_resign(actor=actor, term=term, confirm=data.confirm, reason=data.reason))


@offices.post(
    "/{term_id}/body-decision", response={200: dict[str, Any], **ERRORS}, summary="Record a body's decision"
)
def body_decision(request: HttpRequest, term_id: int, data: BodyDecisionIn) -> dict[str, Any]:
    """Record the decision of the body that appoints to this office to end the term: body, date, reasons.
    Needs `offices.manage` over the office's unit. The holder is emailed the decision and how to contest it."""
    actor = actor_of(request)
    term = office_term_get(actor=actor, term_id=term_id)
    body = appointing_body_get(term=term, body_id=data.body)
    ended = office_end_by_decision(
        actor=actor, term=term, body=body, decided_on=data.decided_on, reasons=data.reasons
    )
    return term_out(ended)


@restrictions.get("", response={200: list[dict[str, Any]], **ERRORS}, summary="Restrictions in scope")
def restrictions_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Restrictions of access over units where you hold `access.restrict`."""
    return [restriction_out(r) for r in restrictions_in_scope(actor=actor_of(request))]


@restrictions.post("", response={201: dict[str, Any], **ERRORS}, summary="Restrict access")
def restrictions_impose(request: HttpRequest, data: RestrictionIn) -> Status[dict[str, Any]]:
    """Restrict one officer's (`person`) or every office holder's access to personal data in `unit`, with
    reasons and a review date within the rulebook's `access.restriction_review_max`."""
    actor = actor_of(request)
    unit = unit_get(actor=actor, unit_id=data.unit, perm=Perm.ACCESS_RESTRICT)
    person = holder_for_restriction(actor=actor, person_id=data.person) if data.person is not None else None
    made = restriction_impose(
        actor=actor, unit=unit, person=person, reasons=data.reasons, review_at=data.review_at
    )
    return Status(201, restriction_out(made))


@restrictions.get("/{restriction_id}", response={200: dict[str, Any], **ERRORS}, summary="One restriction")
def restrictions_get(request: HttpRequest, restriction_id: int) -> dict[str, Any]:
    return restriction_out(restriction_get(actor=actor_of(request), restriction_id=restriction_id))


@restrictions.post(
    "/{restriction_id}/review", response={200: dict[str, Any], **ERRORS}, summary="Review a restriction"
)
def restrictions_review(request: HttpRequest, restriction_id: int, data: ReviewIn) -> dict[str, Any]:
    """Lift it (`"lift": true`) or renew it with `next_review_at`; reasons always."""
    actor = actor_of(request)
    item = restriction_get(actor=actor, restriction_id=restriction_id)
    done = restriction_review(
        actor=actor,
        restriction=item,
        reasons=data.reasons,
        lift=data.lift,
        next_review_at=data.next_review_at,
    )
    return restriction_out(done)
