"""Web pages: my consents; audiences (create, preview counts); messages (compose, send, approve).

Every page shows counts and names of units, never a member's address.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from polity.common.errors import InvalidInput
from polity.comms.continuity import governance_notice_request
from polity.comms.forms import (
    AudienceForm,
    ConsentForm,
    MessageForm,
    NoticeRequestForm,
    OfficerConsentForm,
    PreviewForm,
    RefuseForm,
)
from polity.comms.merge import preview as merge_preview
from polity.comms.merge import shared_context
from polity.comms.selectors import (
    audience_get,
    audience_list,
    audience_preview,
    bodies_for_requests,
    bodies_in_scope,
    body_by_id,
    body_get,
    can_send_anywhere,
    message_delivery,
    message_get,
    message_list,
    send_unit_get,
    send_units,
)
from polity.comms.services import (
    audience_create,
    message_approve,
    message_create,
    message_refuse,
    message_send,
)
from polity.consent.selectors import consent_states, my_person, person_for_consent
from polity.consent.services import consent_record, consent_wording
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
    return render(request, "comms/audiences.html", {"form": form, "audiences": audience_list(actor=actor)})


@web_view
def audience(request: HttpRequest, audience_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = audience_get(actor=actor, audience_id=audience_id)
    form = PreviewForm(request.GET or None)
    purpose, channel = ("campaigning", "email")
    if form.is_valid():
        purpose, channel = form.cleaned_data["purpose"], form.cleaned_data["channel"]
    counts = audience_preview(actor=actor, audience_id=found.pk, purpose=purpose, channel=channel)
    return render(request, "comms/audience.html", {"audience": found, "form": form, "counts": counts})


@web_view
def messages(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(request, "comms/messages.html", {"messages_": message_list(actor=actor)})


@web_view
def message_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can_send_anywhere(actor):
        raise Http404("not found")
    choices = audience_list(actor=actor)
    initial = {"audience": request.GET.get("audience", "")}
    form = MessageForm(request.POST or None, audiences=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        message = message_create(
            actor=actor,
            audience=audience_get(actor=actor, audience_id=int(data["audience"])),
            purpose=data["purpose"],
            channel=data["channel"],
            subject=data["subject"],
            body=data["body"],
            scheduled_for=data["scheduled_for"],
        )
        return redirect("comms:message", message_id=message.pk)
    return render(request, "comms/message_new.html", {"form": form})


@web_view
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = message_get(actor=actor, message_id=message_id)
    ctx = shared_context(
        sender_unit=found.unit.name,
        body_name=found.audience.body.name if found.audience.body else "",
        meeting=found.meeting,
    )
    context = {
        "message": found,
        "subject_preview": merge_preview(found.subject, ctx),
        "body_preview": merge_preview(found.body, ctx),
        "delivery": message_delivery(found),
        "refuse_form": RefuseForm(),
    }
    return render(request, "comms/message.html", context)


@require_POST
@web_view
def message_send_view(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = actor_of(request)
    sent = message_send(actor=actor, message=message_get(actor=actor, message_id=message_id))
    flash.success(request, f"Message {sent.get_state_display().lower()}.")
    return redirect("comms:message", message_id=message_id)


@require_POST
@web_view
def message_approve_view(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = actor_of(request)
    message_approve(actor=actor, message=message_get(actor=actor, message_id=message_id))
    flash.success(request, "Approved and handed to delivery.")
    return redirect("comms:message", message_id=message_id)


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
