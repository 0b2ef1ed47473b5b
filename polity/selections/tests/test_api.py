"""/api/v1/selections: the journey over the API, 404 for those with no part, 403 for the wrong role, 409
naming the rule (a shortlist change without reasons, an appeal after the window)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from polity.selections import rules
from polity.selections.models import Decision, DecisionKind
from polity.selections.tests.conftest import close, longlist, pass_window, shortlist

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, org, story):  # type: ignore[no-untyped-def]
    """call("secretary", "post", "/selections/1/close", {...}); story people are users by their first name."""
    from polity.accounts.models import User
    from polity.accounts.tokens import token_create
    from polity.common.actor import Actor

    users = dict(org.users)
    for key, person in story.applicants.items():
        users[key] = User.objects.create_user(username=key, password="x-unused-1", person=person)
    for i, person in enumerate(story.panel + story.appeal_panel):
        users[f"panel{i}"] = User.objects.create_user(
            username=f"panel{i}", password="x-unused-1", person=person
        )
    tokens = {
        name: token_create(actor=Actor.system(), user=user, name="t")[1] for name, user in users.items()
    }

    def go(who: str, method: str, path: str, data: object = None):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            return client.get(f"/api/v1{path}", headers=headers)
        return client.post(
            f"/api/v1{path}", json.dumps(data or {}), content_type="application/json", headers=headers
        )

    return go


def test_open_and_apply_over_the_api(org, story, call):
    body = {
        "unit": org.units["north_a"].pk,
        "body": org.units["north_a_gc"].pk,
        "seat": "Councillor for North A ward",
        "applications_close_at": (timezone.now() + timedelta(days=5)).isoformat(),
    }
    assert call("member", "post", "/selections", body).status_code == 403
    created = call("secretary", "post", "/selections", body)
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert created.json()["reference"].startswith("S-")
    applied = call("member", "post", f"/selections/{sid}/applications", {"statement": "I live here."})
    assert applied.status_code == 201
    refused = call("outsider", "get", f"/selections/{sid}")
    assert refused.status_code == 404  # no part in it: as if it did not exist
    mine = call("member", "get", f"/selections/{sid}/mine").json()
    assert mine["stage"] == "submitted" and mine["statement"] == "I live here."
    again = call("member", "post", f"/selections/{sid}/applications", {"statement": "Again"})
    assert again.status_code == 409 and again.json()["detail"].startswith(rules.APPLY)


def test_an_application_before_the_length_to_stand_answers_409_with_the_rule(org, story, call):
    from polity.members.models import Person

    Person.objects.filter(pk=org.people["member"].pk).update(
        joined_on=timezone.localdate() - timedelta(days=30)
    )
    refused = call("member", "post", f"/selections/{story.selection.pk}/applications", {"statement": "Me"})
    assert refused.status_code == 409
    assert refused.json()["rule"] == rules.APPLY and "the rules ask for" in refused.json()["detail"]


def test_workspace_is_for_the_panel_and_organisers(org, story, call):
    sid = story.selection.pk
    close(org, story)
    assert call("member", "get", f"/selections/{sid}/workspace").status_code == 404
    assert call("ann", "get", f"/selections/{sid}/workspace").status_code == 404
    seen = call("panel0", "get", f"/selections/{sid}/workspace")
    assert seen.status_code == 200
    assert {a["statement"] for a in seen.json()["applications"]} >= {"I am Ann, and I would serve well."}
    from polity.audit.models import Event

    event = Event.objects.filter(verb="selection.read_applications").latest("seq")
    assert set(event.subject_ids) == {p.pk for p in story.applicants.values()}


def test_panel_by_membership_number_refuses_an_applicant_with_409(org, story, call):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    ann = story.applicants["ann"]
    office_appoint(
        actor=Actor.system(), person=ann, office="selection_panel_member", unit=org.units["north_a"]
    )
    answer = call(
        "secretary", "post", f"/selections/{story.selection.pk}/panel", {"person": ann.membership_number}
    )
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith(rules.NO_STAKE)
    ok = call("secretary", "post", f"/selections/{story.selection.pk}/panel", {"person": story.panel[0].pk})
    assert ok.status_code == 200 and len(ok.json()["panel"]) == 1


def test_longlist_shortlist_and_a_change_over_the_api(org, story, call):
    sid = story.selection.pk
    close(org, story)
    apps = story.applications
    no_reasons = call(
        "panel0", "post", f"/selections/{sid}/longlist", {"included": [apps["ann"].pk], "reasons": ""}
    )
    assert no_reasons.status_code == 409 and no_reasons.json()["detail"].startswith(rules.REASONS)
    assert (
        call("secretary", "post", f"/selections/{sid}/longlist", {"included": [], "reasons": "x"}).status_code
        == 403
    )
    done = call(
        "panel0",
        "post",
        f"/selections/{sid}/longlist",
        {
            "included": [apps["ann"].pk, apps["ben"].pk],
            "reasons": "Strongest statements.",
            "entry_reasons": {},
        },
    )
    assert done.status_code == 200, done.content
    pass_window(Decision.objects.get(kind=DecisionKind.LONGLIST))
    done = call(
        "panel1",
        "post",
        f"/selections/{sid}/shortlist",
        {
            "included": [apps["ann"].pk],
            "reasons": "Best interview.",
            "entry_reasons": {str(apps["ben"].pk): "Close."},
        },
    )
    assert done.status_code == 200, done.content
    change = {
        "body": story.bodies["north_exec"].pk,
        "decided_on": timezone.localdate().isoformat(),
        "reasons": "",
        "add": [apps["ben"].pk],
    }
    refused = call("regional", "post", f"/selections/{sid}/changes", change)
    assert refused.status_code == 409
    assert (
        refused.json()["detail"].startswith(rules.CHANGE) and "no written reasons" in refused.json()["detail"]
    )
    wrong_body = call(
        "regional",
        "post",
        f"/selections/{sid}/changes",
        change | {"body": story.bodies["north_a_gc"].pk, "reasons": "x"},
    )
    assert wrong_body.status_code == 409 and "not a body the rulebook empowers" in wrong_body.json()["detail"]
    made = call(
        "regional",
        "post",
        f"/selections/{sid}/changes",
        change | {"reasons": "Ann stood down; Ben was next."},
    )
    assert made.status_code == 200, made.content
    public = call("member", "get", f"/selections/{sid}").json()  # a member of North A sees the change
    assert [c["reasons"] for c in public["changes"]] == ["Ann stood down; Ben was next."]
    assert {x["name"] for x in public["shortlist"]} == {"Ann Applicant", "Ben Applicant"}


def test_an_appeal_after_the_window_answers_409(org, story, call):
    close(org, story)
    decision = longlist(org, story)
    path = f"/selections/{story.selection.pk}/decisions/{decision.pk}/appeals"
    pass_window(decision)
    late = call("cat", "post", path, {"grounds": "Unfair."})
    assert late.status_code == 409 and late.json()["detail"].startswith(rules.APPEAL)
    assert "window closed" in late.json()["detail"]


def test_appeal_and_its_decision_over_the_api(org, story, call):
    close(org, story)
    decision = shortlist(org, story)
    sid = story.selection.pk
    lodged = call("ben", "post", f"/selections/{sid}/decisions/{decision.pk}/appeals", {"grounds": "Bias."})
    assert lodged.status_code == 201, lodged.content
    appeal = lodged.json()["appeal"]
    same = call(
        "secretary", "post", f"/selections/{sid}/appeals/{appeal}/panel", {"person": story.appeal_panel[0].pk}
    )
    assert same.status_code == 403  # the body above appoints
    ok = call(
        "regional", "post", f"/selections/{sid}/appeals/{appeal}/panel", {"person": story.appeal_panel[0].pk}
    )
    assert ok.status_code == 200, ok.content
    decided = call(
        "panel3",
        "post",
        f"/selections/{sid}/appeals/{appeal}/decide",
        {"outcome": "dismissed", "reasons": "Fair."},
    )
    assert decided.status_code == 200, decided.content
    mine = call("ben", "get", f"/selections/{sid}/mine").json()
    assert mine["appeals"][0]["outcome"] == "dismissed" and mine["appeals"][0]["reasons"] == "Fair."


def test_hustings_and_member_ballot_over_the_api(org, story, call):
    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    close(org, story)
    decision = shortlist(org, story, keys=("ann", "ben"))
    sid = story.selection.pk
    rita = make_person(org.units["south_a_1"], "Rita", "Returning")
    office_appoint(actor=Actor.system(), person=rita, office="returning_officer", unit=org.units["national"])
    ballot = {"method": "av", "returning_officer": rita.membership_number}
    early = call("secretary", "post", f"/selections/{sid}/ballot", ballot)
    assert early.status_code == 409 and early.json()["rule"] == rules.BALLOT
    pass_window(decision)
    assert call("member", "post", f"/selections/{sid}/ballot", ballot).status_code == 403
    done = call("secretary", "post", f"/selections/{sid}/ballot", ballot)
    assert done.status_code == 200, done.content
    assert done.json()["ballot"]["method"] == "av" and done.json()["ballot"]["state"] == "nominations"
    late = {"starts_at": (timezone.now() + timedelta(days=2)).isoformat(), "place": "Town hall"}
    called = call("secretary", "post", f"/selections/{sid}/hustings", late)
    assert called.status_code == 200, called.content
    assert called.json()["hustings_meeting"]["notice_is_late"] is True
    early_declare = call("secretary", "post", f"/selections/{sid}/declare")
    assert early_declare.status_code == 409 and early_declare.json()["rule"] == rules.BALLOT
