"""Election pages: the list and my ballots, the public page, the ballot (no JavaScript needed: numbers or
a choice, then a confirmation step, then the receipt), the returning officer's workspace, downloads.
Views parse, call one selector or service, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.elections import ballots, clock
from polity.elections.forms import ElectionForm, PersonForm
from polity.elections.models import State
from polity.elections.rules import POLL_OPEN, ElectionRefused
from polity.elections.selectors import (
    ballot_page,
    candidate_get,
    election_get,
    election_list,
    election_page,
    may_call_elections,
    my_agents,
    my_ballots,
    my_candidacy,
    paper_desk,
    person_for_election,
    receipt_check,
    roll_read,
    unit_to_call,
)
from polity.elections.services import (
    agent_appoint,
    ballot_cast,
    body_nomination_choices,
    candidate_accept,
    candidate_nominate,
    candidate_validate,
    election_close,
    election_count,
    election_create,
    election_freeze,
    election_open_nominations,
    election_open_poll,
    election_publish,
    election_recount,
    may_record_body_nomination,
    nomination_record,
    paper_enter,
    paper_mark_received,
    paper_resolve,
    refuse_if_from_shortlist,
    teller_appoint,
)
from polity.elections.services.count import BUNDLE_FILES, bundle, reproduce_command
from polity.elections.services.voting import poll_words
from polity.web.views.common import actor_of, web_view

STEPS = {
    "freeze": election_freeze,
    "open_nominations": election_open_nominations,
    "open_poll": election_open_poll,
    "close": election_close,
    "count": election_count,
    "publish": election_publish,
}
CONTENT_TYPES = {
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
    "svg": "image/svg+xml",
    "blt": "text/plain; charset=utf-8",
}


@web_view
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(
        request,
        "elections/home.html",
        {
            "mine": my_ballots(actor=actor),
            "elections": election_list(actor=actor)[:50],
            "may_call": may_call_elections(actor),
        },
    )


@web_view
def new(request: HttpRequest) -> HttpResponse:
    """Call an election (elections.manage over the unit): the unit by name or code, the returning officer by
    membership number, and who votes: the unit's members or the members of one of its sections."""
    actor = actor_of(request)
    if not may_call_elections(actor):
        raise Http404("not found")
    form = ElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            election = election_create(
                actor=actor,
                title=data["title"],
                office=data["office"],
                unit=unit_to_call(actor=actor, ref=data["unit"]),
                method=data["method"],
                seats=data["seats"],
                returning_officer=person_for_election(actor=actor, ref=data["returning_officer"]),
                electorate_section=data["electorate"] or "",
            )
        except NotVisible:
            form.add_error("returning_officer", "no member has that membership number")
        except Forbidden:
            raise
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "The election is called. Its returning officer freezes the roll to start the timetable.",
            )
            return redirect("elections:detail", election_id=election.pk)
    return render(request, "elections/new.html", {"form": form}, status=422 if form.errors else 200)


@web_view
def detail(request: HttpRequest, election_id: int) -> HttpResponse:
    actor = actor_of(request)
    page = election_page(actor=actor, election_id=election_id)
    return render(
        request,
        "elections/detail.html",
        {
            "page": page,
            "election": page.election,
            "mine": my_candidacy(actor=actor, election=page.election),
            "may_nominate_for_body": may_record_body_nomination(actor=actor, election=page.election),
            "files": BUNDLE_FILES if page.election.state == State.PUBLISHED else (),
            "command": reproduce_command(page.election) if page.election.state == State.PUBLISHED else "",
        },
    )


def _read_ballot(request: HttpRequest, election, paper: dict[int, str]) -> ballots.Marks:  # type: ignore[no-untyped-def]
    if election.is_ranked:
        numbers = {p: request.POST.get(f"c{p}", "") for p in paper}
        return ballots.read_numbers(numbers, paper, max_preferences=election.max_preferences)
    chosen = [int(x) for x in request.POST.getlist("choice") if x.isdigit()]
    return ballots.read_crosses(chosen, paper, seats=election.seats)


