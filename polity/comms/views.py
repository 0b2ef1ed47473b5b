"""Web pages: my consents; audiences (create, preview counts); messages (compose, send, approve).

Every page shows counts and names of units, never a member's address.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from polity.common.errors import InvalidInput
from polity.comms.continuity import governance_notice_request
from polity.comms.drafts import message_delete, message_test_send, message_update
from polity.comms.forms import (
    AudienceForm,
    ConsentForm,
    MessageForm,
    NoticeRequestForm,
    OfficerConsentForm,
    PreviewAsForm,
    PreviewForm,
    RefuseForm,
    SenderForm,
)
from polity.comms.merge import preview as merge_preview
from polity.comms.models import Message
from polity.comms.plan import approval_plan, edit_refusal, may_edit, may_send, send_plan
from polity.comms.rendering import message_context, reply_to_for, sender_for
from polity.comms.selectors import (
    audience_get,
    audience_list,
    audience_preview,
    audiences_with_authors,
    bodies_for_requests,
    bodies_in_scope,
    body_by_id,
    body_get,
    can_send_anywhere,
    default_purpose,
    meeting_get,
    meetings_for_compose,
    message_get,
    message_list,
    message_people,
    message_preview_as,
    message_report,
    message_reports,
    message_status,
    send_unit_get,
    send_units,
    unit_sender_get,
)
from polity.comms.services import (
    audience_create,
    message_approve,
    message_create,
    message_refuse,
    message_send,
    unit_sender_set,
)
from polity.consent.selectors import consent_states, my_person, person_for_consent
from polity.consent.services import consent_record, consent_wording
from polity.web.picker import bind_actor, picked
from polity.web.views.common import actor_of, web_view


@web_view
def my_consents(request: HttpRequest) -> HttpResponse:
    """The member's own consents; a POST gives or withdraws one (method: web form)."""
    actor = actor_of(request)
    person = my_person(actor=actor)
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if not form.is_valid():
            raise InvalidInput("choose a purpose, a channel and an action")
        data = form.cleaned_data
        consent_record(
            actor=actor,
            person=person,
            purpose=data["purpose"],
            channel=data["channel"],
            action=data["action"],
            method="web_form",
            wording=consent_wording(data["purpose"], data["channel"]),
        )
        flash.success(request, "Your choice is saved.")
        return redirect("comms:my_consents")
    states = [
        (s, consent_wording(s.purpose, s.channel) if s.may_refuse else "")
        for s in consent_states(actor=actor, person=person)
    ]
    return render(request, "comms/my_consents.html", {"states": states})


