"""Selection pages: the list, opening one, the public page for members, applying, the applicant's own page
(statuses, reasons, notices, appeal), and the workspace of the panels and organisers. Views parse, call one
selector or service, and render; a refused action re-renders its form with what was typed and the rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.elections.services import candidate_statement
from polity.selections import services as s
from polity.selections.forms import (
    AppealDecisionForm,
    AppealForm,
    ApplyForm,
    BallotForm,
    BallotStatementForm,
    ChangeForm,
    CloseForm,
    ConcludeForm,
    DeclareForm,
    HustingsForm,
    ListForm,
    PersonForm,
    RecordForm,
    RemoveForm,
    SelectionForm,
    WithdrawForm,
)
from polity.selections.selectors import (
    Workspace,
    creatable_bodies,
    decision_for_appeal,
    my_application,
    selection_get,
    selections_for,
    workspace_get,
)
from polity.web.picker import bind_actor, picked
from polity.web.views.common import actor_of, web_view

BEFORE_SHORTLIST = {"open", "closed", "longlisted"}


def _attempt(
    request: HttpRequest, form: forms.Form, act: Callable[[], tuple[str, HttpResponse]]
) -> HttpResponse | DomainError:
    """Run `act`, a service call that answers what to tell the person and where to send them. On success the
    message is queued and the response returned. A refusal is put on the form (what was typed is kept) and
    returned; NotVisible and Forbidden go on to become 404 and 403."""
    try:
        done, response = act()
    except (NotVisible, Forbidden):
        raise
    except DomainError as refused:
        form.add_error(None, str(refused))
        return refused
    messages.success(request, done)
    return response


def _status(form: forms.Form | None, error: DomainError | None = None) -> int:
    if error is not None and not isinstance(error, InvalidInput):
        return 409
    return 422 if form is not None and form.errors else 200


@web_view
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    context = {"selections": selections_for(actor=actor), "may_open": bool(creatable_bodies(actor=actor))}
    return render(request, "selections/home.html", context)


@web_view
def new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = SelectionForm(request.POST or None, bodies=creatable_bodies(actor=actor))
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():

        def create() -> tuple[str, HttpResponse]:
            body = form.selected_body()
            selection = s.selection_create(
                actor=actor,
                unit=body.unit,
                body=body,
                seat=form.cleaned_data["seat"],
                applications_close_at=form.closes_at(),
                about=form.cleaned_data["about"],
            )
            return (
                f"Selection {selection.reference} is open for applications.",
                redirect("selections:detail", selection_id=selection.pk),
            )

        outcome = _attempt(request, form, create)
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    return render(request, "selections/new.html", {"form": form}, status=_status(form, error))


@web_view
def detail(request: HttpRequest, selection_id: int) -> HttpResponse:
    view = selection_get(actor=actor_of(request), selection_id=selection_id)
    return render(request, "selections/detail.html", {"view": view, "selection": view.selection})


@web_view
def apply(request: HttpRequest, selection_id: int) -> HttpResponse:
    actor = actor_of(request)
    view = selection_get(actor=actor, selection_id=selection_id)
    form = ApplyForm(request.POST or None)
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():

        def submit() -> tuple[str, HttpResponse]:
            s.application_submit(
                actor=actor, selection=view.selection, statement=form.cleaned_data["statement"]
            )
            return (
                "Your application is received. Follow it on this page.",
                redirect("selections:mine", selection_id=selection_id),
            )

        outcome = _attempt(request, form, submit)
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    context = {"view": view, "selection": view.selection, "form": form}
    return render(request, "selections/apply.html", context, status=_status(form, error))


def _mine(
    request: HttpRequest,
    selection_id: int,
    failed: str = "",
    form: forms.Form | None = None,
    error: DomainError | None = None,
) -> HttpResponse:
    mine = my_application(actor=actor_of(request), selection_id=selection_id)
    forms_ = {
        f"appeal-{st.decision.pk}": form
        if failed == f"appeal-{st.decision.pk}"
        else AppealForm(prefix=f"appeal-{st.decision.pk}")
        for st in mine.standings
        if st.may_appeal
    }
    withdraw = form if failed == "withdraw" else WithdrawForm(prefix="withdraw")
    statement = (
        form
        if failed == "statement"
        else BallotStatementForm(
            prefix="statement", initial={"statement": mine.candidate.statement if mine.candidate else ""}
        )
    )
    shown = failed in forms_ or failed in ("withdraw", "statement")
    context = {
        "mine": mine,
        "selection": mine.selection,
        "appeal_forms": forms_,
        "withdraw": withdraw,
        "statement": statement,
        "error": "" if shown or error is None else str(error),
    }
    return render(request, "selections/mine.html", context, status=_status(form, error))


@web_view
def mine(request: HttpRequest, selection_id: int) -> HttpResponse:
    return _mine(request, selection_id)


@web_view
def ballot_statement(request: HttpRequest, selection_id: int) -> HttpResponse:
    """A shortlisted applicant's statement for members, on the member ballot's paper (the elections service)."""
    if request.method != "POST":
        return redirect("selections:mine", selection_id=selection_id)
    actor = actor_of(request)
    mine = my_application(actor=actor, selection_id=selection_id)
    if mine.candidate is None:
        raise NotVisible("not found")
    form = BallotStatementForm(request.POST, prefix="statement")
    error: DomainError | None = None
    candidate = mine.candidate
    if form.is_valid():

        def publish() -> tuple[str, HttpResponse]:
            candidate_statement(actor=actor, candidate=candidate, statement=form.cleaned_data["statement"])
            return (
                "Your statement is published with the ballot paper.",
                redirect("selections:mine", selection_id=selection_id),
            )

        outcome = _attempt(request, form, publish)
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    return _mine(request, selection_id, failed="statement", form=form, error=error)


@web_view
def mine_act(request: HttpRequest, selection_id: int, action: str, item: int = 0) -> HttpResponse:
    """Withdraw, or appeal against one decision (`item`), after confirming."""
    if request.method != "POST":
        return redirect("selections:mine", selection_id=selection_id)
    actor = actor_of(request)
    key = "withdraw" if action == "withdraw" else f"appeal-{item}"
    form: forms.Form = (
        WithdrawForm(request.POST, prefix=key)
        if action == "withdraw"
        else AppealForm(request.POST, prefix=key)
    )
    error: DomainError | None = None
    if form.is_valid():

        def act() -> tuple[str, HttpResponse]:
            if action == "withdraw":
                s.application_withdraw(
                    actor=actor,
                    application=my_application(actor=actor, selection_id=selection_id).application,
                )
                done = "Your application is withdrawn."
            else:
                decision = decision_for_appeal(actor=actor, selection_id=selection_id, decision_id=item)
                s.appeal_lodge(actor=actor, decision=decision, grounds=form.cleaned_data["grounds"])
                done = "Your appeal is lodged with the body above; you have been emailed an acknowledgement."
            return done, redirect("selections:mine", selection_id=selection_id)

        outcome = _attempt(request, form, act)
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    return _mine(request, selection_id, failed=key, form=form, error=error)


def _forms(actor: Actor, w: Workspace, data: Any = None, key: str = "") -> dict[str, forms.Form]:
    """The forms of the workspace the actor may use now; `key`'s is bound to what was posted."""
    state, roles = w.selection.state, w.roles

    def bound(name: str) -> Any:
        return data if name == key else None

    out: dict[str, forms.Form] = {}
    if "manager" in roles and state == "open":
        out["close"] = CloseForm(bound("close"), prefix="close")
    if "manager" in roles and state in BEFORE_SHORTLIST:
        out["panel"] = PersonForm(bound("panel"), prefix="panel")
        for seat in w.seats:
            out[f"remove-{seat.seat.pk}"] = RemoveForm(
                bound(f"remove-{seat.seat.pk}"), prefix=f"remove-{seat.seat.pk}"
            )
    if roles & {"panel", "appeal_panel"} and w.active and state != "selected":
        out["declare"] = DeclareForm(bound("declare"), prefix="declare", applications=w.active)
    if "manager" in roles and w.active and state != "selected":
        out["record"] = RecordForm(bound("record"), prefix="record", applications=w.active)
    if "panel" in roles and state == "closed":
        out["longlist"] = ListForm(
            bound("longlist"), prefix="longlist", applications=w.active, word="longlist"
        )
    if "panel" in roles and state == "longlisted" and not w.shortlist_waits:
        longlisted = [a for a in w.active if a.stage == "longlisted"]
        out["shortlist"] = ListForm(
            bound("shortlist"), prefix="shortlist", applications=longlisted, word="shortlist"
        )
    if w.change_bodies and state == "shortlisted":
        others = [a for a in w.active if a.stage != "shortlisted"]
        out["change"] = ChangeForm(
            bound("change"), prefix="change", bodies=w.change_bodies, shortlisted=w.shortlisted, others=others
        )
    if "manager" in roles and state in ("shortlisted", "ballot") and not w.hustings_valid:
        out["hustings"] = HustingsForm(bound("hustings"), prefix="hustings")
    if "manager" in roles and state == "shortlisted" and not w.ballot_waits:
        out["ballot"] = BallotForm(bound("ballot"), prefix="ballot")
    if "manager" in roles and state == "ballot" and w.ballot is not None and w.ballot.elected:
        out["conclude"] = ConcludeForm(bound("conclude"), prefix="conclude")
    for v in w.appeals:
        if v.may_appoint:
            name = f"appeal-panel-{v.appeal.pk}"
            out[name] = PersonForm(bound(name), prefix=name)
        if v.may_decide:
            name = f"appeal-decide-{v.appeal.pk}"
            out[name] = AppealDecisionForm(bound(name), prefix=name)
    for form in out.values():
        bind_actor(form, actor)
    return out