@web_view
def vote(request: HttpRequest, election_id: int) -> HttpResponse:
    """The form, the check (numbers read, the confirmation shown) and the cast: every voter loads this
    three times, so it reads only the election, the ballot paper and (before the cast) the voter's line
    on the roll; the cast itself is one transaction in `ballot_cast`."""
    actor = actor_of(request)
    casting = request.method == "POST" and "confirm" in request.POST
    page = ballot_page(actor=actor, election_id=election_id, with_voter=not casting)
    election, paper = page.election, page.paper
    context = {"election": election, "paper": paper, "typed": {}, "marks": None, "voter": page.voter}
    if request.method == "POST" and election.state != State.POLLING:
        raise ElectionRefused(POLL_OPEN, poll_words(election.state))
    if not casting and (election.state != State.POLLING or page.voter != "on_roll"):
        # No form to fill in: the poll is not open, the ballot is cast already, or not on the roll.
        context["poll_words"] = poll_words(election.state)
        return render(
            request, "elections/vote.html", context, status=409 if request.method == "POST" else 200
        )
    if request.method != "POST":
        return render(request, "elections/vote.html", context)
    marks = _read_ballot(request, election, paper)
    context["typed"] = {p: request.POST.get(f"c{p}", "") for p in paper}
    context["chosen"] = [int(x) for x in request.POST.getlist("choice") if x.isdigit()]
    context["marks"] = marks
    if request.POST.get("change"):
        context["marks"] = None
        return render(request, "elections/vote.html", context)
    if not marks.ok:
        return render(request, "elections/vote.html", context, status=400)
    context["ranked"] = [(n, paper[p]) for n, p in enumerate(marks.ranking, start=1)]
    context["ranking"] = ballots.encode(marks.ranking)
    if request.POST.get("confirm") != ballots.encode(marks.ranking):
        return render(request, "elections/confirm.html", context)
    try:
        code = ballot_cast(actor=actor, election=election, ranking=marks.ranking, positions=paper)
    except InvalidInput as error:
        marks.errors.append(str(error))
        return render(request, "elections/vote.html", context, status=400)
    return render(request, "elections/receipt.html", {"election": election, "code": code})


@web_view
def receipt(request: HttpRequest, election_id: int) -> HttpResponse:
    election = election_get(actor=actor_of(request), election_id=election_id)
    code = request.GET.get("code", "").strip()
    found = receipt_check(election=election, code=code) if code else ""
    return render(request, "elections/check.html", {"election": election, "code": code, "found": found})