@web_view
def audiences(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    units = send_units(actor=actor)
    if not units:
        raise Http404("not found")
    form = AudienceForm(request.POST or None, units=units, bodies=bodies_in_scope(actor=actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        audience = audience_create(
            actor=actor,
            unit=send_unit_get(actor=actor, unit_id=int(data["unit"])),
            name=data["name"],
            units=[send_unit_get(actor=actor, unit_id=int(u)) for u in data["units"]],
            body=body_get(actor=actor, body_id=int(data["body"])) if data["body"] else None,
            body_part=data["body_part"],
            statuses=data["statuses"],
            min_days_in_arrears=data["min_days_in_arrears"],
            joined_since=data["joined_since"],
            offices=data["offices"],
        )
        return redirect("comms:audience", audience_id=audience.pk)
    rows = audiences_with_authors(audience_list(actor=actor))
    return render(request, "comms/audiences.html", {"form": form, "audiences": rows})


@web_view
def audience(request: HttpRequest, audience_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = audience_get(actor=actor, audience_id=audience_id)
    form = PreviewForm(request.GET or None, initial={"purpose": default_purpose(found)})
    purpose, channel = default_purpose(found), "email"
    if form.is_valid():
        purpose, channel = form.cleaned_data["purpose"], form.cleaned_data["channel"]
    counts = audience_preview(actor=actor, audience_id=found.pk, purpose=purpose, channel=channel)
    return render(request, "comms/audience.html", {"audience": found, "form": form, "counts": counts})


@web_view
def messages(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    found = message_list(actor=actor)
    reports = message_reports(found)
    rows = [
        (
            m,
            reports.get(m.pk),
            message_status(m, reports.get(m.pk)),
            merge_preview(m.subject, message_context(m)),
        )
        for m in found
    ]
    return render(request, "comms/messages.html", {"rows": rows})


def _refusal_on_form(form: forms.Form, error: InvalidInput) -> None:
    """A refusal "field: what is wrong" goes next to that field; anything else above the form."""
    name, sep, text = str(error).partition(": ")
    if sep and name in form.fields:
        form.add_error(name, text)
    else:
        form.add_error(None, str(error))


def _compose(request: HttpRequest, draft: Message | None) -> HttpResponse:
    """New message, or a draft edited: the form keeps what was typed when the service refuses it."""
    actor = actor_of(request)
    choices = audience_list(actor=actor)
    if draft is not None:
        initial = {f: getattr(draft, f) for f in ("purpose", "channel", "subject", "body", "scheduled_for")}
        initial["audience"] = str(draft.audience_id)
        initial["meeting"] = str(draft.meeting_id or "")
    else:
        initial = {"audience": request.GET.get("audience", "")}
    meetings = meetings_for_compose(actor=actor)
    form = MessageForm(request.POST or None, audiences=choices, meetings=meetings, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("purpose", "channel", "subject", "body", "scheduled_for")}
        try:
            fields["meeting"] = (
                meeting_get(actor=actor, meeting_id=int(data["meeting"])) if data["meeting"] else None
            )
            target = audience_get(actor=actor, audience_id=int(data["audience"]))
            if draft is None:
                draft = message_create(actor=actor, audience=target, **fields)
            else:
                draft = message_update(actor=actor, message=draft, audience=target, **fields)
        except InvalidInput as error:
            _refusal_on_form(form, error)
        else:
            flash.success(request, "Draft saved. Nothing has been sent.")
            return redirect("comms:message", message_id=draft.pk)
    context = {"form": form, "draft": draft, "units": send_units(actor=actor), "has_audiences": bool(choices)}
    return render(request, "comms/message_new.html", context, status=422 if form.errors else 200)


@web_view
def message_new(request: HttpRequest) -> HttpResponse:
    if not can_send_anywhere(actor_of(request)):
        raise Http404("not found")
    return _compose(request, None)


@web_view
def message_edit(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = actor_of(request)
    draft = message_get(actor=actor, message_id=message_id)
    if not may_edit(actor, draft):
        return render(request, "web/refused.html", {"message": edit_refusal(actor, draft)}, status=409)
    return _compose(request, draft)


@web_view
def message_delete_view(request: HttpRequest, message_id: int) -> HttpResponse:
    """GET asks "are you sure?"; POST deletes the draft (its author only)."""
    actor = actor_of(request)
    found = message_get(actor=actor, message_id=message_id)
    if request.method == "POST":
        message_delete(actor=actor, message=found)
        flash.success(request, "The draft is deleted. Nothing was sent.")
        return redirect("comms:messages")
    if not may_edit(actor, found):
        return render(request, "web/refused.html", {"message": edit_refusal(actor, found)}, status=409)
    return render(request, "comms/message_delete.html", {"message": found})


@web_view
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = message_get(actor=actor, message_id=message_id)
    ctx = message_context(found)
    report = message_report(found)
    written_by, sent_by = message_people(found)
    context = {
        "message": found,
        "written_by": written_by,
        "sent_by": sent_by,
        "subject_preview": merge_preview(found.subject, ctx),
        "body_preview": merge_preview(found.body, ctx),
        "report": report,
        "status": message_status(found, report),
        "refuse_form": RefuseForm(),
        "preview_form": PreviewAsForm(),
        "may_edit": may_edit(actor, found),
        "may_send": may_send(actor, found),
        "reply_to": reply_to_for(found.unit),
    }
    return render(request, "comms/message.html", context)


@web_view
def message_preview_view(request: HttpRequest, message_id: int) -> HttpResponse:
    """The message as one recipient would read it (picked with the person picker; the read is logged)."""
    actor = actor_of(request)
    found = message_get(actor=actor, message_id=message_id)
    form = PreviewAsForm(request.GET or None)
    bind_actor(form, actor)
    rendered = None
    if form.is_valid():
        try:
            rendered = message_preview_as(actor=actor, message=found, person=picked(form, "person"))
        except InvalidInput as error:
            _refusal_on_form(form, error)
    context = {"message": found, "form": form, "rendered": rendered}
    return render(request, "comms/message_preview.html", context, status=422 if form.errors else 200)


@require_POST
@web_view
def message_test_view(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = message_get(actor=actor, message_id=message_id)
    where = message_test_send(actor=actor, message=found, to=request.POST.get("to") or None)
    flash.success(request, f"A test, marked as one, went to {where}. Nobody else received it.")
    return redirect("comms:message", message_id=message_id)


@web_view
def message_send_view(request: HttpRequest, message_id: int) -> HttpResponse:
    """GET shows what sending will do (recipients, who is left out and why, who approves); POST does it."""
    actor = actor_of(request)
    found = message_get(actor=actor, message_id=message_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        sent = message_send(actor=actor, message=found)
        flash.success(request, SENT_WORDS.get(sent.state, f"Message {sent.get_state_display().lower()}."))
        return redirect("comms:message", message_id=message_id)
    plan = send_plan(actor=actor, message=found)
    subject = merge_preview(found.subject, message_context(found))
    return render(request, "comms/message_send.html", {"plan": plan, "subject_preview": subject})


SENT_WORDS = {
    "sent": "Handed to delivery. The counts below fill in as the mail goes out.",
    "awaiting_approval": "Sent for approval. It goes out when it is approved; you will see the decision here.",
    "scheduled": "Scheduled. It goes out at the time you set.",
}


@web_view
def message_approve_view(request: HttpRequest, message_id: int) -> HttpResponse:
    """GET shows what approving will send, and to how many; POST (confirmed) approves and sends."""
    actor = actor_of(request)
    found = message_get(actor=actor, message_id=message_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        message_approve(actor=actor, message=found)
        flash.success(request, "Approved and handed to delivery.")
        return redirect("comms:message", message_id=message_id)
    plan = approval_plan(actor=actor, message=found)
    subject = merge_preview(found.subject, message_context(found))
    context = {"plan": plan, "subject_preview": subject, "approving": True}
    return render(request, "comms/message_send.html", context)


@require_POST
@web_view
def message_refuse_view(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = actor_of(request)
    form = RefuseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    message_refuse(actor=actor, message=message_get(actor=actor, message_id=message_id), reason=reason)
    flash.success(request, "Refused; the sender sees your reason.")
    return redirect("comms:message", message_id=message_id)


@web_view
def unit_sender(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Where replies to a unit's messages go (a shared address of the unit, never an officer's own)."""
    actor = actor_of(request)
    unit, own, used = unit_sender_get(actor=actor, unit_id=unit_id)
    form = SenderForm(request.POST or None, initial={"reply_to": own})
    if request.method == "POST" and form.is_valid():
        try:
            unit_sender_set(actor=actor, unit=unit, reply_to=form.cleaned_data["reply_to"])
        except InvalidInput as error:
            _refusal_on_form(form, error)
        else:
            flash.success(request, "Saved. Messages of the unit now ask for replies there.")
            return redirect("comms:unit_sender", unit_id=unit.pk)
    context = {"unit": unit, "form": form, "used": used, "sender": sender_for(unit)}
    return render(request, "comms/unit_sender.html", context, status=422 if form.errors else 200)


@web_view
def notice_request(request: HttpRequest) -> HttpResponse:
    """An officer of a unit asks the region to send its governance notice (when the unit cannot)."""
    actor = actor_of(request)
    bodies = bodies_for_requests(actor=actor)
    if not bodies:
        raise Http404("not found")
    form = NoticeRequestForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        governance_notice_request(
            actor=actor, body=body_by_id(int(data["body"])), subject=data["subject"], text=data["text"]
        )
        flash.success(
            request,
            "Sent to the region, which must send it to the body's members within the rulebook's deadline.",
        )
        return redirect("comms:notice_request")
    return render(request, "comms/notice_request.html", {"form": form})


@web_view
def member_consents(request: HttpRequest, member_id: int) -> HttpResponse:
    """An officer sees a member's consents (logged) and records one on the member's word, with evidence."""
    actor = actor_of(request)
    person = person_for_consent(actor=actor, person_id=member_id)
    form = OfficerConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        consent_record(
            actor=actor,
            person=person,
            purpose=data["purpose"],
            channel=data["channel"],
            action=data["action"],
            method="officer",
            evidence=data["evidence"],
        )
        flash.success(request, "Recorded, with your name and the evidence.")
        return redirect("comms:member_consents", member_id=person.pk)
    states = consent_states(actor=actor, person=person)
    return render(request, "comms/member_consents.html", {"person": person, "states": states, "form": form})
