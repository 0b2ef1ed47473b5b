"""The meetings pages: a secretary runs a meeting, members sign in and vote, refusals read as words."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from polity.meetings.models import Meeting, Motion


def test_the_secretary_calls_gives_notice_and_runs_a_meeting(org, gc, login, sent):
    secretary = login("secretary")
    body_page = secretary.get(f"/meetings/bodies/{gc.body.pk}/")
    assert body_page.status_code == 200 and b"Call a meeting" in body_page.content
    assert b"Mina Member" in body_page.content  # the members, with why they sit
    starts = (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "kind": "ordinary",
        "title": "GC, spring",
        "starts_at": starts,
        "place": "Hall",
        "agenda": "Minutes\nBuses",
    }
    called = secretary.post(f"/meetings/bodies/{gc.body.pk}/call/", form)
    meeting = Meeting.objects.get(title="GC, spring")
    assert called.status_code == 302 and called["Location"] == f"/meetings/{meeting.pk}/"
    confirm = secretary.get(f"/meetings/{meeting.pk}/notice/")
    assert b"12 people entitled" in confirm.content and b"is late" not in confirm.content
    assert secretary.post(f"/meetings/{meeting.pk}/notice/").status_code == 302
    assert secretary.post(f"/meetings/{meeting.pk}/open/").status_code == 302
    for person in gc.delegates[:10]:
        r = secretary.post(
            f"/meetings/{meeting.pk}/attendance/", {"person": person.membership_number, "presence": "present"}
        )
        assert r.status_code == 302, r.content
    page = secretary.get(f"/meetings/{meeting.pk}/")
    assert b"quorate" in page.content and b"inquorate" not in page.content


def test_a_typo_in_attendance_keeps_what_was_typed(org, gc, login, in_session):
    response = login("secretary").post(
        f"/meetings/{in_session.pk}/attendance/", {"person": "Nobody Here", "presence": "present"}
    )
    assert response.status_code == 400
    assert b"Nobody Here" in response.content and b"No member" in response.content


def test_members_sign_in_and_vote_from_the_vote_page(org, gc, login, called):
    from polity.meetings.services.business import motion_submit, motion_vote_open
    from polity.meetings.services.meetings import meeting_open
    from polity.meetings.tests.conftest import person_actor

    meeting = meeting_open(actor=org.actor("secretary"), meeting=called)
    motion = motion_submit(
        actor=person_actor(gc.delegates[2]),
        meeting=meeting,
        title="Buses",
        text="Better buses.",
        seconder=gc.delegates[3],
        now=meeting.created_at,
    )
    member = login("member")
    page = member.get(f"/meetings/{meeting.pk}/vote/")
    assert b"sign me in" in page.content
    member.post(f"/meetings/{meeting.pk}/sign-in/", {"next": f"/meetings/{meeting.pk}/vote/"})
    secretary = login("secretary")
    from polity.meetings.services.attendance import attendance_record

    for person in gc.delegates[1:10]:
        attendance_record(actor=org.actor("secretary"), meeting=meeting, person=person, presence="present")
    motion_vote_open(actor=org.actor("secretary"), motion=motion, method="secret")
    page = member.get(f"/meetings/{meeting.pk}/vote/")
    assert b"Cast my vote" in page.content
    voted = member.post(
        f"/meetings/{meeting.pk}/cast/",
        {"motion": motion.pk, "choice": "for", "next": f"/meetings/{meeting.pk}/vote/"},
    )
    assert voted.status_code == 302
    assert (
        b"Your vote is recorded"
        in member.get(f"/meetings/{meeting.pk}/vote/", HTTP_HX_REQUEST="true").content
    )
    again = member.post(f"/meetings/{meeting.pk}/cast/", {"motion": motion.pk, "choice": "against"})
    assert again.status_code == 409 and b"already voted" in again.content
    results = secretary.get(f"/meetings/{meeting.pk}/results/")
    assert b"1 voted so far" in results.content  # a secret vote shows no running split
    secretary.post(f"/meetings/{meeting.pk}/vote-close/", {"motion": motion.pk})
    motion.refresh_from_db()
    assert motion.state == "carried" and motion.votes_for == 1


def test_business_of_an_inquorate_meeting_is_refused_in_words(org, gc, login, called):
    from polity.meetings.services.business import motion_submit
    from polity.meetings.services.meetings import meeting_open
    from polity.meetings.tests.conftest import person_actor

    meeting = meeting_open(actor=org.actor("secretary"), meeting=called)
    motion = motion_submit(
        actor=person_actor(gc.delegates[2]),
        meeting=meeting,
        title="Buses",
        text="x",
        seconder=gc.delegates[3],
        now=meeting.created_at,
    )
    r = login("secretary").post(
        f"/meetings/{meeting.pk}/counts/", {"motion": motion.pk, "votes_for": 1, "against": 0, "abstain": 0}
    )
    assert r.status_code == 409 and b"inquorate" in r.content
    assert Motion.objects.get(pk=motion.pk).state == "submitted"


def test_pages_refuse_outsiders_like_missing_pages(org, gc, login, called):
    outsider = login("outsider")
    assert outsider.get(f"/meetings/{called.pk}/").status_code == 404
    assert outsider.get(f"/meetings/bodies/{gc.body.pk}/").status_code == 404
    assert outsider.post(f"/meetings/{called.pk}/open/").status_code == 404
    assert login("member").post(f"/meetings/{called.pk}/open/").status_code == 403


def test_my_meetings_and_a_revocable_calendar_feed(org, gc, login, called, client):
    member = login("member")
    page = member.get("/meetings/")
    assert called.title.encode() in page.content
    member.post("/meetings/feed/renew/")
    page = member.get("/meetings/")
    url = page.context["feed_url"]
    assert url and "/meetings/feed/" in url
    path = url.split("testserver", 1)[1]
    feed = client.get(path)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in feed.content and b"SUMMARY:General committee\\, January" in feed.content
    member.post("/meetings/feed/revoke/")
    assert client.get(path).status_code == 404


def test_members_requisition_a_meeting_and_the_region_calls_it_when_the_secretary_does_not(org, gc, login):
    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.deadlines.models import Deadline
    from polity.deadlines.services import deadlines_escalate
    from polity.meetings.models import Requisition

    signers = ["member", "member2"]
    for person in gc.delegates[2:5]:
        org.users[person.given_name] = User.objects.create_user(username=person.given_name, person=person)
        signers.append(person.given_name)
    first = login(signers[0])
    assert first.post(f"/meetings/bodies/{gc.body.pk}/requisition/", {"purpose": ""}).status_code == 400
    started = first.post(f"/meetings/bodies/{gc.body.pk}/requisition/", {"purpose": "Reselect our candidate"})
    assert started.status_code == 302
    requisition = Requisition.objects.get(body=gc.body)
    again = first.post(f"/meetings/requisitions/{requisition.pk}/sign/")
    assert again.status_code == 409 and b"already signed" in again.content
    # Someone who sees the body but does not sit on it cannot sign; an outsider cannot even see it.
    assert login("branchsec").post(f"/meetings/requisitions/{requisition.pk}/sign/").status_code == 409
    assert login("outsider").post(f"/meetings/requisitions/{requisition.pk}/sign/").status_code == 404
    for name in signers[1:4]:
        assert login(name).post(f"/meetings/requisitions/{requisition.pk}/sign/").status_code == 302
    requisition.refresh_from_db()
    assert requisition.submitted_at is None  # four of five
    page = login(signers[4]).get(f"/meetings/bodies/{gc.body.pk}/")
    assert b"4 of 5 signatures" in page.content and b"Sign this requisition" in page.content
    assert login(signers[4]).post(f"/meetings/requisitions/{requisition.pk}/sign/").status_code == 302
    requisition.refresh_from_db()
    deadline = Deadline.objects.get(pk=requisition.deadline_id)
    assert requisition.submitted_at is not None and deadline.owner_unit == org.units["north_a"]
    assert deadline.rule_key == "meetings.requisition_call_within"
    # The secretary lets the deadline pass: it escalates to the region, shown on the body's page.
    deadlines_escalate(actor=Actor.system(), now=deadline.due_at + timedelta(minutes=1))
    page = login("member").get(f"/meetings/bodies/{gc.body.pk}/")
    assert b"overdue, passed to North" in page.content
    # The region's officer calls the requisitioned meeting from the call page.
    regional = login("regional")
    form_page = regional.get(f"/meetings/bodies/{gc.body.pk}/call/?requisition={requisition.pk}")
    assert b"Reselect our candidate" in form_page.content
    starts = (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    called = regional.post(
        f"/meetings/bodies/{gc.body.pk}/call/",
        {
            "requisition": requisition.pk,
            "kind": "special",
            "title": "Special general committee",
            "starts_at": starts,
            "place": "Hall",
            "agenda": "Reselection",
        },
    )
    assert called.status_code == 302, called.content
    requisition.refresh_from_db()
    deadline.refresh_from_db()
    assert requisition.meeting is not None and requisition.meeting.called_how == "requisition"
    assert deadline.state == "met"
    assert login("member").post(f"/meetings/requisitions/{requisition.pk}/sign/").status_code == 409


def test_an_action_never_sends_the_browser_to_another_site(org, gc, login, called):
    from polity.meetings.services.meetings import meeting_open

    meeting_open(actor=org.actor("secretary"), meeting=called)
    response = login("member").post(f"/meetings/{called.pk}/sign-in/", {"next": "https://evil.example/phish"})
    assert response.status_code == 302 and response["Location"] == f"/meetings/{called.pk}/"
    kept = login("member2").post(f"/meetings/{called.pk}/sign-in/", {"next": f"/meetings/{called.pk}/vote/"})
    assert kept["Location"] == f"/meetings/{called.pk}/vote/"
