"""Pages of meetings: my meetings and calendar feed, a body's page, the secretary's meeting workflow,
the live vote page (a phone) and the results page (a projector), the receiving body's answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from polity.common.errors import InvalidInput
from polity.meetings import feeds
from polity.meetings import forms as f
from polity.meetings import selectors as sel
from polity.meetings.gate import may_manage
from polity.meetings.models import Meeting, State
from polity.meetings.rules import results_poll_seconds
from polity.meetings.services import attendance as att
from polity.meetings.services import business as biz
from polity.meetings.services import meetings as mtg
from polity.meetings.services import minutes as mins
from polity.meetings.services import referrals as refs
from polity.meetings.services import requisitions as reqs
from polity.web.picker import bind_actor, picked
from polity.web.views.common import actor_of, is_htmx, web_view


@web_view
def my_meetings(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    context = {
        "meetings": sel.my_meetings(actor=actor),
        "bodies": sel.bodies_visible(actor=actor),
        "feed": feeds.feed_state(actor=actor),
        "feed_url": request.session.pop("meetings_feed_url", ""),
    }
    return render(request, "meetings/mine.html", context)


@web_view
@require_POST
def feed_renew(request: HttpRequest) -> HttpResponse:
    """Make (or replace) my calendar feed's secret address; the old one stops working."""
    secret = feeds.feed_renew(actor=actor_of(request))
    request.session["meetings_feed_url"] = request.build_absolute_uri(f"/meetings/feed/{secret}.ics")
    flash.success(request, "Your calendar address is ready. Any earlier address no longer works.")
    return redirect("meetings:mine")


@web_view
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    feeds.feed_revoke(actor=actor_of(request))
    flash.success(request, "Your calendar address no longer works.")
    return redirect("meetings:mine")


