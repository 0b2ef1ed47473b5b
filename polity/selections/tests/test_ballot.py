"""The member ballot (an election by FPTP, AV or SV through polity.elections, the shortlist its ballot paper)
and the hustings (a meeting of the selecting body through polity.meetings, whose notice rules apply)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_person
from polity.common.errors import Forbidden, InvalidInput
from polity.selections import rules
from polity.selections import services as s
from polity.selections.models import Notice, State
from polity.selections.rules import SelectionRefused
from polity.selections.tests.conftest import close, pass_window, person_actor, shortlist

pytestmark = pytest.mark.django_db


@pytest.fixture
def ro(org):  # type: ignore[no-untyped-def]
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    rita = make_person(org.units["south_a_1"], "Rita", "Returning")
    office_appoint(actor=Actor.system(), person=rita, office="returning_officer", unit=org.units["national"])
    return rita


def _final_shortlist(org, story):  # type: ignore[no-untyped-def]
    close(org, story)
    decision = shortlist(org, story, keys=("ann", "ben"))
    pass_window(decision)
    return decision


def test_the_shortlist_becomes_the_ballot_paper_and_the_result_is_named_on_the_selection(
    org, story, ro, sent
):
    from polity.elections import clock
    from polity.elections.models import Candidate
    from polity.elections.services import (
        ballot_cast,
        election_close,
        election_count,
        election_open_poll,
        election_publish,
    )
    from polity.selections.selectors import selection_get

    _final_shortlist(org, story)
    election = s.ballot_create(
        actor=org.actor("secretary"), selection=story.selection, method="fptp", returning_officer=ro
    )
    story.selection.refresh_from_db()
    assert story.selection.state == State.BALLOT and story.selection.election_id == election.pk
    assert election.electorate_unit_id == org.units["north_a"].pk and election.freeze_on is not None
    on_paper = {c.person_id for c in Candidate.objects.filter(election=election, state="valid")}
    assert on_paper == {story.applicants["ann"].pk, story.applicants["ben"].pk}
    told = Notice.objects.filter(selection=story.selection, subject__contains="member ballot")
    assert told.count() == 3  # every applicant who has not withdrawn, on the paper or not
    page = selection_get(actor=org.actor("member"), selection_id=story.selection.pk)
    assert page.ballot is not None and page.ballot.election.pk == election.pk and page.ballot.elected == []

    ro_actor = person_actor(ro)
    with clock.at(election.poll_opens_at + timedelta(minutes=1)):
        election = election_open_poll(actor=ro_actor, election=election)
    position = {c.person_id: c.ballot_position for c in Candidate.objects.filter(election=election)}
    ann, ben = position[story.applicants["ann"].pk], position[story.applicants["ben"].pk]
    votes = {"ann": ann, "ben": ben, "cat": ann}
    for key, choice in votes.items():
        ballot_cast(actor=person_actor(story.applicants[key]), election=election, ranking=[choice])
    ballot_cast(actor=person_actor(story.panel[0]), election=election, ranking=[ann])
    ballot_cast(actor=org.actor("member"), election=election, ranking=[ben])
    with clock.at(election.poll_closes_at + timedelta(minutes=1)):
        election = election_close(actor=ro_actor, election=election)
        election = election_count(actor=ro_actor, election=election)
        election = election_publish(actor=ro_actor, election=election)

    page = selection_get(actor=org.actor("member"), selection_id=story.selection.pk)
    assert page.ballot is not None and page.ballot.elected == [story.applicants["ann"].full_name]
    s.ballot_result_declare(actor=org.actor("secretary"), selection=story.selection)
    story.selection.refresh_from_db()
    assert story.selection.state == State.SELECTED
    result = Notice.objects.filter(selection=story.selection, subject__contains="result")
    assert result.count() == 3 and all("Selected: Ann Applicant" in n.body for n in result)


def test_the_ballot_waits_for_the_shortlists_appeals(org, story, ro):
    close(org, story)
    decision = shortlist(org, story, keys=("ann",))
    with pytest.raises(SelectionRefused, match="may be lodged until") as refused:
        s.ballot_create(
            actor=org.actor("secretary"), selection=story.selection, method="av", returning_officer=ro
        )
    assert refused.value.rule == rules.BALLOT
    s.appeal_lodge(
        actor=person_actor(story.applicants["ben"]), decision=decision, grounds="Unfair questions."
    )
    pass_window(decision)
    with pytest.raises(SelectionRefused, match="not decided yet"):
        s.ballot_create(
            actor=org.actor("secretary"), selection=story.selection, method="av", returning_officer=ro
        )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("secretary", True), ("regional", True), ("branchsec", False), ("member", False), ("ann", False)],
)
def test_who_may_call_the_member_ballot(org, story, ro, who, allowed):
    _final_shortlist(org, story)
    actor = person_actor(story.applicants["ann"]) if who == "ann" else org.actor(who)
    call = lambda: s.ballot_create(actor=actor, selection=story.selection, method="sv", returning_officer=ro)  # noqa: E731
    if allowed:
        assert call().method == "sv"
    else:
        with pytest.raises(Forbidden):
            call()


def test_the_ballot_refuses_other_methods_a_conflicted_returning_officer_and_a_second_call(org, story, ro):
    from polity.access.services import office_appoint
    from polity.common.actor import Actor

    _final_shortlist(org, story)
    secretary = org.actor("secretary")
    with pytest.raises(InvalidInput, match="method"):
        s.ballot_create(actor=secretary, selection=story.selection, method="stv-meek", returning_officer=ro)
    cat = story.applicants["cat"]
    office_appoint(actor=Actor.system(), person=cat, office="returning_officer", unit=org.units["national"])
    with pytest.raises(SelectionRefused, match="Cat Applicant") as refused:
        s.ballot_create(actor=secretary, selection=story.selection, method="fptp", returning_officer=cat)
    assert refused.value.rule == rules.BALLOT
    with pytest.raises(SelectionRefused, match="Declare|declare") as early:
        s.ballot_result_declare(actor=secretary, selection=story.selection)
    assert early.value.rule == rules.WORKFLOW
    s.ballot_create(actor=secretary, selection=story.selection, method="fptp", returning_officer=ro)
    with pytest.raises(SelectionRefused, match="member ballot") as again:
        s.ballot_create(actor=secretary, selection=story.selection, method="fptp", returning_officer=ro)
    assert again.value.rule == rules.WORKFLOW
    with pytest.raises(SelectionRefused, match="not published the ballot's result"):
        s.ballot_result_declare(actor=secretary, selection=story.selection)


def test_hustings_are_a_meeting_of_the_selecting_body_and_late_notice_makes_them_invalid(org, story):
    from polity.meetings.models import Meeting
    from polity.meetings.rules import MeetingRefused
    from polity.selections.selectors import selection_get

    close(org, story)
    shortlist(org, story, keys=("ann", "ben"))
    secretary = org.actor("secretary")
    with pytest.raises(Forbidden):
        s.hustings_call(
            actor=org.actor("member"),
            selection=story.selection,
            starts_at=timezone.now() + timedelta(days=20),
            place="Hall",
        )
    late = s.hustings_call(
        actor=secretary,
        selection=story.selection,
        starts_at=timezone.now() + timedelta(days=3),
        place="Town hall",
    )
    assert late.body_id == story.selection.body_id and late.kind == "hustings"
    assert late.notice_is_late and not late.notice_is_valid  # the general committee's 7 days
    page = selection_get(actor=org.actor("member"), selection_id=story.selection.pk)
    assert page.hustings is not None and page.hustings.pk == late.pk and not page.hustings.notice_is_valid
    # Invalid like any meeting: once open, its business is refused and late notice of hustings is not waived.
    from polity.meetings.services.meetings import meeting_notice_send, meeting_open, meeting_waive_late_notice

    meeting_notice_send(actor=secretary, meeting=late)
    late = meeting_open(actor=secretary, meeting=late, now=late.starts_at)
    with pytest.raises(MeetingRefused, match="late notice"):
        meeting_waive_late_notice(actor=secretary, meeting=late, reason="Everyone came anyway.")
    # An invalid hustings is called again, in time; a valid one is not called twice.
    again = s.hustings_call(
        actor=secretary,
        selection=story.selection,
        starts_at=timezone.now() + timedelta(days=10),
        place="Town hall",
    )
    assert not again.notice_is_late
    story.selection.refresh_from_db()
    assert (
        story.selection.hustings_id == again.pk
        and Meeting.objects.filter(body=story.selection.body).count() == 2
    )
    with pytest.raises(SelectionRefused, match="called already") as refused:
        s.hustings_call(
            actor=secretary,
            selection=story.selection,
            starts_at=timezone.now() + timedelta(days=12),
            place="Hall",
        )
    assert refused.value.rule == rules.HUSTINGS


def test_hustings_wait_for_the_shortlist(org, story):
    with pytest.raises(SelectionRefused) as refused:
        s.hustings_call(
            actor=org.actor("secretary"),
            selection=story.selection,
            starts_at=timezone.now() + timedelta(days=20),
            place="Hall",
        )
    assert refused.value.rule == rules.WORKFLOW


def test_a_result_with_someone_off_the_shortlist_on_the_paper_is_not_declared(org, story, ro):
    """A member ballot called before elections knew shortlists (the migration leaves its flag off) took
    nominations from members; should one have got onto it, the selection refuses to declare that result."""
    from polity.elections import clock
    from polity.elections.models import Election
    from polity.elections.services import (
        ballot_cast,
        candidate_accept,
        candidate_nominate,
        candidate_validate,
        election_close,
        election_count,
        election_open_poll,
        election_publish,
    )

    _final_shortlist(org, story)
    election = s.ballot_create(
        actor=org.actor("secretary"), selection=story.selection, method="fptp", returning_officer=ro
    )
    Election.objects.filter(pk=election.pk).update(candidates_from_shortlist=False)
    election.refresh_from_db()
    with clock.at(election.frozen_at + timedelta(minutes=1)):
        mina = candidate_nominate(actor=org.actor("member"), election=election)
        mina = candidate_accept(actor=org.actor("member"), candidate=mina, acceptance="I accept.")
        candidate_validate(actor=person_actor(ro), candidate=mina, valid=True)
    ro_actor = person_actor(ro)
    with clock.at(election.poll_opens_at + timedelta(minutes=1)):
        election = election_open_poll(actor=ro_actor, election=election)
    ballot_cast(actor=org.actor("member"), election=election, ranking=[1])
    with clock.at(election.poll_closes_at + timedelta(minutes=1)):
        for step in (election_close, election_count, election_publish):
            election = step(actor=ro_actor, election=election)
    with pytest.raises(SelectionRefused, match="Mina Member, who were not on the final shortlist") as refused:
        s.ballot_result_declare(actor=org.actor("secretary"), selection=story.selection)
    assert refused.value.rule == rules.BALLOT
    from polity.selections.selectors import selection_get

    page = selection_get(actor=org.actor("member"), selection_id=story.selection.pk)
    assert (
        page.ballot is not None and page.ballot.elected == [] and page.ballot.off_shortlist == ["Mina Member"]
    )


def test_nobody_nominates_themselves_or_is_nominated_by_a_body_onto_the_member_ballot(org, story, ro, client):
    """The member ballot's candidates are the shortlist: a member (here an applicant left off it) standing
    by nomination is refused 409 naming the rule, by the service, the web form and the API."""
    import html
    import json

    from django_otp import DEVICE_ID_SESSION_KEY

    from polity.accounts.models import User
    from polity.accounts.tokens import token_create
    from polity.common.actor import Actor
    from polity.elections.models import Candidate
    from polity.elections.rules import SHORTLIST, ElectionRefused
    from polity.elections.services import candidate_nominate, nomination_record
    from polity.web.tests.conftest import verified_device

    _final_shortlist(org, story)
    election = s.ballot_create(
        actor=org.actor("secretary"), selection=story.selection, method="fptp", returning_officer=ro
    )
    assert election.candidates_from_shortlist
    cat = story.applicants["cat"]
    with pytest.raises(ElectionRefused) as refused:
        candidate_nominate(actor=person_actor(cat), election=election)
    assert refused.value.rule == SHORTLIST
    with pytest.raises(ElectionRefused, match="shortlist"):
        candidate_nominate(actor=person_actor(ro), election=election, person=cat)
    ann = Candidate.objects.get(election=election, person=story.applicants["ann"])
    with pytest.raises(ElectionRefused, match="shortlist"):
        nomination_record(
            actor=person_actor(ro),
            candidate=ann,
            body=org.units["north_a_gc"],
            decided_on=timezone.localdate(),
        )

    user = User.objects.create_user(username="cat", password="x-unused-1", person=cat)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()
    page = client.get(f"/elections/{election.pk}/")
    assert page.status_code == 200 and "Stand as a candidate" not in page.content.decode()
    web = client.post(f"/elections/{election.pk}/stand/", {"acceptance": "I accept."})
    assert web.status_code == 409 and SHORTLIST in html.unescape(web.content.decode())

    token = token_create(actor=Actor.system(), user=user, name="t")[1]
    api = client.post(
        f"/api/v1/elections/{election.pk}/candidacy",
        json.dumps({"acceptance": "I accept."}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 409 and api.json()["rule"] == SHORTLIST
    assert not Candidate.objects.filter(election=election, person=cat).exists()
