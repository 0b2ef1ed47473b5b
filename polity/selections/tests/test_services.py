"""The selection services: who may do what (tables, each refusal tested), and the rules under attack."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from polity.common.errors import Forbidden, InvalidInput
from polity.selections import rules
from polity.selections import services as s
from polity.selections.models import (
    Appeal,
    AppealOutcome,
    Decision,
    DecisionKind,
    Notice,
    Selection,
    Stage,
    State,
)
from polity.selections.rules import SelectionRefused
from polity.selections.tests.conftest import close, longlist, pass_window, person_actor, shortlist

pytestmark = pytest.mark.django_db


def _events(verb: str) -> int:
    from polity.audit.models import Event

    return Event.objects.filter(verb=verb).count()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("secretary", True),  # secretary of North A
        ("regional", True),  # the region above
        ("national", True),
        ("branchsec", False),  # a branch below: not the constituency
        ("member", False),
        ("outsider", False),
        ("dpo", False),
    ],
)
def test_who_may_open_a_selection(org, who, allowed):
    call = lambda: s.selection_create(  # noqa: E731
        actor=org.actor(who),
        unit=org.units["north_a"],
        body=org.units["north_a_gc"],
        seat="Candidate for North A",
        applications_close_at=timezone.now() + timedelta(days=7),
    )
    if allowed:
        selection = call()
        assert selection.reference.startswith("S-") and selection.state == State.OPEN
    else:
        with pytest.raises(Forbidden):
            call()


def test_opening_refuses_a_body_of_another_unit_and_a_past_closing_date(org):
    from polity.common.actor import Actor
    from polity.org.services import body_create

    south_gc = body_create(actor=Actor.system(), unit=org.units["south_a"], kind="general_committee")
    with pytest.raises(InvalidInput, match="body"):
        s.selection_create(
            actor=org.actor("regional"),
            unit=org.units["north_a"],
            body=south_gc,
            seat="x",
            applications_close_at=timezone.now() + timedelta(days=1),
        )
    with pytest.raises(InvalidInput, match="future"):
        s.selection_create(
            actor=org.actor("secretary"),
            unit=org.units["north_a"],
            body=org.units["north_a_gc"],
            seat="x",
            applications_close_at=timezone.now() - timedelta(days=1),
        )


def test_an_applicant_needs_the_rulebooks_membership_length_to_stand(org, story):
    """membership.min_length_to_stand (12 months in the demo rulebook) by the day of the application."""
    from polity.members.models import Person
    from polity.rulebook.loader import get_rulebook

    rule = get_rulebook().rule("membership.min_length_to_stand")
    today = timezone.localdate()
    Person.objects.filter(pk=org.people["member"].pk).update(
        joined_on=rule.subtract_from(today) + timedelta(1)
    )
    with pytest.raises(SelectionRefused, match="the rules ask for") as refused:
        s.application_submit(actor=org.actor("member"), selection=story.selection, statement="Me")
    assert refused.value.rule == rules.APPLY
    Person.objects.filter(pk=org.people["member"].pk).update(joined_on=rule.subtract_from(today))
    assert s.application_submit(actor=org.actor("member"), selection=story.selection, statement="Me").pk


def test_applications_come_from_active_members_of_the_unit_once_before_the_close(org, story):
    selection = story.selection
    assert _events("selection.apply") == 3
    with pytest.raises(SelectionRefused, match="not a member in North A") as refused:
        s.application_submit(actor=org.actor("outsider"), selection=selection, statement="Me!")
    assert refused.value.rule == rules.APPLY
    with pytest.raises(SelectionRefused, match="applied already"):
        s.application_submit(
            actor=person_actor(story.applicants["ann"]), selection=selection, statement="Again"
        )
    from polity.members.models import Person, Status

    Person.objects.filter(pk=org.people["member2"].pk).update(status=Status.LAPSED)
    with pytest.raises(SelectionRefused, match="lapsed, not active"):
        s.application_submit(actor=org.actor("member2"), selection=selection, statement="Me")
    with pytest.raises(InvalidInput, match="statement"):
        s.application_submit(actor=org.actor("member"), selection=selection, statement="   ")
    Selection.objects.filter(pk=selection.pk).update(
        applications_close_at=timezone.now() - timedelta(seconds=1)
    )
    selection.refresh_from_db()
    with pytest.raises(SelectionRefused, match="applications closed"):
        s.application_submit(actor=org.actor("member"), selection=selection, statement="Late")


def test_closing_waits_for_the_published_time_and_opens_the_longlist_deadline(org, story):
    from polity.deadlines.models import Deadline

    with pytest.raises(SelectionRefused, match="open until") as refused:
        s.applications_close(actor=org.actor("secretary"), selection=story.selection)
    assert refused.value.rule == rules.WORKFLOW
    with pytest.raises(Forbidden):
        s.applications_close(actor=org.actor("member"), selection=story.selection)
    close(org, story)
    deadline = Deadline.objects.get(subject_type="selections.selection", subject_id=str(story.selection.pk))
    assert deadline.rule_key == "selections.longlist_decision"
    assert deadline.owner_unit == org.units["north_a"]
    assert deadline.due_at - deadline.started_at == timedelta(weeks=3)


def test_an_applicant_may_not_sit_on_the_panel(org, story):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    ann = story.applicants["ann"]
    office_appoint(
        actor=Actor.system(), person=ann, office="selection_panel_member", unit=org.units["north_a"]
    )
    with pytest.raises(SelectionRefused, match="is an applicant") as refused:
        s.panel_appoint(actor=org.actor("secretary"), selection=story.selection, person=ann)
    assert refused.value.rule == rules.NO_STAKE


def test_a_panel_member_needs_the_office_and_the_appointer_the_scope(org, story):
    with pytest.raises(SelectionRefused, match="holds no office") as refused:
        s.panel_appoint(actor=org.actor("secretary"), selection=story.selection, person=org.people["member"])
    assert refused.value.rule == rules.PANEL
    for who in ("branchsec", "member", "outsider"):
        with pytest.raises(Forbidden):
            s.panel_appoint(actor=org.actor(who), selection=story.selection, person=story.panel[0])


def test_someone_with_a_stake_in_an_applicants_case_is_refused(org, story):
    from polity.cases import services as cs

    pia = story.panel[0]
    case = cs.case_open(
        actor=person_actor(story.applicants["ben"]), kind="complaint", summary="He shouted at me."
    )
    cs.case_add_party(
        actor=__import__("polity.common.actor", fromlist=["Actor"]).Actor.system(),
        case=case,
        person=pia,
        role="respondent",
    )
    with pytest.raises(
        SelectionRefused, match=f"case {case.reference}, to which an applicant is a party"
    ) as refused:
        s.panel_appoint(actor=org.actor("secretary"), selection=story.selection, person=pia)
    assert refused.value.rule == rules.NO_STAKE
    assert "Ben" not in str(refused.value)  # the case is named, the applicant is not


def test_a_declared_relationship_refuses_appointment_and_later_the_decision(org, story):
    close(org, story)
    pia, pat = story.panel[0], story.panel[1]
    ann = story.applications["ann"]
    # Declared by the panel member herself: the next decision is refused until she leaves the panel.
    s.relationship_declare(actor=person_actor(pia), application=ann, description="Ann is my sister-in-law.")
    with pytest.raises(SelectionRefused, match="declared relationship") as refused:
        longlist(org, story)
    assert refused.value.rule == rules.NO_STAKE
    seat = story.selection.panel_seats.get(person=pia, removed_at__isnull=True)
    s.panel_remove(actor=org.actor("secretary"), seat=seat, reason="Declared a family tie with an applicant.")
    with pytest.raises(SelectionRefused, match="declared relationship"):
        s.panel_appoint(actor=org.actor("secretary"), selection=story.selection, person=pia)
    # Recorded by an officer about someone else; a member cannot record one about another.
    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    pam = make_person(org.units["north_a_1"], "Pam", "Panel")
    office_appoint(
        actor=Actor.system(), person=pam, office="selection_panel_member", unit=org.units["north_a"]
    )
    with pytest.raises(Forbidden):
        s.relationship_declare(actor=org.actor("member"), application=ann, description="x", person=pam)
    s.relationship_declare(
        actor=org.actor("secretary"), application=ann, description="Business partner.", person=pam
    )
    with pytest.raises(SelectionRefused, match="declared relationship"):
        s.panel_appoint(actor=org.actor("secretary"), selection=story.selection, person=pam)
    # Someone not on a panel cannot declare for themselves.
    with pytest.raises(Forbidden):
        s.relationship_declare(actor=org.actor("member"), application=ann, description="Friend")
    assert _events("selection.relationship") == 2 and _events("selection.panel_remove") == 1
    # Short of the rulebook's three, the panel cannot decide.
    with pytest.raises(SelectionRefused, match="at least 3") as short:
        s.longlist_decide(
            actor=person_actor(pat), selection=story.selection, included=[ann.pk], reasons="Strong statement."
        )
    assert short.value.rule == rules.PANEL


def test_the_longlist_needs_the_panel_and_reasons_and_tells_every_applicant(org, story, sent):
    close(org, story)
    with pytest.raises(Forbidden):  # a manager is not the panel
        s.longlist_decide(actor=org.actor("secretary"), selection=story.selection, included=[], reasons="x")
    with pytest.raises(SelectionRefused, match="written reasons") as refused:
        s.longlist_decide(
            actor=person_actor(story.panel[0]),
            selection=story.selection,
            included=[story.applications["ann"].pk],
            reasons="   ",
        )
    assert refused.value.rule == rules.REASONS
    with pytest.raises(SelectionRefused, match="shortlist"):
        s.shortlist_decide(
            actor=person_actor(story.panel[0]), selection=story.selection, included=[], reasons="x"
        )
    decision = longlist(org, story)
    story.selection.refresh_from_db()
    assert story.selection.state == State.LONGLISTED
    stages = {k: a.__class__.objects.get(pk=a.pk).stage for k, a in story.applications.items()}
    assert stages == {"ann": Stage.LONGLISTED, "ben": Stage.LONGLISTED, "cat": Stage.NOT_LONGLISTED}
    notices = Notice.objects.filter(decision=decision)
    assert sorted(n.person_id for n in notices) == sorted(p.pk for p in story.applicants.values())
    cat = notices.get(person=story.applicants["cat"])
    assert "You are not on it" in cat.body and "appeal" in cat.body and decision.reasons in cat.body
    from polity.outbox.models import Dispatch

    dispatch = Dispatch.objects.get(pk=cat.dispatch_id)
    assert dispatch.purpose == "statutory" and dispatch.source_type == "selections.notice"
    assert decision.appeal_until - decision.decided_at == timedelta(days=14)
    assert decision.appeal_rule.startswith("selections.appeal_window@")
    assert _events("selection.longlist") == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # a decision without reasons cannot be stored
        Decision.objects.create(
            selection=story.selection, kind=DecisionKind.CHANGE, reasons="", decided_at=timezone.now()
        )


def test_the_shortlist_waits_for_the_longlist_appeals(org, story):
    close(org, story)
    decision = longlist(org, story)
    call = lambda: s.shortlist_decide(  # noqa: E731
        actor=person_actor(story.panel[0]),
        selection=story.selection,
        included=[story.applications["ann"].pk],
        reasons="Best interview.",
    )
    with pytest.raises(SelectionRefused, match="may be lodged until") as refused:
        call()
    assert refused.value.rule == rules.APPEALS_FIRST
    s.appeal_lodge(
        actor=person_actor(story.applicants["cat"]), decision=decision, grounds="My CV was not read."
    )
    pass_window(decision)
    with pytest.raises(SelectionRefused, match="not decided yet"):
        call()


def test_appeals_within_the_window_once_by_someone_left_out(org, story):
    close(org, story)
    decision = longlist(org, story)
    with pytest.raises(SelectionRefused, match="did not leave you out") as refused:
        s.appeal_lodge(actor=person_actor(story.applicants["ann"]), decision=decision, grounds="x")
    assert refused.value.rule == rules.APPEAL
    with pytest.raises(SelectionRefused, match="no appeal open to you"):
        s.appeal_lodge(actor=org.actor("member"), decision=decision, grounds="x")
    cat = person_actor(story.applicants["cat"])
    appeal = s.appeal_lodge(actor=cat, decision=decision, grounds="The panel did not read my CV.")
    assert appeal.body == story.bodies["north_exec"]  # the body above, empowered by the rulebook
    with pytest.raises(SelectionRefused, match="already"):
        s.appeal_lodge(actor=cat, decision=decision, grounds="Again.")
    from polity.deadlines.models import Deadline

    deadline = Deadline.objects.get(subject_type="selections.appeal", subject_id=str(appeal.pk))
    assert deadline.owner_unit == org.units["north"] and deadline.rule_key == "selections.appeal_decision"


def test_an_appeal_after_the_window_is_refused(org, story):
    close(org, story)
    decision = longlist(org, story)
    pass_window(decision)
    with pytest.raises(SelectionRefused, match="appeal window closed") as refused:
        s.appeal_lodge(actor=person_actor(story.applicants["cat"]), decision=decision, grounds="Too late?")
    assert refused.value.rule == rules.APPEAL
    assert not Appeal.objects.exists()


def test_the_appeal_panel_is_of_people_not_involved_before(org, story):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    close(org, story)
    decision = longlist(org, story)
    appeal = s.appeal_lodge(actor=person_actor(story.applicants["cat"]), decision=decision, grounds="Unfair.")
    pia = story.panel[0]
    office_appoint(actor=Actor.system(), person=pia, office="selection_panel_member", unit=org.units["north"])
    with pytest.raises(SelectionRefused, match="sat on the shortlisting panel") as refused:
        s.appeal_panel_appoint(actor=org.actor("regional"), appeal=appeal, person=pia)
    assert refused.value.rule == rules.SEPARATE
    with pytest.raises(Forbidden):  # the constituency does not run the body above's appeals
        s.appeal_panel_appoint(actor=org.actor("secretary"), appeal=appeal, person=story.appeal_panel[0])
    with pytest.raises(Forbidden):  # the shortlisting panel does not decide its own appeal
        s.appeal_decide(actor=person_actor(pia), appeal=appeal, outcome="allowed", reasons="x")
    s.appeal_panel_appoint(actor=org.actor("regional"), appeal=appeal, person=story.appeal_panel[0])
    from polity.selections.selectors import workspace_get

    seen = workspace_get(actor=org.actor("regional"), selection_id=story.selection.pk)
    assert [v.stake for v in seen.appeals[0].seats] == [""]  # its own panel is not "involved before"
    judge = person_actor(story.appeal_panel[0])
    with pytest.raises(SelectionRefused, match="written reasons"):
        s.appeal_decide(actor=judge, appeal=appeal, outcome="allowed", reasons="")
    s.appeal_decide(
        actor=judge, appeal=appeal, outcome=AppealOutcome.ALLOWED, reasons="The CV was not considered."
    )
    cat = story.applications["cat"]
    cat.refresh_from_db()
    assert cat.stage == Stage.LONGLISTED
    told = set(Notice.objects.filter(appeal=appeal).values_list("person_id", flat=True))
    assert told == {p.pk for p in story.applicants.values()}
    # Against the shortlist, the same applicant's earlier appeal panel is involved before.
    pass_window(decision)
    later = s.shortlist_decide(
        actor=person_actor(story.panel[1]),
        selection=story.selection,
        included=[story.applications["ann"].pk],
        reasons="Ann's record stood out.",
    )
    second = s.appeal_lodge(actor=person_actor(story.applicants["cat"]), decision=later, grounds="Again.")
    with pytest.raises(SelectionRefused, match="earlier appeal panel") as again:
        s.appeal_panel_appoint(actor=org.actor("regional"), appeal=second, person=story.appeal_panel[0])
    assert again.value.rule == rules.SEPARATE


def test_a_published_shortlist_changes_only_by_the_named_body_with_reasons(org, story, sent):
    close(org, story)
    shortlist(org, story)
    story.selection.refresh_from_db()
    assert story.selection.state == State.SHORTLISTED
    ben = story.applications["ben"]
    today = timezone.localdate()

    def change(
        who: str, body: str, reasons: str = "Ann withdrew her consent to stand; Ben was next."
    ) -> Decision:
        return s.shortlist_change(
            actor=org.actor(who),
            selection=story.selection,
            body=story.bodies[body],
            decided_on=today,
            reasons=reasons,
            add=[ben.pk],
        )

    with pytest.raises(SelectionRefused, match="no written reasons") as refused:
        change("secretary", "north_a_exec", reasons="  ")
    assert refused.value.rule == rules.CHANGE
    with pytest.raises(SelectionRefused, match="not a body the rulebook empowers") as refused:
        change("secretary", "north_a_gc")
    assert refused.value.rule == rules.CHANGE
    with pytest.raises(SelectionRefused, match="not at or above North A"):
        change("regional", "north_b_exec")
    with pytest.raises(Forbidden):
        change("branchsec", "north_a_exec")
    with pytest.raises(Forbidden):  # the constituency's officer cannot record the region's decision
        change("secretary", "north_exec")
    assert not Decision.objects.filter(kind=DecisionKind.CHANGE).exists()
    decision = change("regional", "north_exec")  # a higher body: allowed, recorded, told
    assert decision.body == story.bodies["north_exec"] and decision.decided_on == today
    ben.refresh_from_db()
    assert ben.stage == Stage.SHORTLISTED
    told = set(Notice.objects.filter(decision=decision).values_list("person_id", flat=True))
    assert told == {p.pk for p in story.applicants.values()}
    assert _events("selection.change") == 1


def test_an_allowed_appeal_against_the_shortlist_is_a_recorded_change_by_the_body_above(org, story):
    close(org, story)
    decision = shortlist(org, story)
    appeal = s.appeal_lodge(actor=person_actor(story.applicants["ben"]), decision=decision, grounds="Bias.")
    s.appeal_panel_appoint(actor=org.actor("regional"), appeal=appeal, person=story.appeal_panel[0])
    s.appeal_decide(
        actor=person_actor(story.appeal_panel[0]),
        appeal=appeal,
        outcome=AppealOutcome.ALLOWED,
        reasons="The interview questions differed between applicants.",
    )
    change = Decision.objects.get(kind=DecisionKind.CHANGE)
    assert change.body == story.bodies["north_exec"] and change.appeal == appeal
    assert "interview questions" in change.reasons
    story.applications["ben"].refresh_from_db()
    assert story.applications["ben"].stage == Stage.SHORTLISTED


def test_a_withdrawal_is_the_applicants_own(org, story):
    with pytest.raises(Forbidden):
        s.application_withdraw(actor=org.actor("secretary"), application=story.applications["ann"])
    s.application_withdraw(actor=person_actor(story.applicants["ann"]), application=story.applications["ann"])
    assert story.applications["ann"].stage == Stage.WITHDRAWN
    with pytest.raises(SelectionRefused, match="withdrawn already"):
        s.application_withdraw(
            actor=person_actor(story.applicants["ann"]), application=story.applications["ann"]
        )