def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The calendar feed: no sign-in, the secret in the address is the key."""
    text = feeds.feed_calendar(secret=secret)
    if text is None:
        raise Http404("not found")
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response


@web_view
def body(request: HttpRequest, body_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = sel.body_get(actor=actor, body_id=body_id)
    sent, received = sel.referrals_for_body(actor=actor, body=found)
    context = {
        "body": found,
        "members": sel.body_members(actor=actor, body=found),
        "meetings": sel.meetings_of_body(actor=actor, body=found),
        "minutes": sel.minutes_for_body(actor=actor, body=found),
        "sent": [(r, sel.deadlines_of(r)) for r in sent],
        "received": [(r, sel.deadlines_of(r)) for r in received],
        "requisitions": sel.requisitions_for_body(actor=actor, body=found),
        "may_manage": may_manage(actor, found),
    }
    return render(request, "meetings/body.html", context)


@web_view
@require_POST
def requisition_start(request: HttpRequest, body_id: int) -> HttpResponse:
    """A member of the body starts a requisition of a special meeting (and signs it first)."""
    actor = actor_of(request)
    found = sel.body_get(actor=actor, body_id=body_id)
    reqs.requisition_start(actor=actor, body=found, purpose=request.POST.get("purpose", ""))
    flash.success(request, "Your requisition is started and signed: other members sign it here.")
    return redirect("meetings:body", body_id=found.pk)


@web_view
@require_POST
def requisition_sign(request: HttpRequest, requisition_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = sel.requisition_get(actor=actor, requisition_id=requisition_id)
    signed = reqs.requisition_sign(actor=actor, requisition=found)
    done = (
        " It has enough signatures: the secretary must now call the meeting." if signed.submitted_at else ""
    )
    flash.success(request, "You have signed the requisition." + done)
    return redirect("meetings:body", body_id=found.body_id)


@web_view
def call(request: HttpRequest, body_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = sel.body_get(actor=actor, body_id=body_id)
    wanted = request.GET.get("requisition") or request.POST.get("requisition") or ""
    requisition = sel.requisition_get(actor=actor, requisition_id=int(wanted)) if wanted.isdigit() else None
    if requisition is not None and requisition.body_id != found.pk:
        raise Http404("not found")
    initial = {"kind": "special", "agenda": requisition.purpose} if requisition is not None else None
    form = f.CallForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = mtg.meeting_call(
                actor=actor,
                body=found,
                kind=d["kind"],
                title=d["title"],
                starts_at=d["starts_at"],
                place=d["place"],
                online_link=d["online_link"] or "",
                agenda=d["agenda"],
                requisition=requisition,
            )
        except InvalidInput as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, "The meeting is called. Send its notice before the date shown.")
            return redirect("meetings:meeting", meeting_id=meeting.pk)
    return render(request, "meetings/call.html", {"body": found, "form": form, "requisition": requisition})


def _meeting_context(request: HttpRequest, meeting: Meeting, **forms: Any) -> dict[str, Any]:
    actor = actor_of(request)
    manage = may_manage(actor, meeting.body)
    motions = list(meeting.motions.select_related("mover", "seconder").all())
    motion_form = forms.get("motion_form") or f.MotionForm(
        motions=[m for m in motions if m.amends_id is None]
    )
    attendance_form = forms.get("attendance_form") or f.AttendanceForm()
    approvable = sel.minutes_to_approve(actor=actor, meeting=meeting)
    return {
        "meeting": meeting,
        "may_manage": manage,
        "quorum": sel.quorum_now(meeting),
        "attendance": sel.attendance_list(actor=actor, meeting=meeting) if manage else [],
        "mine": sel.my_attendance(actor=actor, meeting=meeting),
        "motions": motions,
        "items": list(meeting.items.all()),
        "minutes": list(meeting.minutes.all()) if manage else [],
        "approvable": approvable,
        "approve_form": f.ApproveForm(minutes=approvable) if approvable else None,
        "targets": sel.referral_targets(actor=actor, body=meeting.body) if manage else [],
        "motion_form": motion_form,
        "attendance_form": attendance_form,
        "counts_form": f.CountsForm(),
        "method_form": f.MethodForm(),
        "ruling_form": f.RulingForm(),
        "text_form": f.TextForm(),
        "reason_form": f.ReasonForm(),
    }


@web_view
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = sel.meeting_get(actor=actor, meeting_id=meeting_id)
    return render(request, "meetings/meeting.html", _meeting_context(request, found))


@web_view
def notice(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A confirmation step: who gets the notice, and whether it is in time; then send."""
    actor = actor_of(request)
    found = sel.meeting_get(actor=actor, meeting_id=meeting_id)
    if request.method == "POST":
        sent = mtg.meeting_notice_send(actor=actor, meeting=found)
        flash.success(request, f"Notice queued for {sent} {'person' if sent == 1 else 'people'}.")
        return redirect("meetings:meeting", meeting_id=found.pk)
    return render(
        request,
        "meetings/notice.html",
        {"meeting": found, "preview": sel.notice_preview(actor=actor, meeting=found)},
    )


@web_view
@require_POST
def act(request: HttpRequest, meeting_id: int, action: str) -> HttpResponse:
    """The secretary's and members' actions on a meeting; a refusal shows the meeting page with the words."""
    actor = actor_of(request)
    found = sel.meeting_get(actor=actor, meeting_id=meeting_id)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404("not found")
    result = handler(request, actor, found)
    if isinstance(result, HttpResponse):
        return result
    flash.success(request, result)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = f"/meetings/{found.pk}/"  # never back to another site
    return redirect(target)


def _invalid(request: HttpRequest, meeting: Meeting, **forms: Any) -> HttpResponse:
    return render(request, "meetings/meeting.html", _meeting_context(request, meeting, **forms), status=400)


