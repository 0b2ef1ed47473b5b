"""Home, my page, units and offices, grants, and the audit status page: who sees what."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from polity.access.models import Grant
from polity.access.services import grant_give, office_resign
from polity.audit.models import Event
from polity.common.actor import Actor


def test_an_officers_home_shows_their_offices_with_end_dates(org, login):
    response = login("secretary").get(reverse("web:home"))
    assert response.status_code == 200
    assert "Secretary" in response.text and "North A" in response.text and "no end date" in response.text
    assert reverse("web:members") in response.text


def test_a_member_is_sent_to_their_own_page(login):
    response = login("member").get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"] == reverse("web:me")


def test_my_page_shows_who_viewed_my_data_newest_first(org, login):
    login("secretary").get(reverse("web:member", kwargs={"member_id": org.people["member"].pk}))
    login("regional").get(reverse("web:members"), {"q": "Mina"})
    page = login("member").get(reverse("web:me"))
    assert page.status_code == 200
    entries = page.context["entries"]
    assert [(e.who, e.verb) for e in entries[:2]] == [
        ("Rhys Regional, Regional officer of North", "members.list"),
        ("Sam Secretary, Secretary of North A", "member.view"),
    ]
    assert (
        "Opened the member&#x27;s record" in page.text and "Sam Secretary, Secretary of North A" in page.text
    )
    assert ">secretary<" not in page.text and ">regional<" not in page.text  # no login names
    assert org.people["member"].email in page.text  # one's own contact details


def test_a_revoked_grant_tells_the_holder_on_their_page(org, login):
    grant = grant_give(
        actor=org.actor("regional"),
        person=org.people["member"],
        permissions=["members.view"],
        unit=org.units["north_a_2"],
        purpose="canvass",
        expires_at=timezone.now() + timedelta(days=7),
    )
    client = login("regional")
    url = reverse("web:grant_revoke", kwargs={"grant_id": grant.pk})
    assert client.post(url, {"reason": " "}).status_code == 422  # a reason is needed
    assert client.post(url, {"reason": "canvass over"}).status_code == 302
    assert Grant.objects.get(pk=grant.pk).revoke_reason == "canvass over"
    page = login("member").get(reverse("web:me"))
    assert "Your access was revoked" in page.text and "canvass over" in page.text


def test_an_ended_office_is_noticed_on_the_home_page(org, login):
    office_resign(
        actor=org.actor("branchsec"), term=org.terms["branchsec"], confirm=True, reason="stood down"
    )
    page = login("branchsec").get(reverse("web:home"), follow=True)
    assert "stood down" in page.text


@pytest.mark.parametrize(
    ("viewer", "unit", "status"),
    [
        ("secretary", "north_a", 200),
        ("secretary", "north_a_1", 200),
        ("secretary", "north", 404),
        ("secretary", "south_a", 404),
        ("regional", "north", 200),
        ("regional", "south", 404),
        ("national", "south_a_1", 200),
        ("member", "north_a_2", 404),
    ],
)
def test_who_sees_a_units_office_holders(org, login, viewer, unit, status):
    response = login(viewer).get(reverse("web:unit", kwargs={"unit_id": org.units[unit].pk}))
    assert response.status_code == status


def test_the_unit_tree_is_scoped(org, login):
    names = [u.name for u in login("secretary").get(reverse("web:units")).context["units"]]
    assert names == ["North A", "North A 1", "North A 2"]
    assert login("member").get(reverse("web:units")).status_code == 404


def test_holders_show_with_their_terms(org, login):
    page = login("regional").get(reverse("web:unit", kwargs={"unit_id": org.units["north_a"].pk}))
    assert "Sam Secretary" in page.text and "Secretary" in page.text


@pytest.mark.parametrize(
    ("viewer", "status"), [("regional", 200), ("national", 200), ("secretary", 404), ("member", 404)]
)
def test_who_manages_grants(login, viewer, status):
    assert login(viewer).get(reverse("web:grants")).status_code == status


def test_giving_a_grant_through_the_form(org, login):
    client = login("regional")
    data = {
        "holder": org.people["member"].membership_number,
        "permissions": ["members.view"],
        "unit": org.units["north_a"].pk,
        "purpose": "phone bank",
        "expires_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }
    asked = client.post(reverse("web:grants"), data)  # first: what the grant allows, to whom, until when
    assert asked.status_code == 200 and "Give Mina Member access over North A?" in asked.text
    assert "may members: view over North A and every unit below it" in asked.text
    assert not Grant.objects.exists()
    assert client.post(reverse("web:grants"), {**data, "confirm": "yes"}).status_code == 302
    assert Grant.objects.get(person=org.people["member"]).purpose == "phone bank"
    number = org.people["outsider"].membership_number
    refused = client.post(reverse("web:grants"), dict(data, holder=number))
    assert refused.status_code == 422 and f"No member {number} in your area." in refused.text
    assert f'value="{number}"' in refused.text  # what was typed stays
    by_name = client.post(reverse("web:grants"), dict(data, holder="Member, Milo", purpose="canvass"))
    assert by_name.status_code == 200 and org.people["member2"].membership_number in by_name.text
    confirmed = client.post(
        reverse("web:grants"),
        dict(data, holder=org.people["member2"].membership_number, purpose="canvass", confirm="yes"),
    )
    assert confirmed.status_code == 302
    assert Grant.objects.get(person=org.people["member2"]).purpose == "canvass"
    beyond = dict(data, permissions=["audit.view"])  # the regional officer does not hold it to give
    assert client.post(reverse("web:grants"), beyond).status_code == 403


def test_a_grant_outside_scope_is_not_visible(org, login):
    grant = grant_give(
        actor=org.actor("national"),
        person=org.people["outsider"],
        permissions=["members.view"],
        unit=org.units["south_a"],
        purpose="x",
        expires_at=timezone.now() + timedelta(days=1),
    )
    response = login("regional").get(reverse("web:grant_revoke", kwargs={"grant_id": grant.pk}))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("viewer", "status"), [("dpo", 200), ("national", 404), ("secretary", 404), ("member", 404)]
)
def test_only_the_dpo_sees_the_audit_status(login, viewer, status):
    assert login(viewer).get(reverse("web:audit")).status_code == status


def test_the_dpo_verifies_the_log_on_demand(org, login):
    client = login("dpo")
    assert "never run" in client.get(reverse("web:audit")).text
    response = client.post(reverse("web:audit_verify"), follow=True)
    assert response.status_code == 200
    assert "The log is intact" in response.text
    assert response.context["status"].last_check["ok"] is True
    assert response.context["status"].chain_length == Event.objects.count()
    assert login("secretary").post(reverse("web:audit_verify")).status_code == 404


def test_the_dpo_reads_a_members_access_log_and_that_is_recorded(org, login):
    client = login("dpo")
    member_id = org.people["member"].pk
    record = client.get(reverse("web:member", kwargs={"member_id": member_id}))
    assert reverse("web:member_access_log", kwargs={"member_id": member_id}) in record.text
    assert client.get(reverse("web:member_access_log", kwargs={"member_id": member_id})).status_code == 200
    assert Event.objects.order_by("-seq").first().verb == "audit.read_log"
    assert (
        login("secretary").get(reverse("web:member_access_log", kwargs={"member_id": member_id})).status_code
        == 404
    )


def test_error_pages_are_ours(login):
    response = login("secretary").get("/members/99999999/")
    assert response.status_code == 404 and "nothing you may see" in response.text


def test_a_staff_account_without_a_person_gets_a_home_page(org, client):
    from polity.accounts.models import User

    user = User.objects.create_user("helpdesk", password="x-long-password-1")
    client.force_login(user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert client.get(reverse("web:me")).status_code == 404


def test_a_body_decision_ending_a_term_tells_the_holder_and_cuts_access(org, login):
    from django.utils import timezone

    from polity.org.services import body_create

    body = body_create(actor=Actor.system(), unit=org.units["north_a_1"], kind="executive_committee")
    term = org.terms["branchsec"]
    url = reverse("web:office_decision", kwargs={"term_id": term.pk})
    today = f"{timezone.localdate():%Y-%m-%d}"
    decision = {"body": body.pk, "decided_on": today, "reasons": "did not call the AGM"}
    assert login("secretary").post(url, decision).status_code == 403  # sees offices, cannot manage
    assert login("outsider").get(url).status_code == 404
    client = login("regional")
    unit_page = client.get(reverse("web:unit", kwargs={"unit_id": org.units["north_a_1"].pk}))
    assert url in unit_page.text
    assert client.post(url, {**decision, "reasons": ""}).status_code == 422
    assert client.post(url, decision).status_code == 302
    assert Event.objects.filter(verb="office.body_decision").exists()
    branchsec = login("branchsec")
    assert branchsec.get(reverse("web:members")).status_code == 404
    assert "did not call the AGM" in branchsec.get(reverse("web:me")).text
    again = login("regional").post(url, {**decision, "reasons": "again"})
    assert again.status_code == 422 and "already ended" in again.text  # said on the form
