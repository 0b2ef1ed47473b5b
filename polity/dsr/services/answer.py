"""Answering: the access package (redactions decided, files made, a link that expires), erasure,
rectification, restriction and objection, and closing a request with what was done."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.consent.services import suppression_add
from polity.deadlines.services import deadlines_meet_for
from polity.dsr import clock, redaction
from polity.dsr.mail import LINK, base_url, tell_requester
from polity.dsr.models import (
    PAUSED_STATES,
    Anonymised,
    Delivery,
    Erasure,
    Kind,
    ProcessingStop,
    Redaction,
    Request,
    State,
)
from polity.dsr.package import assemble, subject_of
from polity.dsr.registry import Holding, holding, holdings
from polity.dsr.render import render_archive, render_pdf
from polity.dsr.services.common import locked, require_dpo, require_open
from polity.members.models import ENDING_STATUSES
from polity.rulebook.loader import get_rulebook

DOWNLOAD_LINK = "subject_access.download_link"


def _subjects(request: Request) -> list[int]:
    return [request.person_id] if request.person_id else []


def _close(actor: Actor, request: Request, state: str, answer: str) -> Request:
    """Close inside the caller's transaction: the answer, whether it was on time, the deadline met."""
    now = timezone.now()
    request.state = state
    request.closed_at = now
    request.closed_by = actor.label
    request.answer = answer
    request.on_time = clock.local_today(now) <= request.due_on
    request.save()
    deadlines_meet_for(
        actor=actor, subject_type="dsr.request", subject_id=request.pk, rule_key=request.rule.split("@")[0]
    )
    audit_record(
        actor=actor,
        verb="dsr.request_close",
        subjects=_subjects(request),
        purpose="data subject request",
        object_type="dsr.request",
        object_id=request.pk,
        data={"state": state, "on_time": request.on_time},
    )
    return request


def _require_answerable(request: Request) -> None:
    require_open(request)
    if request.state in PAUSED_STATES:
        raise DomainError("the clock is stopped waiting for the requester: resume the request first")


# --- redactions ---------------------------------------------------------------------------------------


def redaction_decide(
    *, actor: Actor, request: Request, holding_key: str, ref: str, field: str, text: str = "", reason: str,
    lift: bool = False, note: str = "",
) -> Redaction:  # fmt: skip
    """Add a redaction (with a reason from the fixed list), or lift one the registry proposed. Recorded."""
    require_dpo(actor)
    if reason not in redaction.REASONS:
        raise InvalidInput(f"reason: one of {', '.join(redaction.REASONS)}")
    try:
        holding(holding_key)
    except KeyError:
        raise InvalidInput("holding: no such kind of data") from None
    if not ref or not field:
        raise InvalidInput("field: say which record and field")
    if lift and not note.strip():
        raise InvalidInput("note: say why this is disclosed after all (e.g. the person agreed)")
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        row, _created = Redaction.objects.update_or_create(
            request=request,
            holding=holding_key,
            ref=ref,
            field=field,
            text=text.strip()[:300],
            defaults={
                "reason": reason,
                "lifted": lift,
                "note": note.strip()[:500],
                "decided_at": timezone.now(),
                "decided_by": actor.label,
            },
        )
        audit_record(
            actor=actor,
            verb="dsr.redaction_lift" if lift else "dsr.redaction_add",
            subjects=_subjects(request),
            purpose="data subject request",
            object_type="dsr.request",
            object_id=request.pk,
            data={"holding": holding_key, "ref": ref, "field": field, "reason": reason},
        )
    return row


def redaction_undo(*, actor: Actor, request: Request, redaction_id: int) -> None:
    """Take back a decision: an added redaction goes, a lifted one stands again. Recorded."""
    require_dpo(actor)
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        row = Redaction.objects.filter(request=request, pk=redaction_id).first()
        if row is None:
            raise NotVisible("not found")
        audit_record(
            actor=actor,
            verb="dsr.redaction_undo",
            subjects=_subjects(request),
            purpose="data subject request",
            object_type="dsr.request",
            object_id=request.pk,
            data={"holding": row.holding, "ref": row.ref, "field": row.field, "was_lift": row.lifted},
        )
        row.delete()