@web_view
def files(request: HttpRequest, election_id: int, name: str) -> HttpResponse:
    election = election_get(actor=actor_of(request), election_id=election_id)
    if name not in BUNDLE_FILES:
        raise Http404("not found")
    content = bundle(election)[name]
    response = HttpResponse(content, content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    if name.endswith((".blt", ".txt")):
        response["Content-Disposition"] = f'attachment; filename="election-{election.pk}-{name}"'
    return response


@web_view
def manage(request: HttpRequest, election_id: int) -> HttpResponse:
    actor = actor_of(request)
    page = election_page(actor=actor, election_id=election_id)
    if not page.is_ro:
        raise Http404("not found")
    query = request.GET.get("q", "").strip()
    found = roll_read(actor=actor, election=page.election, query=query) if query else []
    return render(
        request,
        "elections/manage.html",
        {"page": page, "election": page.election, "q": query, "found": found},
    )


@web_view
@require_POST
def step(request: HttpRequest, election_id: int, name: str) -> HttpResponse:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    if name == "recount":
        outcome = election_recount(actor=actor, election=election)
        messages.success(
            request, "The recount agrees with the count." if outcome["same"] else "The recount differs."
        )
        return redirect("elections:manage", election_id=election.pk)
    service = STEPS.get(name)
    if service is None:
        raise Http404("not found")
    service(actor=actor, election=election)
    messages.success(request, "Done.")
    return redirect("elections:manage", election_id=election.pk)


@web_view
@require_POST
def decide(request: HttpRequest, election_id: int, candidate_id: int) -> HttpResponse:
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    candidate = candidate_get(actor=actor, election=election, candidate_id=candidate_id)
    valid = request.POST.get("decision") == "valid"
    try:
        candidate_validate(
            actor=actor, candidate=candidate, valid=valid, reasons=request.POST.get("reasons", "")
        )
    except DomainError as error:
        if not isinstance(error, InvalidInput):
            raise
        messages.error(request, str(error))
    return redirect("elections:manage", election_id=election.pk)


@web_view
def stand(request: HttpRequest, election_id: int) -> HttpResponse:
    """Stand as a candidate: nominate oneself, then accept in writing (with groups and a statement)."""
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    mine = my_candidacy(actor=actor, election=election)
    if mine is None:
        refuse_if_from_shortlist(election)
    error = ""
    if request.method == "POST":
        try:
            if mine is None:
                mine = candidate_nominate(actor=actor, election=election)
            candidate_accept(
                actor=actor,
                candidate=mine,
                acceptance=request.POST.get("acceptance", ""),
                groups=request.POST.getlist("groups"),
                statement=request.POST.get("statement", ""),
            )
        except InvalidInput as exc:
            error = str(exc)
        else:
            messages.success(request, "Your acceptance is received; the returning officer will validate it.")
            return redirect("elections:detail", election_id=election.pk)
    return render(
        request,
        "elections/stand.html",
        {
            "election": election,
            "mine": mine,
            "error": error,
            "post": request.POST,
            "groups": election.groups.all(),
        },
        status=400 if error else 200,
    )


@web_view
def body_nominate(request: HttpRequest, election_id: int) -> HttpResponse:
    """A body's nomination, recorded by whoever may act on its behalf: the body and the candidate are picked
    by name, with the date the body decided."""
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    bodies, candidates = body_nomination_choices(actor=actor, election=election)
    error = ""
    if request.method == "POST":
        body = [b for b in bodies if b.name == request.POST.get("body", "")]
        candidate = [c for c in candidates if c.ballot_name == request.POST.get("candidate", "")]
        try:
            decided_on = date.fromisoformat(request.POST.get("decided_on", ""))
        except ValueError:
            decided_on = None
        if len(body) != 1:
            error = "body: choose the nominating body by its name"
        elif len(candidate) != 1:
            error = "candidate: choose the candidate by their name"
        elif decided_on is None or decided_on > timezone.localdate(clock.now()):
            error = "decided_on: the date the body decided, not in the future"
        else:
            try:
                nomination_record(actor=actor, candidate=candidate[0], body=body[0], decided_on=decided_on)
            except InvalidInput as exc:
                error = str(exc)
            else:
                messages.success(
                    request, f"{body[0].name}'s nomination of {candidate[0].ballot_name} is recorded."
                )
                return redirect("elections:body_nominate", election_id=election.pk)
    context = {
        "election": election,
        "bodies": bodies,
        "candidates": candidates,
        "error": error,
        "post": request.POST,
        "today": timezone.localdate(clock.now()),
    }
    return render(request, "elections/body_nominate.html", context, status=400 if error else 200)


@web_view
def papers(request: HttpRequest, election_id: int) -> HttpResponse:
    """The tellers' desk: mark a postal ballot received (person picker), enter a paper (two different
    tellers each enter it; agreement makes a ballot), and, for the returning officer, the papers whose
    entries differ, each reading shown, resolved with reasons; and appointing tellers."""
    actor = actor_of(request)
    desk = paper_desk(actor=actor, election_id=election_id)
    election = desk.election
    action = request.POST.get("action", "") if request.method == "POST" else ""
    received = PersonForm(
        request.POST if action == "received" else None,
        actor=actor,
        label="Voter whose envelope came back",
        prefix="received",
    )
    teller = PersonForm(
        request.POST if action == "teller" else None, actor=actor, label="New teller", prefix="teller"
    )
    context: dict[str, object] = {"desk": desk, "election": election, "received": received, "teller": teller}
    context |= {"typed": {}, "marks": None, "action": action, "reference": request.POST.get("reference", "")}
    error = ""
    try:
        if action == "received" and received.is_valid():
            paper_mark_received(actor=actor, election=election, person=received.cleaned_data["person"])
            messages.success(request, "The postal ballot is marked received: that voter has voted.")
            return redirect("elections:papers", election_id=election.pk)
        if action == "teller" and teller.is_valid():
            teller_appoint(actor=actor, election=election, person=teller.cleaned_data["person"])
            messages.success(request, "The teller is appointed.")
            return redirect("elections:papers", election_id=election.pk)
        if action in ("enter", "resolve"):
            marks = _read_ballot(request, election, desk.paper)
            context["typed"] = {p: request.POST.get(f"c{p}", "") for p in desk.paper}
            context["marks"] = marks
            if marks.ok and action == "enter":
                paper = paper_enter(
                    actor=actor, election=election, reference=request.POST.get("reference", ""),
                    ranking=marks.ranking,
                )  # fmt: skip
                messages.success(request, f"Paper {paper.reference}: {paper.get_state_display().lower()}.")
                return redirect("elections:papers", election_id=election.pk)
            if marks.ok:
                paper_resolve(
                    actor=actor, election=election, reference=request.POST.get("reference", ""),
                    ranking=marks.ranking, reasons=request.POST.get("reasons", ""),
                )  # fmt: skip
                messages.success(request, "The discrepancy is resolved with your reasons.")
                return redirect("elections:papers", election_id=election.pk)
    except InvalidInput as exc:
        error = str(exc)
    context["error"] = error
    status = 400 if request.method == "POST" else 200
    return render(request, "elections/papers.html", context, status=status)


@web_view
def agents(request: HttpRequest, election_id: int) -> HttpResponse:
    """A candidate names their agents (person picker); agents see turnout while the poll is open."""
    actor = actor_of(request)
    election = election_get(actor=actor, election_id=election_id)
    candidate, named = my_agents(actor=actor, election=election)
    form = PersonForm(request.POST or None, actor=actor, label="Your agent")
    if request.method == "POST" and form.is_valid():
        agent_appoint(actor=actor, candidate=candidate, person=form.cleaned_data["person"])
        messages.success(request, "Your agent is named.")
        return redirect("elections:agents", election_id=election.pk)
    context = {"election": election, "candidate": candidate, "agents": named, "form": form}
    return render(request, "elections/agents.html", context, status=400 if request.method == "POST" else 200)
