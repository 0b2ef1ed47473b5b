"""Resignations: the only way a membership ends as "resigned".

Two routes, each with a window from the rulebook before anything happens to the register:

- the member resigns from their own page (or the API). They get a confirmation email, and during the
  cooling-off window (`membership.resignation_cooling_off`) they can take it back;
- an officer with members.edit over the member records a resignation the member sent, with the letter or
  email attached (hashed and stored like case evidence). The member is told at once and can dispute it
  during `membership.resignation_dispute_window`. A disputed resignation never takes effect and stays on the
  record, visible to officers as disputed.

A pending resignation whose window has passed takes effect in `resignations_take_effect` (hourly, from the
scheduler): the status becomes "resigned", the period ends, and the member is told like at every status change.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import require, require_member
from polity.audit.services import audit_record
from polity.cases import files
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.members import notices
from polity.members.models import (
    ENDING_STATUSES,
    Person,
    Resignation,
    ResignationRoute,
    ResignationState,
    Status,
)
from polity.members.services import _apply_status, _is_self
from polity.outbox.rendering import literal
from polity.rulebook.loader import get_rulebook

COOLING_OFF = "membership.resignation_cooling_off"
DISPUTE_WINDOW = "membership.resignation_dispute_window"
LETTER_DIR = "members/resignations"
# A stored letter no row refers to is deleted once it is this old (a crash between writing and committing).
ORPHAN_GRACE = timedelta(hours=1)


def _org() -> str:
    return get_rulebook().name


def _still_member(person: Person) -> None:
    if person.status in ENDING_STATUSES:
        raise DomainError(f"this membership has already ended ({Status(person.status).label.lower()})")


def _no_pending(person: Person) -> None:
    if Resignation.objects.filter(person=person, state=ResignationState.PENDING).exists():
        raise DomainError("a resignation is already pending for this member")


def _tell(actor: Actor, resignation: Resignation, subject: str, body: str) -> None:
    resignation.notice_dispatch_id = notices.send(
        actor=actor,
        person_ids=[resignation.person_id],
        subject=subject,
        body=body,
        source_type=notices.RESIGNATION_SOURCE,
        source_id=resignation.pk,
    )
    resignation.save(update_fields=["notice_dispatch_id"])


def _audit(actor: Actor, verb: str, resignation: Resignation, **data: object) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        subjects=[resignation.person_id],
        object_type="members.resignation",
        object_id=resignation.pk,
        data={"route": resignation.route, "state": resignation.state, **data},
    )


def resignation_request(*, actor: Actor, person: Person, reason: str = "") -> Resignation:
    """The member resigns. Nothing changes on the register until the cooling-off window has passed."""
    require_member(actor, person)
    if not _is_self(actor, person):
        raise Forbidden(
            "only the member resigns from their own page; an officer records a resignation the member sent, "
            "with the letter or email attached"
        )
    rule = get_rulebook().rule(COOLING_OFF)
    now = timezone.now()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _still_member(person)
        _no_pending(person)
        resignation = Resignation.objects.create(
            person=person,
            route=ResignationRoute.SELF,
            reason=reason.strip()[:500],
            received_on=timezone.localdate(now),
            created_at=now,
            created_by=actor.label,
            window_ends_at=rule.add_to(now),
            rule=rule.key,
            rule_version=rule.version,
        )
        _audit(actor, "member.resignation_request", resignation, rule=rule.key, version=rule.version)
        _tell(
            actor,
            resignation,
            f"Your resignation from {_org()}: you can take it back until {notices.when(resignation.window_ends_at)}",
            "Dear {{ first_name }},\n\n"
            f"We received your resignation on {resignation.received_on:%-d %B %Y}. It takes effect on "
            f"{notices.when(resignation.window_ends_at)}, when your membership ends.\n\n"
            "Until then you can take it back from your membership page (My membership, then "
            "'Take my resignation back'); nothing changes before that time. Once it has taken effect you "
            "can rejoin at any time by renewing from your membership page.\n\n"
            "If you did not ask to resign, take it back now and tell your membership officer.",
        )
    return resignation


def resignation_withdraw(*, actor: Actor, resignation: Resignation) -> Resignation:
    """The member takes back their own resignation during the cooling-off window."""
    with transaction.atomic():
        resignation = _mine_locked(actor, resignation.pk)
        if resignation.route != ResignationRoute.SELF:
            raise DomainError(
                "a resignation an officer recorded from your letter is disputed, not taken back"
            )
        _open_window(resignation, "take it back")
        resignation.state = ResignationState.WITHDRAWN
        resignation.closed_at = timezone.now()
        resignation.closed_by = actor.label
        resignation.save(update_fields=["state", "closed_at", "closed_by"])
        _audit(actor, "member.resignation_withdraw", resignation)
        _tell(
            actor,
            resignation,
            f"Your {_org()} membership continues: resignation taken back",
            "Dear {{ first_name }},\n\n"
            f"You took back your resignation of {resignation.received_on:%-d %B %Y} on "
            f"{notices.when(resignation.closed_at)}. Your membership continues as before.",
        )
    return resignation


def _digest(upload: File[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def resignation_record(
    *, actor: Actor, person: Person, letter: File[bytes] | None, received_on: date, note: str = ""
) -> Resignation:
    """An officer records a resignation the member sent, with the letter or email attached as evidence.
    The member is told at once and may dispute it during the rulebook's window; undisputed, it takes effect."""
    require_member(actor, person)
    require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit, visible=False)
    if _is_self(actor, person):
        raise Forbidden("to resign yourself, use your own membership page")
    if letter is None:
        raise InvalidInput(
            "letter: attach the member's letter or email: a resignation is recorded only from it"
        )
    sha256, size = _digest(letter)
    if size == 0:
        raise InvalidInput("letter: the file is empty")
    limit = int(settings.POLITY_EVIDENCE_MAX_BYTES)  # the same operational limit as case evidence
    if size > limit:
        raise InvalidInput(f"letter: files are at most {limit // (1024 * 1024)} MB")
    today = timezone.localdate()
    if received_on > today:
        raise InvalidInput("received_on: a letter cannot be received in the future")
    rule = get_rulebook().rule(DISPUTE_WINDOW)
    now = timezone.now()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _still_member(person)
        _no_pending(person)
        resignation = Resignation(
            person=person,
            route=ResignationRoute.LETTER,
            reason=note.strip()[:500],
            received_on=received_on,
            created_at=now,
            created_by=actor.label,
            window_ends_at=rule.add_to(now),
            rule=rule.key,
            rule_version=rule.version,
            letter_name=(getattr(letter, "name", "") or "letter").rsplit("/", 1)[-1][:200],
            letter_sha256=sha256,
            letter_size=size,
        )
        # Stored under a neutral name (the original may carry personal data); deleted again on rollback.
        files.write(resignation.letter, f"{person.pk}-{sha256[:16]}.bin", letter)
        resignation.save()
        _audit(
            actor,
            "member.resignation_record",
            resignation,
            sha256=sha256,
            size=size,
            rule=rule.key,
            version=rule.version,
        )
        _tell(
            actor,
            resignation,
            f"A resignation from {_org()} was recorded for you: dispute it by {notices.when(resignation.window_ends_at)}",
            "Dear {{ first_name }},\n\n"
            f"A membership officer recorded your resignation, from a letter or email received on "
            f"{received_on:%-d %B %Y}. You can read the letter on your membership page.\n\n"
            f"If you did not resign, or do not want to, dispute it from your membership page before "
            f"{notices.when(resignation.window_ends_at)}: it will then not take effect, and you stay a member.\n\n"
            f"Otherwise your membership ends on {notices.when(resignation.window_ends_at)}. You can rejoin at any "
            "time by renewing from your membership page.",
        )
    return resignation