def _perform(actor: Actor, w: Workspace, key: str, form: Any) -> str:
    """Call the service behind one workspace form; the words to show when it is done."""
    selection, data = w.selection, form.cleaned_data
    item = int(key.rsplit("-", 1)[1]) if key[-1].isdigit() else 0
    if key == "close":
        s.applications_close(actor=actor, selection=selection)
        return "Applications are closed. The longlist is due next."
    if key == "panel":
        s.panel_appoint(actor=actor, selection=selection, person=picked(form, "person"))
        return "They are on the shortlisting panel."
    if key.startswith("remove-"):
        seat = next(v.seat for v in w.seats if v.seat.pk == item)
        s.panel_remove(actor=actor, seat=seat, reason=data["reason"])
        return "They are off the panel."
    if key in ("declare", "record"):
        person = picked(form, "person") if key == "record" else None
        s.relationship_declare(
            actor=actor, application=form.selected(), description=data["description"], person=person
        )
        return "The relationship is recorded: that person may not sit on this selection's panels."
    if key in ("longlist", "shortlist"):
        decide = s.longlist_decide if key == "longlist" else s.shortlist_decide
        decide(
            actor=actor,
            selection=selection,
            included=form.included(),
            reasons=data["reasons"],
            entry_reasons=form.entry_reasons(),
        )
        return f"The {key} is published; every applicant has been emailed it with the reasons."
    if key == "change":
        s.shortlist_change(
            actor=actor,
            selection=selection,
            body=form.selected_body(),
            decided_on=form.decided(),
            reasons=data["reasons"],
            add=form.added(),
            remove=form.removed(),
        )
        return "The change is recorded; every applicant has been emailed it, and members see it."
    if key == "hustings":
        s.hustings_call(
            actor=actor,
            selection=selection,
            starts_at=form.starts_at(),
            place=data["place"],
            online_link=data["online_link"],
        )
        return "The hustings are called as a meeting of the selecting body. Send its notice from the meeting's page."
    if key == "ballot":
        s.ballot_create(
            actor=actor,
            selection=selection,
            method=data["method"],
            returning_officer=picked(form, "returning_officer"),
        )
        return "The member ballot is called: the roll is frozen and the shortlist is its ballot paper."
    if key == "conclude":
        s.ballot_result_declare(actor=actor, selection=selection)
        return "The result is declared; every applicant has been emailed it."
    appeal = next(v.appeal for v in w.appeals if v.appeal.pk == item)
    if key.startswith("appeal-panel-"):
        s.appeal_panel_appoint(actor=actor, appeal=appeal, person=picked(form, "person"))
        return "They are on the appeal panel."
    s.appeal_decide(actor=actor, appeal=appeal, outcome=data["outcome"], reasons=data["reasons"])
    return "The appeal is decided; the appellant has been emailed the decision and its reasons."