def _open(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    mtg.meeting_open(actor=actor, meeting=meeting)
    return "The meeting is open. Record who is present."


def _close(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    mtg.meeting_close(actor=actor, meeting=meeting)
    return "The meeting is closed. Draft its minutes."


def _waive(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    mtg.meeting_waive_late_notice(actor=actor, meeting=meeting, reason=request.POST.get("reason", ""))
    return "Late notice is waived, and the waiver recorded."


def _cancel(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    mtg.meeting_cancel(actor=actor, meeting=meeting, reason=request.POST.get("reason", ""))
    return "The meeting is cancelled."


def _attendance(request: HttpRequest, actor: Any, meeting: Meeting) -> str | HttpResponse:
    form = f.AttendanceForm(request.POST)
    bind_actor(form, actor)
    if not form.is_valid():
        return _invalid(request, meeting, attendance_form=form)
    person = picked(form, "person")
    att.attendance_record(actor=actor, meeting=meeting, person=person, presence=form.cleaned_data["presence"])
    return f"Recorded: {person.given_name} {person.family_name}."


def _sign_in(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    att.attendance_sign_in(actor=actor, meeting=meeting)
    return "You are signed in as present."


def _apologies(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    att.apologies_send(actor=actor, meeting=meeting)
    return "Your apologies are recorded."


def _motion(request: HttpRequest, actor: Any, meeting: Meeting) -> str | HttpResponse:
    form = f.MotionForm(request.POST, motions=list(meeting.motions.filter(amends__isnull=True)))
    bind_actor(form, actor)
    if not form.is_valid():
        return _invalid(request, meeting, motion_form=form)
    d = form.cleaned_data
    amends = sel.motion_get(actor=actor, motion_id=int(d["amends"])) if d["amends"] else None
    motion = biz.motion_submit(
        actor=actor,
        meeting=meeting,
        title=d["title"],
        text=d["text"],
        seconder=picked(form, "seconder"),
        amends=amends,
        is_emergency=d["emergency"],
    )
    return f"Motion {motion.number} is submitted."


def _motion_of(request: HttpRequest, actor: Any, meeting: Meeting) -> Any:
    motion = sel.motion_get(actor=actor, motion_id=int(request.POST.get("motion", "0") or 0))
    if motion.meeting_id != meeting.pk:
        raise Http404("not found")
    return motion


def _counts(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    form = f.CountsForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("counts: give the number for, against and abstaining (0 or more)")
    d = form.cleaned_data
    motion = biz.motion_vote_counts(
        actor=actor,
        motion=_motion_of(request, actor, meeting),
        votes_for=d["votes_for"],
        against=d["against"],
        abstain=d["abstain"],
    )
    return f"Motion {motion.number} {motion.get_state_display().lower()}."


def _vote_open(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    form = f.MethodForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("method: choose a secret or a named vote")
    motion = biz.motion_vote_open(
        actor=actor, motion=_motion_of(request, actor, meeting), method=form.cleaned_data["method"]
    )
    return f"The vote on motion {motion.number} is open: those present vote from their phones."


def _vote_close(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    motion = biz.motion_vote_close(actor=actor, motion=_motion_of(request, actor, meeting))
    return f"Motion {motion.number} {motion.get_state_display().lower()}: {motion.votes_for} for, {motion.votes_against} against."


def _vote(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    form = f.ChoiceForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("choice: for, against or abstain")
    biz.vote_cast(actor=actor, motion=_motion_of(request, actor, meeting), choice=form.cleaned_data["choice"])
    return "Your vote is recorded."


def _ruling(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    form = f.RulingForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("ruling: choose and give the chair's reasons")
    motion = biz.motion_rule(
        actor=actor,
        motion=_motion_of(request, actor, meeting),
        admit=form.cleaned_data["admit"] == "yes",
        ruling=form.cleaned_data["ruling"],
    )
    return f"The chair's ruling on motion {motion.number} is recorded."


def _minutes(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    minutes = mins.minutes_draft(actor=actor, meeting=meeting, text=request.POST.get("text", ""))
    return f"Minutes saved as version {minutes.version}."


def _minutes_step(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    minutes = sel.minutes_get(actor=actor, minutes_id=int(request.POST.get("minutes", "0") or 0))
    step = request.POST.get("step")
    if step == "circulate":
        mins.minutes_circulate(actor=actor, minutes=minutes)
        return "The minutes are circulated to the body."
    if step == "publish":
        mins.minutes_publish(actor=actor, minutes=minutes)
        return "The minutes are published to the members."
    if step == "approve":
        mins.minutes_approve(
            actor=actor,
            minutes=minutes,
            at_meeting=meeting,
            corrected_text=request.POST.get("corrected_text", ""),
        )
        return "The minutes are approved."
    raise InvalidInput("step: circulate, approve or publish")


def _refer(request: HttpRequest, actor: Any, meeting: Meeting) -> str:
    to_body = sel.body_get(actor=actor, body_id=int(request.POST.get("to_body", "0") or 0))
    referral = refs.motion_refer(
        actor=actor,
        motion=_motion_of(request, actor, meeting),
        to_body=to_body,
        is_emergency=request.POST.get("emergency") == "on",
    )
    return f"The motion is sent to {referral.to_body.name}; its deadlines are on the body's page."


ACTIONS = {
    "open": _open,
    "close": _close,
    "waive": _waive,
    "cancel": _cancel,
    "attendance": _attendance,
    "sign-in": _sign_in,
    "apologies": _apologies,
    "motion": _motion,
    "counts": _counts,
    "vote-open": _vote_open,
    "vote-close": _vote_close,
    "cast": _vote,
    "ruling": _ruling,
    "minutes": _minutes,
    "minutes-step": _minutes_step,
    "refer": _refer,
}


@web_view
def vote_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The live vote page on a phone: sign in, then the votes open now. With htmx the page asks again every
    few seconds (the rulebook says how often), sending the digest of what it shows: when nothing changed
    the answer is 204 and no page at all (htmx swaps nothing); otherwise the new fragment."""
    actor = actor_of(request)
    found = sel.meeting_get(actor=actor, meeting_id=meeting_id)
    if is_htmx(request):
        live = sel.vote_page_live(actor=actor, meeting=found)
        if request.GET.get("seen") == live.version:
            return HttpResponse(status=204)
        return render(request, "meetings/_vote_live.html", {"meeting": found, "live": live})
    mine = sel.my_attendance(actor=actor, meeting=found)
    present = found.state == State.OPEN and mine == "present"
    context = {
        "meeting": found,
        "mine": mine,
        "live": sel.vote_page_live(actor=actor, meeting=found) if present else None,
    }
    return render(request, "meetings/vote.html", context)


@web_view
def results_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Results fit for a projector: quorum and every motion's count, live."""
    actor = actor_of(request)
    found = sel.meeting_get(actor=actor, meeting_id=meeting_id)
    context = {
        "meeting": found,
        "quorum": sel.quorum_now(found),
        "results": sel.results(actor=actor, meeting=found),
        "poll_seconds": results_poll_seconds(),
    }
    template = "meetings/_results.html" if is_htmx(request) else "meetings/results.html"
    return render(request, template, context)


@web_view
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    """A motion sent to a body: its deadlines; the receiving body acknowledges and answers here."""
    actor = actor_of(request)
    found = sel.referral_get(actor=actor, referral_id=referral_id)
    form = f.TextForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("step") == "acknowledge":
            refs.referral_acknowledge(actor=actor, referral=found)
            flash.success(request, "Acknowledged: the sending body can see it.")
            return redirect("meetings:referral", referral_id=found.pk)
        if form.is_valid():
            refs.referral_answer(actor=actor, referral=found, answer=form.cleaned_data["text"])
            flash.success(request, "The answer is published to the sending body.")
            return redirect("meetings:referral", referral_id=found.pk)
    context = {
        "referral": found,
        "deadlines": sel.deadlines_of(found),
        "form": form,
        "may_answer": may_manage(actor, found.to_body),
    }
    return render(request, "meetings/referral.html", context)
