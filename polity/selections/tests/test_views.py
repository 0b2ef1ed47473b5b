"""The selection pages: who sees what (404 for those with no part), confirmation steps, errors that keep what
was typed and name the rule, the person picker on the panel form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from polity.selections import rules
from polity.selections.models import Decision, DecisionKind, Stage
from polity.selections.tests.conftest import close, longlist, pass_window, shortlist

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(org, story):  # type: ignore[no-untyped-def]
    """as_("ann") / as_("panel0") / as_("secretary") → a client signed in (second factor verified)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from polity.accounts.models import User
    from polity.web.tests.conftest import verified_device

    people = dict(story.applicants) | {f"panel{i}": p for i, p in enumerate(story.panel + story.appeal_panel)}

    def sign_in(name: str) -> Client:
        user = org.users.get(name) or User.objects.filter(username=name).first()
        if user is None:
            user = User.objects.create_user(username=name, password="x-unused-1", person=people[name])
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
        session.save()
        return client

    return sign_in


def url(story, tail: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/selections/{story.selection.pk}/{tail}"


def test_the_public_page_is_for_members_of_the_unit(story, as_):
    assert as_("member").get(url(story)).status_code == 200
    assert as_("outsider").get(url(story)).status_code == 404
    page = as_("member").get(url(story)).content.decode()
    assert "Apply" in page and "Not published yet" in page
    assert as_("member").get(url(story, "workspace/")).status_code == 404
    assert as_("member").get("/selections/").status_code == 200


def test_applying_needs_the_confirmation_and_keeps_the_statement(story, as_):
    client = as_("member")
    page = client.post(url(story, "apply/"), {"statement": "Twenty years on the doorstep."})
    assert page.status_code == 422
    assert "Tick the box to confirm." in page.content.decode()
    assert "Twenty years on the doorstep." in page.content.decode()
    done = client.post(url(story, "apply/"), {"statement": "Twenty years on the doorstep.", "confirm": "on"})
    assert done.status_code == 302 and done["Location"].endswith("/mine/")
    mine = client.get(url(story, "mine/")).content.decode()
    assert "Application received" in mine and "Twenty years on the doorstep." in mine
    again = client.post(url(story, "apply/"), {"statement": "Again", "confirm": "on"})
    assert again.status_code == 409 or "applied already" in again.content.decode()


def test_applying_too_soon_after_joining_shows_the_rule_on_the_form(org, story, as_):
    from polity.members.models import Person

    Person.objects.filter(pk=org.people["member"].pk).update(joined_on=timezone.localdate())
    page = as_("member").post(url(story, "apply/"), {"statement": "New and keen.", "confirm": "on"})
    assert page.status_code == 409
    text = page.content.decode()
    assert "Applications come from members in good standing" in text
    assert "the rules ask for 12 months" in text and "New and keen." in text


def test_the_panel_is_appointed_by_name_or_number_and_an_applicant_is_refused(org, story, as_):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    client = as_("secretary")
    ann = story.applicants["ann"]
    office_appoint(
        actor=Actor.system(), person=ann, office="selection_panel_member", unit=org.units["north_a"]
    )
    page = client.post(url(story, "workspace/panel/"), {"panel-person": ann.membership_number})
    assert page.status_code == 409
    text = page.content.decode()
    assert (
        "is an applicant in this selection" in text and ann.membership_number in text
    )  # what was typed stays
    done = client.post(url(story, "workspace/panel/"), {"panel-person": "Pia Panel"})
    assert done.status_code == 302
    assert story.selection.panel_seats.filter(person=story.panel[0]).exists()


def test_the_longlist_form_refuses_without_reasons_and_keeps_what_was_typed(org, story, as_):
    close(org, story)
    client = as_("panel0")
    ann, ben = story.applications["ann"], story.applications["ben"]
    form = {
        f"longlist-in_{ann.pk}": "on",
        f"longlist-why_{ben.pk}": "Your statement did not mention the constituency.",
        "longlist-reasons": "",
        "longlist-confirm": "on",
    }
    page = client.post(url(story, "workspace/longlist/"), form)
    assert page.status_code == 409
    text = page.content.decode()
    assert "written reasons" in text and "Your statement did not mention the constituency." in text
    form["longlist-reasons"] = "Experience of campaigning."
    assert client.post(url(story, "workspace/longlist/"), form).status_code == 302
    ann.refresh_from_db()
    assert ann.stage == Stage.LONGLISTED
    mine = as_("ben").get(url(story, "mine/")).content.decode()
    assert "you are not on it" in mine and "Your statement did not mention the constituency." in mine
    assert "Appeal to the body above" in mine


def test_a_change_without_reasons_is_refused_on_the_page(org, story, as_):
    close(org, story)
    shortlist(org, story)
    client = as_("regional")
    ben = story.applications["ben"]
    form = {
        "change-body": str(story.bodies["north_exec"].pk),
        "change-decided_on": timezone.localdate().isoformat(),
        f"change-add_{ben.pk}": "on",
        "change-reasons": "",
        "change-confirm": "on",
    }
    page = client.post(url(story, "workspace/change/"), form)
    assert page.status_code == 409
    assert "no written reasons" in page.content.decode()
    form["change-reasons"] = "The region's executive added Ben after Ann's withdrawal."
    assert client.post(url(story, "workspace/change/"), form).status_code == 302
    public = as_("member").get(url(story)).content.decode()
    assert "The region&#x27;s executive added Ben" in public or "The region's executive added Ben" in public
    assert Decision.objects.filter(kind=DecisionKind.CHANGE).count() == 1


def test_an_appeal_from_the_applicants_page_and_its_decision_in_the_workspace(org, story, as_):
    close(org, story)
    decision = longlist(org, story)
    cat = as_("cat")
    page = cat.post(
        url(story, f"mine/appeal/{decision.pk}/"), {f"appeal-{decision.pk}-grounds": "Unread CV."}
    )
    assert page.status_code == 422 and "Tick the box" in page.content.decode()
    done = cat.post(
        url(story, f"mine/appeal/{decision.pk}/"),
        {f"appeal-{decision.pk}-grounds": "Unread CV.", f"appeal-{decision.pk}-confirm": "on"},
    )
    assert done.status_code == 302
    appeal = decision.appeals.get()
    regional = as_("regional")
    assert (
        regional.post(
            url(story, f"workspace/appeal-panel-{appeal.pk}/"),
            {f"appeal-panel-{appeal.pk}-person": story.appeal_panel[0].membership_number},
        ).status_code
        == 302
    )
    judge = as_("panel3")
    assert "Decide the appeal" in judge.get(url(story, "workspace/")).content.decode()
    assert (
        judge.post(
            url(story, f"workspace/appeal-decide-{appeal.pk}/"),
            {
                f"appeal-decide-{appeal.pk}-outcome": "allowed",
                f"appeal-decide-{appeal.pk}-reasons": "The CV was not read.",
                f"appeal-decide-{appeal.pk}-confirm": "on",
            },
        ).status_code
        == 302
    )
    assert "Appeal allowed" in cat.get(url(story, "mine/")).content.decode()


def test_an_appeal_after_the_window_has_no_form_and_a_post_is_refused(org, story, as_):
    close(org, story)
    decision = longlist(org, story)
    pass_window(decision)
    cat = as_("cat")
    assert "Appeal to the body above" not in cat.get(url(story, "mine/")).content.decode()
    late = cat.post(
        url(story, f"mine/appeal/{decision.pk}/"),
        {f"appeal-{decision.pk}-grounds": "Late.", f"appeal-{decision.pk}-confirm": "on"},
    )
    assert late.status_code == 409 and "appeal window closed" in late.content.decode()
    assert rules.APPEAL


def test_the_list_of_selections_takes_a_bounded_number_of_queries(
    org, story, as_, django_assert_max_num_queries
):
    from datetime import timedelta

    for i in range(12):
        s_create = __import__("polity.selections.services", fromlist=["selection_create"]).selection_create
        s_create(
            actor=org.actor("secretary"),
            unit=org.units["north_a"],
            body=org.units["north_a_gc"],
            seat=f"Council seat {i}",
            applications_close_at=timezone.now() + timedelta(days=3),
        )
    client = as_("ann")
    client.get("/selections/")  # warm the session
    with django_assert_max_num_queries(20):
        page = client.get("/selections/")
    assert page.status_code == 200 and "Council seat 11" in page.content.decode()


def test_the_workspace_calls_hustings_and_the_member_ballot_and_the_page_links_them(org, story, as_):
    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    close(org, story)
    pass_window(shortlist(org, story, keys=("ann", "ben")))
    rita = make_person(org.units["south_a_1"], "Rita", "Returning")
    office_appoint(actor=Actor.system(), person=rita, office="returning_officer", unit=org.units["national"])
    client = as_("secretary")
    page = client.get(url(story, "workspace/")).content.decode()
    assert "Call the hustings" in page and "Call the member ballot" in page
    soon = timezone.localtime() + timezone.timedelta(days=2)
    hustings = {"hustings-starts": soon.strftime("%Y-%m-%dT%H:%M"), "hustings-place": "Town hall"}
    unconfirmed = client.post(url(story, "workspace/hustings/"), hustings)
    assert unconfirmed.status_code == 422 and "Tick the box to confirm." in unconfirmed.content.decode()
    assert (
        client.post(url(story, "workspace/hustings/"), hustings | {"hustings-confirm": "on"}).status_code
        == 302
    )
    public = as_("member").get(url(story)).content.decode()
    assert (
        "Hustings: Parliamentary candidate for North A" in public
        and "Invalid: notice did not reach" in public
    )
    ballot = {
        "ballot-method": "sv",
        "ballot-returning_officer": rita.membership_number,
        "ballot-confirm": "on",
    }
    assert client.post(url(story, "workspace/ballot/"), ballot).status_code == 302
    story.selection.refresh_from_db()
    public = as_("member").get(url(story)).content.decode()
    assert f'href="/elections/{story.selection.election_id}/"' in public and "Supplementary vote" in public
    assert "Call the member ballot" not in client.get(url(story, "workspace/")).content.decode()


def test_a_returning_officer_with_a_stake_is_refused_on_the_form(org, story, as_):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    close(org, story)
    pass_window(shortlist(org, story, keys=("ann", "ben")))
    cat = story.applicants["cat"]
    office_appoint(actor=Actor.system(), person=cat, office="returning_officer", unit=org.units["national"])
    ballot = {
        "ballot-method": "fptp",
        "ballot-returning_officer": cat.membership_number,
        "ballot-confirm": "on",
    }
    page = as_("secretary").post(url(story, "workspace/ballot/"), ballot)
    assert page.status_code == 409 and "is an applicant" in page.content.decode()


def test_a_candidate_on_the_member_ballot_publishes_a_statement_for_members(org, story, as_):
    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor
    from polity.elections.models import Candidate
    from polity.selections import services as s

    close(org, story)
    pass_window(shortlist(org, story, keys=("ann", "ben")))
    rita = make_person(org.units["south_a_1"], "Rita", "Returning")
    office_appoint(actor=Actor.system(), person=rita, office="returning_officer", unit=org.units["national"])
    election = s.ballot_create(
        actor=org.actor("secretary"), selection=story.selection, method="av", returning_officer=rita
    )
    mine = as_("ann").get(url(story, "mine/")).content.decode()
    assert "On the member ballot" in mine and "Withdraw my application" not in mine
    assert "On the member ballot" not in as_("cat").get(url(story, "mine/")).content.decode()
    done = as_("ann").post(url(story, "mine/statement/"), {"statement-statement": "Vote Ann: local first."})
    assert done.status_code == 302
    ann = Candidate.objects.get(election=election, person=story.applicants["ann"])
    assert ann.statement == "Vote Ann: local first."
    assert as_("cat").post(url(story, "mine/statement/"), {"statement-statement": "x"}).status_code == 404
