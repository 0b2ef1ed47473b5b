"""An office ends only at its term's end, by the holder's resignation, by the appointing body's recorded
decision, or by a case (tested in polity/cases/tests/test_removal.py). Every ending emails the holder.
Appointments check the rulebook's eligibility and refuse with the rule's name."""

from datetime import date, timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from polity.access.eligibility import Ineligible
from polity.access.models import Ending, OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.access.services import (
    office_appoint,
    office_end_by_decision,
    office_reinstate_by_case,
    office_remove_by_case,
    office_resign,
    office_terms_notify_ended,
)
from polity.access.tests.conftest import deliver
from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.members.models import Status
from polity.org.services import body_create
from polity.outbox.models import Dispatch, OutboxEntry


def emails_to(person):
    """The statutory access notices queued for `person` (subject, body)."""
    ids = OutboxEntry.objects.filter(person=person).values_list("dispatch_id", flat=True)
    return list(
        Dispatch.objects.filter(
            pk__in=list(ids), source_type="access.notice", purpose="statutory"
        ).values_list("subject", "body")
    )


@pytest.fixture
def exec_body(org):
    return body_create(actor=Actor.system(), unit=org.units["north_a"], kind="executive_committee")


# --- eligibility -------------------------------------------------------------------------------------


def test_a_member_who_joined_today_is_refused_naming_the_rule(org):
    from conftest import make_person

    newcomer = make_person(org.units["north_a_1"], "Nia", "New")
    newcomer.joined_on = timezone.localdate()
    newcomer.save(update_fields=["joined_on"])
    with pytest.raises(Ineligible) as info:
        office_appoint(
            actor=org.actor("regional"),
            person=newcomer,
            office="delegate",
            unit=org.units["north_a"],
            body=org.units["north_a_gc"],
        )
    message = str(info.value)
    assert message.startswith("membership.min_length_to_hold_office: joined ")
    assert f"joined {timezone.localdate():%Y-%m-%d}, needs 6 months" in message
    assert not OfficeTerm.objects.filter(person=newcomer).exists()


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"status": Status.IN_ARREARS}, "membership.arrears_grace"),
        ({"paid_until": date(2020, 1, 1)}, "membership.arrears_grace"),
        ({"status": Status.SUSPENDED}, "standing: the member is suspended"),
        ({"status": Status.LAPSED}, "standing: the membership is lapsed"),
    ],
)
def test_standing_is_checked(org, change, rule):
    person = org.people["member"]
    for field, value in change.items():
        setattr(person, field, value)
    person.save()
    with pytest.raises(Ineligible, match=rule):
        office_appoint(actor=Actor.system(), person=person, office="treasurer", unit=org.units["north_a"])


def test_staff_roles_are_not_offices_of_members(org):
    from conftest import make_person

    panel = make_person(org.units["south_a_1"], "Ira", "Independent")
    panel.joined_on = timezone.localdate()
    panel.save(update_fields=["joined_on"])
    term = office_appoint(
        actor=Actor.system(), person=panel, office="complaints_officer", unit=org.units["north"]
    )
    assert term.pk


# --- resignation -------------------------------------------------------------------------------------


def test_the_holder_resigns_after_confirming_and_is_emailed(org, sent):
    term = org.terms["secretary"]
    with pytest.raises(InvalidInput, match="confirm"):
        office_resign(actor=org.actor("secretary"), term=term, confirm=False)
    for other in ("regional", "national", "branchsec"):
        with pytest.raises(NotVisible):
            office_resign(actor=org.actor(other), term=term, confirm=True)
    office_resign(actor=org.actor("secretary"), term=term, confirm=True, reason="moving away")
    term.refresh_from_db()
    assert term.ended_how == Ending.RESIGNATION and term.ended_reason == "moving away"
    assert not has_perm(org.actor("secretary"), Perm.MEMBERS_VIEW, org.units["north_a"])
    assert Event.objects.filter(verb="office.resignation").exists()
    deliver()
    (email,) = [e for e in sent.emails if e.to == org.people["secretary"].email]
    assert "You resigned as Secretary of North A" in email.subject and "moving away" in email.body
    with pytest.raises(DomainError, match="already ended"):
        office_resign(actor=org.actor("secretary"), term=term, confirm=True)


def test_resigning_on_the_web(org, login):
    term = org.terms["secretary"]
    me = login("secretary")
    page = me.get(reverse("web:me"))
    url = reverse("web:office_resign", kwargs={"term_id": term.pk})
    assert url.encode() in page.content
    assert me.post(url, {}).status_code == 422  # not confirmed
    assert login("regional").post(url, {"confirm": "on"}).status_code == 404  # not theirs
    assert me.post(url, {"confirm": "on", "reason": "moving"}).status_code == 302
    term.refresh_from_db()
    assert term.ended_how == Ending.RESIGNATION
    assert me.get(url).status_code == 404  # ended: nothing left to resign


def test_resigning_over_the_api(org, api):
    term = org.terms["branchsec"]
    path = f"/me/offices/{term.pk}/resign"
    assert api("branchsec", "post", path, {}).status_code == 422
    assert api("national", "post", path, {"confirm": True}).status_code == 404
    response = api("branchsec", "post", path, {"confirm": True})
    assert response.status_code == 200 and response.json()["ended_how"] == "resignation"


# --- the appointing body's decision ---------------------------------------------------------------------


