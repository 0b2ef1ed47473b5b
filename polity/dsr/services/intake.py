"""Requests arrive three ways: the member's own page (signed in: no identity check), the data protection
officer entering a letter or email (identity checked only when needed, with what was seen), and the public
form for non-members and former members (the email address confirmed first)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.deadlines.services import deadline_open
from polity.dsr import clock
from polity.dsr.mail import LINK, base_url, tell_pending, tell_requester
from polity.dsr.models import Channel, Kind, Pause, PendingRequest, Request, State
from polity.dsr.services.common import recompute_due, require_dpo, response_rule_key, root_unit
from polity.members.models import Person
from polity.rulebook.loader import get_rulebook

EMAIL_VERIFICATION = "subject_access.email_verification"
EMAIL_REQUESTS_PER_DAY = "subject_access.email_requests_per_day"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean(kind: str, details: str, purposes: list[str] | tuple[str, ...]) -> tuple[str, list[str]]:
    if kind not in Kind.values:
        raise InvalidInput(f"kind: one of {', '.join(Kind.values)}")
    details = details.strip()
    book = get_rulebook()
    wanted = [p for p in purposes if p]
    unknown = [p for p in wanted if p not in book.purposes]
    if unknown:
        raise InvalidInput(f"purposes: no use of data called {', '.join(unknown)}")
    if kind in {Kind.RECTIFICATION, Kind.COMPLAINT} and not details:
        raise InvalidInput(
            "details: say what is wrong" if kind == Kind.RECTIFICATION else "details: say what happened"
        )
    if kind in {Kind.OBJECTION, Kind.RESTRICTION} and not wanted and not details:
        raise InvalidInput("purposes: name the use of your data you object to, or describe it")
    return details, wanted


def _create(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    person: Person | None,
    received_on: date,
    details: str,
    purposes: list[str],
    requester_name: str = "",
    requester_email: str = "",
    identity_needed: bool = False,
    identity_evidence: str = "",
) -> Request:
    now = timezone.now()
    rule = get_rulebook().rule(response_rule_key(kind))
    first = rule.add_to(received_on)
    request = Request.objects.create(
        reference=f"new-{secrets.token_hex(6)}",
        kind=kind,
        channel=channel,
        person=person,
        requester_name=requester_name[:200],
        requester_email=requester_email.strip(),
        details=details,
        purposes=purposes,
        received_on=received_on,
        received_at=now,
        identity_needed=identity_needed,
        identity_evidence=identity_evidence[:500],
        identity_checked_at=now if identity_needed and identity_evidence else None,
        identity_checked_by=actor.label if identity_needed and identity_evidence else "",
        first_due_on=first,
        due_on=first,
        rule=f"{rule.key}@{rule.version}",
        created_by=actor.label,
    )
    request.reference = f"DSR-{received_on.year}-{request.pk:05d}"
    if identity_needed and not identity_evidence:
        request.state = State.AWAITING_IDENTITY
        Pause.objects.create(
            request=request,
            why=State.AWAITING_IDENTITY,
            asked="Proof of identity, before any data is sent",
            started_on=received_on,
            started_by=actor.label,
        )
        recompute_due(request, clock.local_today())
    deadline = deadline_open(
        actor=actor,
        rule_key=rule.key,
        start=received_on,
        owner_unit=root_unit(),
        subject_type="dsr.request",
        subject_id=request.pk,
        title=f"Answer data protection request {request.reference} ({Kind(kind).label.lower()})",
    )
    request.deadline = deadline
    request.save()
    if request.due_on != first:
        from polity.deadlines.services import deadline_move

        deadline_move(actor=actor, deadline=deadline, due_at=clock.end_of_day(request.due_on), why="paused")
    audit_record(
        actor=actor,
        verb="dsr.request_create",
        subjects=[person.pk] if person is not None else [],
        purpose="data subject request",
        object_type="dsr.request",
        object_id=request.pk,
        data={"kind": kind, "channel": channel, "due_on": request.due_on.isoformat(), "state": request.state},
    )
    what = Kind(kind).label
    tell_requester(
        actor=actor,
        request=request,
        subject=f"We received your request {request.reference}",
        body=(
            f"We received your request ({what.lower()}) on {received_on:%d %B %Y}, reference {request.reference}.\n\n"
            + (
                "Before we can go on we need proof of your identity: please reply with it. The time we have to "
                "answer does not run while we wait.\n\n"
                if request.state == State.AWAITING_IDENTITY
                else f"The law gives us until {request.due_on:%d %B %Y} to answer. "
            )
            + "You can follow it on your page under My data, or on the link we sent you."
        ),
    )
    return request


def request_submit_own(
    *,
    actor: Actor,
    kind: str,
    details: str = "",
    purposes: list[str] | tuple[str, ...] = (),
    channel: str = Channel.SELF,
) -> Request:
    """A member asks from their own page (or the API): signed in, so no identity check."""
    if actor.person_id is None:
        raise NotVisible("not found")
    details, wanted = _clean(kind, details, purposes)
    person = Person.objects.get(pk=actor.person_id)
    with transaction.atomic():
        return _create(
            actor=actor,
            kind=kind,
            channel=channel,
            person=person,
            received_on=clock.local_today(),
            details=details,
            purposes=wanted,
        )


def request_record(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    received_on: date,
    person: Person | None = None,
    requester_name: str = "",
    requester_email: str = "",
    details: str = "",
    purposes: list[str] | tuple[str, ...] = (),
    identity_needed: bool = False,
    identity_evidence: str = "",
) -> Request:
    """The data protection officer enters a request that came by letter or email. When the identity of the
    sender is in doubt the DPO says so: with what was seen, it is recorded as checked; without, the clock
    waits for proof."""
    require_dpo(actor)
    if channel not in {Channel.LETTER, Channel.EMAIL}:
        raise InvalidInput("channel: a letter or an email")
    if received_on > clock.local_today():
        raise InvalidInput("received_on: a request cannot be received in the future")
    if person is None and not requester_email.strip():
        raise InvalidInput("person: name the member, or give the sender's email address")
    if person is None and not requester_name.strip():
        raise InvalidInput("requester_name: the sender's name")
    details, wanted = _clean(kind, details, purposes)
    with transaction.atomic():
        return _create(
            actor=actor,
            kind=kind,
            channel=channel,
            person=person,
            received_on=received_on,
            details=details,
            purposes=wanted,
            requester_name=requester_name.strip() or (person.full_name if person else ""),
            requester_email=requester_email,
            identity_needed=identity_needed,
            identity_evidence=identity_evidence.strip(),
        )


def request_public_start(
    *, kind: str, name: str, email: str, details: str = "", membership_number: str = ""
) -> PendingRequest:
    """Anyone may ask; the request counts from the day its sender confirms the address."""
    if not (name.strip() and email.strip()):
        raise InvalidInput("name and email are both needed")
    details, _wanted = _clean(kind, details, ())
    book = get_rulebook()
    now = timezone.now()
    recent = PendingRequest.objects.filter(
        requester_email__iexact=email.strip(), created_at__gte=now - timedelta(days=1)
    )
    if recent.count() >= book.number(EMAIL_REQUESTS_PER_DAY):
        raise DomainError("too many unconfirmed requests from this address today: confirm one first")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        pending = PendingRequest.objects.create(
            kind=kind,
            requester_name=name.strip()[:200],
            requester_email=email.strip(),
            details=details,
            membership_number=membership_number.strip()[:20],
            confirm_digest=digest(token),
            created_at=now,
            expires_at=book.rule(EMAIL_VERIFICATION).add_to(timezone.localtime(now)),
        )
        audit_record(
            actor=Actor.system("public data request"),
            verb="dsr.public_start",
            object_type="dsr.pending",
            object_id=pending.pk,
            data={"kind": kind},
        )
        tell_pending(
            actor=Actor.system("public data request"),
            pending=pending,
            subject="Confirm your data protection request",
            body=(
                "Someone, we hope you, asked the party about the personal data it holds, from this address.\n\n"
                f"To confirm the request, open:\n{LINK}\n\nIf it was not you, ignore this message: nothing "
                f"happens unless the link is used before {timezone.localtime(pending.expires_at):%d %B %Y %H:%M}."
            ),
            link=f"{base_url()}/data/request/confirm/{token}/",
        )
    return pending


def request_public_confirm(*, token: str) -> tuple[Request, str]:
    """Open the request for a confirmed address. Returns it and the secret of the requester's follow link.

    The address was proved, so a register entry with that same address is the requester's; a former member
    whose entry has another address is found by the DPO from the details they gave."""
    now = timezone.now()
    system = Actor.system("public data request")
    with transaction.atomic():
        pending = PendingRequest.objects.select_for_update().filter(confirm_digest=digest(token)).first()
        if pending is None or pending.expires_at < now:
            raise NotVisible("not found")
        if pending.request_id is not None:
            raise DomainError("this request was already confirmed: follow it on the link you were sent")
        person = None
        matches = list(Person.objects.filter(email__iexact=pending.requester_email)[:2])
        if len(matches) == 1 and (
            not pending.membership_number or matches[0].membership_number == pending.membership_number
        ):
            person = matches[0]
        request = _create(
            actor=system,
            kind=pending.kind,
            channel=Channel.PUBLIC,
            person=person,
            received_on=clock.local_today(),
            details=pending.details,
            purposes=[],
            requester_name=pending.requester_name,
            requester_email=pending.requester_email,
        )
        follow = secrets.token_urlsafe(32)
        pending.request = request
        pending.follow_digest = digest(follow)
        pending.save(update_fields=["request", "follow_digest"])
    return request, follow