# --- the package --------------------------------------------------------------------------------------


def link_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def package_send(*, actor: Actor, request: Request, note: str = "") -> tuple[Delivery, str]:
    """Assemble the package with the decided redactions, store it as a PDF and an archive, send the
    requester a link that expires, and answer the request. Returns the delivery and the link's token."""
    require_dpo(actor)
    if request.kind not in {Kind.ACCESS, Kind.PORTABILITY}:
        raise DomainError("a package answers an access or portability request")
    book = get_rulebook()
    link_rule = book.rule(DOWNLOAD_LINK)
    with transaction.atomic():
        request = locked(request)
        _require_answerable(request)
        package = assemble(subject_of(request), request=request)
        pdf, archive = render_pdf(package), render_archive(package)
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        delivery = Delivery(
            request=request,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            archive_sha256=hashlib.sha256(archive).hexdigest(),
            records=package.record_count,
            redactions=len(package.withheld),
            link_digest=link_digest(token),
            expires_at=link_rule.add_to(timezone.localtime(now)),
            created_at=now,
            created_by=actor.label,
        )
        delivery.pdf.save(f"{request.reference}.pdf", ContentFile(pdf), save=False)
        delivery.archive.save(f"{request.reference}.zip", ContentFile(archive), save=False)
        delivery.save()
        link = f"{base_url()}/data/download/{token}/"
        answer = (
            f"Your data was sent: {package.record_count} records from {len(package.sections)} parts of the system, "
            f"{len(package.withheld)} pieces withheld, each with its reason."
            + (f"\n\n{note.strip()}" if note.strip() else "")
        )
        _close(actor, request, State.ANSWERED, answer)
        audit_record(
            actor=actor,
            verb="dsr.package_send",
            subjects=_subjects(request),
            purpose="data subject request",
            object_type="dsr.delivery",
            object_id=delivery.pk,
            data={
                "records": package.record_count,
                "withheld": len(package.withheld),
                "pdf": delivery.pdf_sha256,
            },
        )
        tell_requester(
            actor=actor,
            request=request,
            subject=f"Your data: request {request.reference}",
            body=(
                f"{answer}\n\nDownload it here until {timezone.localtime(delivery.expires_at):%d %B %Y}: {LINK}\n"
                "You will find a PDF to read and an archive (JSON and CSV) for a computer.\n\nIf you are unhappy "
                "with our answer you may complain to the Information Commissioner's Office (ico.org.uk)."
            ),
            link=link,
        )
    return delivery, token


def delivery_download(*, token: str, which: str) -> tuple[Delivery, bytes, str]:
    """The requester opens their link: the file's bytes and name. Expired or unknown: not found. Recorded."""
    if which not in {"pdf", "archive"}:
        raise NotVisible("not found")
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("request")
            .filter(link_digest=link_digest(token))
            .first()
        )
        if delivery is None or delivery.expires_at < now:
            raise NotVisible("not found")
        delivery.downloads += 1
        delivery.first_downloaded_at = delivery.first_downloaded_at or now
        delivery.save(update_fields=["downloads", "first_downloaded_at"])
        audit_record(
            actor=Actor.system("download link"),
            verb="dsr.package_download",
            subjects=_subjects(delivery.request),
            purpose="data subject request",
            object_type="dsr.delivery",
            object_id=delivery.pk,
            data={"which": which},
        )
    field = delivery.pdf if which == "pdf" else delivery.archive
    with field.open("rb") as f:
        content = f.read()
    return delivery, content, f"{delivery.request.reference}.{'pdf' if which == 'pdf' else 'zip'}"


# --- erasure ------------------------------------------------------------------------------------------