@web_view
def workspace(request: HttpRequest, selection_id: int, key: str = "") -> HttpResponse:
    actor = actor_of(request)
    w = workspace_get(actor=actor, selection_id=selection_id)
    posted = request.method == "POST" and bool(key)
    forms_ = _forms(actor, w, request.POST if posted else None, key)
    error: DomainError | None = None
    if posted:
        form = forms_.get(key)
        if form is None:
            raise Forbidden("this action is not open to you now")
        if form.is_valid():
            bound_form = form
            outcome = _attempt(
                request,
                form,
                lambda: (
                    _perform(actor, w, key, bound_form),
                    redirect("selections:workspace", selection_id=selection_id),
                ),
            )
            if isinstance(outcome, HttpResponse):
                return outcome
            error = outcome
    context = {
        "w": w,
        "selection": w.selection,
        "forms": forms_,
        "failed": key,
        "seat_rows": [(v, forms_.get(f"remove-{v.seat.pk}")) for v in w.seats],
        "appeal_rows": [
            (v, forms_.get(f"appeal-panel-{v.appeal.pk}"), forms_.get(f"appeal-decide-{v.appeal.pk}"))
            for v in w.appeals
        ],
    }
    return render(request, "selections/workspace.html", context, status=_status(forms_.get(key), error))