def resignation_dispute(*, actor: Actor, resignation: Resignation, reason: str) -> Resignation:
    """The member disputes a resignation an officer recorded, during the window. It never takes effect."""
    if not reason.strip():
        raise InvalidInput("reason: say why you dispute it (for example: I did not send that letter)")
    with transaction.atomic():
        resignation = _mine_locked(actor, resignation.pk)
        if resignation.route != ResignationRoute.LETTER:
            raise DomainError("your own resignation is taken back, not disputed")
        _open_window(resignation, "dispute it")
        resignation.state = ResignationState.DISPUTED
        resignation.dispute = reason.strip()[:1000]
        resignation.closed_at = timezone.now()
        resignation.closed_by = actor.label
        resignation.save(update_fields=["state", "dispute", "closed_at", "closed_by"])
        _audit(actor, "member.resignation_dispute", resignation)
        _tell(
            actor,
            resignation,
            f"Your {_org()} membership continues: resignation disputed",
            "Dear {{ first_name }},\n\n"
            f"You disputed the resignation recorded for you from a letter or email received on "
            f"{resignation.received_on:%-d %B %Y}. It will not take effect: your membership continues, and the "
            "officers of your branch see the resignation as disputed.\n\n"
            f"What you said: {literal(resignation.dispute)}",
        )
    return resignation


