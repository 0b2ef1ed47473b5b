"""The election pages: the ballot without JavaScript (numbers, errors that keep what was typed, a
confirmation step, a receipt), refusals as pages naming the rule, the workspace only for the officer."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from polity.elections.models import Ballot, Participation


def _polling(walk):
    walk.freeze()
    walk.stand("member", "member2", "secretary")
    walk.open_poll()
    return walk.election


def test_a_ranked_ballot_is_checked_confirmed_and_cast(walk, login):
    election = _polling(walk)
    client = login("national")
    url = f"/elections/{election.pk}/vote/"
    page = client.get(url)
    assert (
        page.status_code == 200
        and b'name="c1"' in page.content
        and b"<script" not in page.content.split(b"<main")[1]
    )
    # A repeated number: refused with both names, what was typed is kept.
    bad = client.post(url, {"c1": "1", "c2": "1", "c3": ""})
    assert bad.status_code == 400
    assert "more than one candidate" in bad.content.decode()
    assert 'value="1"' in bad.content.decode()
    # A gap.
    gap = client.post(url, {"c1": "1", "c2": "3", "c3": ""})
    assert gap.status_code == 400 and "skip 2" in gap.content.decode()
    # Good numbers: the confirmation step, nothing stored yet.
    check = client.post(url, {"c1": "2", "c2": "1", "c3": ""})
    assert check.status_code == 200 and "Is this your ballot?" in check.content.decode()
    assert Ballot.objects.count() == 0
    cast = client.post(url, {"c1": "2", "c2": "1", "c3": "", "confirm": "2 1"})
    body = cast.content.decode()
    assert cast.status_code == 200 and "Your ballot is cast" in body
    assert list(Ballot.objects.values_list("ranking", flat=True)) == ["2 1"]
    # A second ballot is refused with the rule, as a page (409).
    again = client.post(url, {"c1": "1", "confirm": "1"})
    assert again.status_code == 409 and "at most once" in again.content.decode()
    assert Participation.objects.count() == 1


def test_a_confirmation_for_other_marks_is_only_a_check(walk, login):
    election = _polling(walk)
    client = login("national")
    url = f"/elections/{election.pk}/vote/"
    page = client.post(url, {"c1": "1", "c2": "2", "confirm": "2 1"})  # marks changed after confirming
    assert page.status_code == 200 and "Is this your ballot?" in page.content.decode()
    assert Ballot.objects.count() == 0


def test_a_member_off_the_roll_sees_why_and_is_refused(walk, org, login):
    election = _polling(walk)
    client = login("outsider")
    page = client.get(f"/elections/{election.pk}/").content.decode()
    assert "Can I vote?" in page and "not among the voters" in page
    refused = client.post(f"/elections/{election.pk}/vote/", {"c1": "1", "confirm": "1"})
    assert refused.status_code == 409 and "roll" in refused.content.decode()


def test_the_workspace_is_the_returning_officers_only(walk, login):
    election = _polling(walk)
    assert login("national").get(f"/elections/{election.pk}/manage/").status_code == 404
    assert login("member").post(f"/elections/{election.pk}/steps/close/").status_code == 403
    ro = login("ro")
    page = ro.get(f"/elections/{election.pk}/manage/?q=Member")
    assert page.status_code == 200 and "Mina Member" in page.content.decode()
    early = ro.post(f"/elections/{election.pk}/steps/close/")
    assert early.status_code == 409 and "closes on" in early.content.decode()


def test_the_roll_look_up_is_in_the_access_log(walk, org, login):
    from polity.audit.models import EventSubject

    election = _polling(walk)
    login("ro").get(f"/elections/{election.pk}/manage/?q=Member")
    assert EventSubject.objects.filter(
        person_id=org.people["member"].pk, event__verb="election.roll_read"
    ).exists()


def test_the_published_page_offers_the_bundle_and_a_receipt_check(walk, org, login):
    from polity.elections.services import ballot_cast, election_count, election_publish

    election = _polling(walk)
    code = ballot_cast(actor=org.actor("member"), election=election, ranking=[1])
    walk.close()
    election = election_publish(
        actor=walk.ro_actor(), election=election_count(actor=walk.ro_actor(), election=election)
    )
    client = login("outsider")
    page = client.get(f"/elections/{election.pk}/").content.decode()
    assert "Elected:" in page and "ballots.blt" in page and f"--seed {election.seed}" in page
    blt = client.get(f"/elections/{election.pk}/files/ballots.blt")
    assert blt.status_code == 200 and blt.content.decode().startswith("3 1")
    assert client.get(f"/elections/{election.pk}/files/chart.svg")["Content-Type"] == "image/svg+xml"
    assert (
        "among the sealed ballots"
        in client.get(f"/elections/{election.pk}/receipt/?code={code}").content.decode()
    )
    assert (
        "No ballot has this"
        in client.get(f"/elections/{election.pk}/receipt/?code=AAAA-BBBB").content.decode()
    )


def test_my_ballots_lists_the_rolls_i_am_on(walk, login):
    election = _polling(walk)
    client = login("member")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/elections/").content.decode()
    assert election.title in page and "Vote now" in page
    assert len(queries) < 25


def test_change_my_ballot_returns_to_the_form_with_the_numbers(walk, login):
    election = _polling(walk)
    page = login("national").post(f"/elections/{election.pk}/vote/", {"c1": "2", "c2": "1", "change": "1"})
    body = page.content.decode()
    assert page.status_code == 200 and "Check my ballot" in body and 'value="2"' in body


def test_an_officer_on_the_roll_passes_the_second_factor_before_the_ballot(walk, org):
    """What stopped some benchmark voters on a page without a form: office holders (here the branch
    secretary) must pass their second factor before any page, the ballot included. They are sent to it,
    with the ballot as where to return, and reach the form once verified."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    election = _polling(walk)
    url = f"/elections/{election.pk}/vote/"
    client = Client()
    client.force_login(org.users["branchsec"])
    first = client.get(url)
    assert first.status_code == 302 and first["Location"].startswith("/accounts/verify/")
    assert "next=%2Felections%2F" in first["Location"]
    assert client.post(url, {"c1": "1", "confirm": "1"}).status_code == 302  # nothing cast unverified
    assert Ballot.objects.count() == 0
    device = TOTPDevice.objects.create(user=org.users["branchsec"], name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = client.get(url)
    assert page.status_code == 200 and b'name="csrfmiddlewaretoken"' in page.content
    assert b'name="c1"' in page.content


def test_the_ballot_page_says_why_there_is_no_form(walk, org, login):
    from polity.elections.services import ballot_cast

    election = _polling(walk)
    url = f"/elections/{election.pk}/vote/"
    ballot_cast(actor=org.actor("member2"), election=election, ranking=[1])
    voted = login("member2")
    page = voted.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "is cast" in body and 'name="c1"' not in body
    check = voted.post(url, {"c1": "1"})  # the check step too: nothing to confirm
    assert check.status_code == 409 and "is cast" in check.content.decode()
    outsider = login("outsider").get(url).content.decode()
    assert "not on the roll" in outsider and "Can I vote?" in outsider and 'name="c1"' not in outsider
    walk.close()
    closed = login("member").get(url).content.decode()
    assert "the poll is closed" in closed and 'name="c1"' not in closed
    late = login("member").post(url, {"c1": "1", "confirm": "1"})
    assert late.status_code == 409 and "only while the poll is open" in late.content.decode()
    assert Ballot.objects.count() == 1


def test_the_three_ballot_requests_are_cheap(walk, login):
    """The form, the check and the cast read the session, the user, the second factor's device (this member
    has one), the offices and grants in force (one statement for the middleware and the nav), the election
    and the voter's line on the roll; the ballot paper once per process (it is fixed when the poll opens);
    the cast adds three statements in one transaction. Was 9, 8, 12 before the offices and grants were read
    in one statement."""
    election = _polling(walk)
    client = login("member2")
    url = f"/elections/{election.pk}/vote/"
    counts = []
    for data in (None, {"c1": "2", "c2": "1"}, {"c1": "2", "c2": "1", "confirm": "2 1"}):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url) if data is None else client.post(url, data)
        assert page.status_code == 200
        counts.append(len(queries))
    assert "Your ballot is cast" in page.content.decode()
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert len(writes) == 2  # the participation and the ballot; no session or last-seen write
    assert counts[0] <= 7 and counts[1] <= 6 and counts[2] <= 10, counts