def erase_people(person_ids: list[int], emails: list[str]) -> dict[str, int]:
    """Run every registered holding's erasure on these people. Inside the caller's transaction."""
    counts: dict[str, int] = {}
    for h in holdings():
        if h.on_erasure == "anonymise" and h.erase is not None:
            counts[h.key] = h.erase(person_ids, emails)
    return counts


def request_erase(*, actor: Actor, request: Request) -> Erasure:
    """Erase what has no reason to be kept, keep what the law requires, suppress the addresses so no later
    import brings them back, and tell the requester what was kept and why."""
    require_dpo(actor)
    if request.kind != Kind.ERASURE:
        raise DomainError("this is not an erasure request")
    with transaction.atomic():
        request = locked(request)
        _require_answerable(request)
        person = request.person
        if person is not None and person.status not in ENDING_STATUSES:
            raise DomainError(
                "a current member's register entry is what their membership is: they resign first, then the "
                "entry can be erased (tell them so in the answer)"
            )
        emails = sorted({e.lower() for e in [request.requester_email, person.email if person else ""] if e})
        if not request.requester_email and emails:
            request.requester_email = emails[
                0
            ]  # the answer must still reach them once the register forgets it
        phones = [person.phone] if person is not None and person.phone else []
        system = Actor.system(f"erasure by {actor.label}")  # suppression is the system's; the DPO was checked
        for email in emails:
            suppression_add(
                actor=system, kind="email", address=email, scope="all", reason=f"erased: {request.reference}"
            )
        for phone in phones:
            suppression_add(
                actor=system, kind="phone", address=phone, scope="all", reason=f"erased: {request.reference}"
            )
        counts = erase_people([person.pk] if person else [], emails)
        if person is not None:
            Anonymised.objects.get_or_create(
                person_id_anonymised=person.pk, defaults={"at": timezone.now(), "why": "erasure"}
            )
        kept = [
            [h.title, h.kept_because] for h in holdings() if h.on_erasure == "keep" and _holds(h, request)
        ]
        erasure = Erasure.objects.create(
            request=request,
            person_id_erased=person.pk if person else 0,
            erased_at=timezone.now(),
            counts=counts,
            kept=kept,
        )
        kept_text = "\n".join(f"- {title}: {why}" for title, why in kept) or "- Nothing."
        answer = (
            "Your data was erased or anonymised, and your addresses were put on our suppression list so that no "
            "later import can bring them back.\n\nWhat we kept, and why:\n" + kept_text
        )
        _close(actor, request, State.ANSWERED, answer)
        audit_record(
            actor=actor,
            verb="dsr.erase",
            subjects=_subjects(request),
            purpose="data subject request",
            object_type="dsr.request",
            object_id=request.pk,
            data={"counts": counts, "kept": [k[0] for k in kept]},
        )
        tell_requester(
            actor=actor,
            request=request,
            subject=f"Your data was erased: request {request.reference}",
            body=answer,
        )
    return erasure


def _holds(h: Holding, request: Request) -> bool:
    return next(iter(h.records(subject_of(request))), None) is not None


# --- restriction and objection ------------------------------------------------------------------------