def _mine_locked(actor: Actor, resignation_id: int) -> Resignation:
    """One of the actor's own resignations, locked. Anyone else's answers like a missing one (404)."""
    if actor.person_id is None or actor.is_system:
        raise NotVisible("not found")
    found = (
        Resignation.objects.select_for_update()
        .filter(pk=resignation_id, person_id=actor.person_id)
        .select_related("person")
        .first()
    )
    if found is None:
        raise NotVisible("not found")
    return found


def _open_window(resignation: Resignation, what: str) -> None:
    if resignation.state != ResignationState.PENDING:
        raise DomainError(
            f"this resignation is no longer pending ({resignation.get_state_display().lower()})"
        )
    if timezone.now() >= resignation.window_ends_at:
        raise DomainError(
            f"the window to {what} ended on {notices.when(resignation.window_ends_at)}, as the rulebook sets it; "
            "the resignation takes effect"
        )


def resignations_take_effect(*, actor: Actor, now: datetime | None = None) -> dict[str, int]:
    """Pending resignations whose window has passed take effect: status "resigned", period ended, member told.
    A membership that ended another way meanwhile makes the resignation void. System only (the scheduler)."""
    if not actor.is_system:
        raise Forbidden("only the system applies resignations")
    now = now or timezone.now()
    counts = {"effective": 0, "void": 0}
    due = Resignation.objects.filter(state=ResignationState.PENDING, window_ends_at__lte=now)
    for resignation_id in list(due.order_by("window_ends_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            resignation = (
                Resignation.objects.select_for_update()
                .filter(pk=resignation_id, state=ResignationState.PENDING)
                .select_related("person")
                .first()
            )
            if resignation is None:
                continue
            person = resignation.person
            if person.status in ENDING_STATUSES:
                resignation.state = ResignationState.VOID
            else:
                how = (
                    "own resignation"
                    if resignation.route == ResignationRoute.SELF
                    else "resignation by letter, not disputed"
                )
                _apply_status(
                    actor=actor,
                    person=person,
                    status=Status.RESIGNED,
                    reason=f"{how} of {resignation.received_on:%-d %B %Y}",
                    on=timezone.localdate(now),
                )
                resignation.state = ResignationState.EFFECTIVE
            resignation.closed_at = now
            resignation.closed_by = actor.label
            resignation.save(update_fields=["state", "closed_at", "closed_by"])
            _audit(actor, "member.resignation_take_effect", resignation)
            counts[resignation.state] += 1
    counts["letters_swept"] = _sweep_letters(now)
    return counts


def _sweep_letters(now: datetime) -> int:
    """Delete stored letters no row refers to, older than ORPHAN_GRACE (left by a crash before commit)."""
    cutoff = now - ORPHAN_GRACE
    deleted = 0
    for name, modified in files.stored(default_storage, LETTER_DIR):
        if modified >= cutoff or Resignation.objects.filter(letter=name).exists():
            continue
        deleted += files.delete(default_storage, name)
    return deleted