def test_the_old_end_form_is_gone(org, login):
    with pytest.raises(NoReverseMatch):
        reverse("web:office_end", kwargs={"term_id": 1})
    regional = login("regional")
    assert regional.post(f"/offices/{org.terms['secretary'].pk}/end/", {"reason": "coup"}).status_code == 404
    page = regional.get(reverse("web:unit", kwargs={"unit_id": org.units["north_a"].pk}))
    assert b"End term" not in page.content
    assert b"Record the appointing body" in page.content and reverse("cases:new").encode() in page.content
    assert OfficeTerm.objects.get(pk=org.terms["secretary"].pk).ends_at is None


def test_a_body_decision_names_the_body_the_date_and_reasons(org, exec_body, sent):
    term = org.terms["secretary"]
    regional = org.actor("regional")
    today = timezone.localdate()
    ok = {"body": exec_body, "decided_on": today, "reasons": "Did not call the AGM for two years."}
    for bad, match in (
        ({"body": None}, "body: name"),
        ({"reasons": "  "}, "reasons"),
        ({"decided_on": None}, "decided_on"),
        ({"decided_on": today + timedelta(days=1)}, "before it is taken"),
        ({"decided_on": date(2000, 1, 1)}, "predates"),
    ):
        with pytest.raises(InvalidInput, match=match):
            office_end_by_decision(actor=regional, term=term, **{**ok, **bad})
    other_unit = body_create(actor=Actor.system(), unit=org.units["south_a"], kind="executive_committee")
    with pytest.raises(InvalidInput, match="appoints to it"):
        office_end_by_decision(actor=regional, term=term, **{**ok, "body": other_unit})
    for who in ("secretary", "branchsec", "member"):
        with pytest.raises(Forbidden):
            office_end_by_decision(actor=org.actor(who), term=term, **ok)
    assert OfficeTerm.objects.get(pk=term.pk).ends_at is None

    office_end_by_decision(actor=regional, term=term, **ok)
    term.refresh_from_db()
    assert term.ended_how == Ending.BODY_DECISION and term.ended_body == exec_body
    assert term.ended_decided_on == today
    deliver()
    (email,) = [e for e in sent.emails if e.to == org.people["secretary"].email]
    assert "Did not call the AGM for two years." in email.body
    assert "How to contest it" in email.body and "complaint" in email.body


def test_a_body_decision_on_the_web(org, exec_body, login):
    term = org.terms["secretary"]
    url = reverse("web:office_decision", kwargs={"term_id": term.pk})
    regional = login("regional")
    form = regional.get(url)
    assert form.status_code == 200 and exec_body.name.encode() in form.content  # picked from a list
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert regional.post(url, {"body": exec_body.pk, "decided_on": today, "reasons": ""}).status_code == 422
    assert regional.post(url, {"decided_on": today, "reasons": "x"}).status_code == 422
    south = login("outsider")
    assert south.get(url).status_code == 404
    secretary = login("secretary")  # sees offices, cannot manage them
    assert secretary.post(url, {"body": exec_body.pk, "decided_on": today, "reasons": "x"}).status_code == 403
    done = regional.post(url, {"body": exec_body.pk, "decided_on": today, "reasons": "Decided by the EC."})
    assert done.status_code == 302
    assert OfficeTerm.objects.get(pk=term.pk).ended_how == Ending.BODY_DECISION


def test_a_body_decision_over_the_api(org, exec_body, api):
    term = org.terms["secretary"]
    path = f"/offices/{term.pk}/body-decision"
    today = f"{timezone.localdate():%Y-%m-%d}"
    body = {"body": exec_body.pk, "decided_on": today, "reasons": "Decided by the EC."}
    assert api("regional", "post", path, {**body, "reasons": ""}).status_code == 422
    assert (
        api("regional", "post", path, {**body, "body": org.units["north_a_gc"].pk + 999}).status_code == 422
    )
    assert api("outsider", "post", path, body).status_code == 404
    assert api("secretary", "post", path, body).status_code == 403
    response = api("regional", "post", path, body)
    assert response.status_code == 200 and response.json()["ended_how"] == "body_decision"


# --- a case, and the end of a term ----------------------------------------------------------------------


def test_only_a_case_removes_against_the_holders_will(org):
    with pytest.raises(Forbidden, match="outcome of a case"):
        office_remove_by_case(
            actor=org.actor("national"), term=org.terms["secretary"], case_reference="C-1", reasons="x"
        )
    with pytest.raises(Forbidden, match="outcome of a case"):
        office_reinstate_by_case(actor=org.actor("national"), case_reference="C-1", reasons="x")


def test_a_term_that_runs_out_is_told_once(org, sent):
    now = timezone.now()
    term = office_appoint(
        actor=Actor.system(),
        person=org.people["member"],
        office="treasurer",
        unit=org.units["north_a"],
        starts_at=now - timedelta(days=400),
        ends_at=now - timedelta(days=1),
    )
    assert office_terms_notify_ended(actor=Actor.system()) == 1
    assert office_terms_notify_ended(actor=Actor.system()) == 0
    term.refresh_from_db()
    assert term.ended_how == Ending.TERM and term.end_notified_at is not None
    assert len(emails_to(org.people["member"])) == 1
    with pytest.raises(Forbidden):
        office_terms_notify_ended(actor=org.actor("national"))