def test_a_body_nomination_is_recorded_by_its_officer_by_name_and_refused_to_a_member(walk, login, org):
    """The form names the body and the candidate by name; only whoever may act for a nominating body (the
    secretary of North A here, messages.send there) or the returning officer may use it."""
    from polity.elections.models import Nomination

    walk.freeze()
    from polity.elections.services import candidate_nominate

    candidate_nominate(actor=org.actor("member2"), election=walk.election)
    type(walk.election).objects.filter(pk=walk.election.pk).update(needs_body_nominations=True)
    url = f"/elections/{walk.election.pk}/nominations/"
    body = org.units["north_a_gc"]
    member = login("member")
    assert member.get(url).status_code == 403
    detail = f"/elections/{walk.election.pk}/"
    assert url not in member.get(detail).content.decode()  # no link to a form she may not use
    refused = member.post(url, {"body": body.name, "candidate": "Mo Member", "decided_on": "2026-01-01"})
    assert refused.status_code == 403 and not Nomination.objects.exists()

    secretary = login("secretary")
    assert url in secretary.get(detail).content.decode()
    page = secretary.get(url)
    assert page.status_code == 200 and body.name in page.content.decode()
    name = walk.election.candidates.get().ballot_name
    wrong = secretary.post(url, {"body": "No Such Body", "candidate": name, "decided_on": "2026-01-01"})
    assert wrong.status_code == 400 and "by its name" in wrong.content.decode()
    done = secretary.post(url, {"body": body.name, "candidate": name, "decided_on": "2026-01-01"})
    assert done.status_code == 302
    nomination = Nomination.objects.get()
    assert nomination.body == body and nomination.candidate.ballot_name == name
    again = secretary.post(url, {"body": body.name, "candidate": name, "decided_on": "2026-01-01"})
    assert again.status_code == 409 and "already nominated" in again.content.decode()