def request_stop_processing(
    *, actor: Actor, request: Request, purposes: list[str] | None = None, reasons: str = ""
) -> ProcessingStop:
    """Restriction or objection: stop the uses of the person's data the request names. Sending checks
    it (polity.consent.checks) for every purpose the person may refuse; uses they may not refuse
    (statutory and governance notices) are refused here with the reason."""
    require_dpo(actor)
    if request.kind not in {Kind.RESTRICTION, Kind.OBJECTION}:
        raise DomainError("this is not a restriction or objection request")
    if request.person_id is None:
        raise DomainError("the requester is not on the register: no message goes to them anyway")
    book = get_rulebook()
    wanted = list(purposes if purposes is not None else request.purposes)
    if not wanted:
        raise InvalidInput("purposes: name the uses of data to stop")
    unknown = [p for p in wanted if p not in book.purposes]
    if unknown:
        raise InvalidInput(f"purposes: no use of data called {', '.join(unknown)}")
    cannot = [p for p in wanted if not book.purposes[p].may_refuse]
    if cannot:
        raise DomainError(
            f"{', '.join(book.purposes[p].label for p in cannot)}: the law or the rules require these; they "
            "cannot be stopped by objection (say so in the answer)"
        )
    with transaction.atomic():
        request = locked(request)
        _require_answerable(request)
        assert request.person_id is not None
        stop = ProcessingStop.objects.create(
            person_id=request.person_id,
            request=request,
            kind=request.kind,
            purposes=wanted,
            starts_at=timezone.now(),
            created_by=actor.label,
        )
        words = ", ".join(book.purposes[p].label.lower() for p in wanted)
        answer = (
            f"We stopped using your data for: {words}. Every message is checked against this when it is sent."
            + (f"\n\n{reasons.strip()}" if reasons.strip() else "")
        )
        _close(actor, request, State.ANSWERED, answer)
        audit_record(
            actor=actor,
            verb="dsr.stop_processing",
            subjects=_subjects(request),
            purpose="data subject request",
            object_type="dsr.request",
            object_id=request.pk,
            data={"purposes": wanted, "kind": request.kind},
        )
        tell_requester(
            actor=actor,
            request=request,
            subject=f"Your request {request.reference} was answered",
            body=answer,
        )
    return stop


# --- rectification and plain answers ------------------------------------------------------------------


def request_answer(*, actor: Actor, request: Request, answer: str) -> Request:
    """Answer with what was done (a rectification made through the member services, a complaint
    acknowledged and answered). The text is sent to the requester."""
    require_dpo(actor)
    if not answer.strip():
        raise InvalidInput("answer: say what was done")
    with transaction.atomic():
        request = locked(request)
        _require_answerable(request)
        _close(actor, request, State.ANSWERED, answer.strip())
        tell_requester(
            actor=actor,
            request=request,
            subject=f"Your request {request.reference} was answered",
            body=answer.strip(),
        )
    return request


def request_refuse(*, actor: Actor, request: Request, reasons: str) -> Request:
    """Refuse (manifestly unfounded or excessive), with reasons and the right to complain to the ICO."""
    require_dpo(actor)
    if not reasons.strip():
        raise InvalidInput("reasons: a refusal says why")
    body = f"{reasons.strip()}\n\nYou may complain to the Information Commissioner's Office (ico.org.uk) about this refusal."
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        _close(actor, request, State.REFUSED, body)
        tell_requester(actor=actor, request=request, subject=f"Your request {request.reference}", body=body)
    return request


def request_withdraw(*, actor: Actor, request: Request) -> Request:
    """The requester takes their request back, from their own page."""
    if actor.person_id is None or request.person_id != actor.person_id:
        raise NotVisible("not found")
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        return _close(actor, request, State.WITHDRAWN, "Withdrawn by the requester.")


def rectification_apply(
    *, actor: Actor, request: Request, changes: dict[str, str], at: datetime | None = None
) -> Request:
    """Correct the register through the member services (the change lands on the member's history), then
    answer the request with what changed."""
    from polity.members.services import member_correct

    require_dpo(actor)
    if request.kind != Kind.RECTIFICATION or request.person is None:
        raise DomainError("this is not a rectification request about a member")
    if not changes:
        raise InvalidInput("changes: say what to correct")
    with transaction.atomic():
        request = locked(request)
        _require_answerable(request)
        assert request.person is not None
        member_correct(
            actor=actor, person=request.person, reason=f"rectification {request.reference}", **changes
        )
        words = ", ".join(k.replace("_", " ") for k in sorted(changes))
        answer = f"We corrected your {words} as you asked."
        _close(actor, request, State.ANSWERED, answer)
        tell_requester(
            actor=actor,
            request=request,
            subject=f"Your request {request.reference} was answered",
            body=answer,
        )
    return request
