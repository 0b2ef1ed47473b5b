"""Temporary restrictions of access to personal data: reasons, a review date within the rulebook's limit,
an email to every holder affected, the policy withholding personal data (web and API), review (lift or
renew) and escalation of an overdue review."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from polity.access.models import Restriction
from polity.access.perms import Perm
from polity.access.policy import has_perm, visible_members
from polity.access.restrictions import RestrictionRefused, restriction_impose, restriction_review
from polity.access.tests.conftest import deliver
from polity.access.tests.test_offices import emails_to
from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, InvalidInput, NotVisible
from polity.deadlines.models import Deadline, State
from polity.deadlines.services import deadlines_escalate
from polity.members.models import Person


def soon(days=14):
    return timezone.now() + timedelta(days=days)


def restrict(org, who="regional", unit="north_a", person=None, days=14, reasons="Register shared outside."):
    return restriction_impose(
        actor=org.actor(who),
        unit=org.units[unit],
        person=org.people[person] if person else None,
        reasons=reasons,
        review_at=soon(days),
    )


def test_a_restricted_officer_loses_personal_data_and_nothing_else(org, sent):
    member = org.people["member"]
    assert has_perm(org.actor("secretary"), Perm.MEMBERS_VIEW, org.units["north_a"])
    restriction = restrict(org, person="secretary")
    secretary = org.actor("secretary")
    assert not visible_members(Person.objects.all(), actor=secretary).exists()
    assert not has_perm(secretary, Perm.MEMBERS_VIEW, member.home_unit)
    assert has_perm(secretary, Perm.OFFICES_VIEW, org.units["north_a"])  # still holds the office
    assert has_perm(org.actor("branchsec"), Perm.MEMBERS_VIEW, org.units["north_a_1"])  # not named
    assert Event.objects.filter(verb="access.restrict", object_id=str(restriction.pk)).exists()
    deliver()
    (email,) = [e for e in sent.emails if e.to == org.people["secretary"].email]
    assert "restricted" in email.subject and "Register shared outside." in email.body
    assert "Governance notices of North A keep going out" in email.body


def test_a_unit_restriction_covers_every_holder_below_and_emails_each(org):
    restrict(org, unit="north_a")
    for name in ("secretary", "branchsec"):
        assert not has_perm(org.actor(name), Perm.MEMBERS_VIEW, org.units["north_a_1"])
        assert len(emails_to(org.people[name])) == 1
    assert has_perm(org.actor("regional"), Perm.MEMBERS_VIEW, org.units["north_a_1"])  # above it
    assert emails_to(org.people["regional"]) == []


def test_refusals(org):
    with pytest.raises(RestrictionRefused, match="access.restriction_review_max"):
        restrict(org, person="secretary", days=8 * 7 + 1)
    with pytest.raises(RestrictionRefused, match="access.restriction_review_max"):
        restriction_impose(
            actor=org.actor("regional"),
            unit=org.units["north_a"],
            reasons="x",
            review_at=None,
        )
    with pytest.raises(RestrictionRefused, match="reasons"):
        restrict(org, person="secretary", reasons=" ")
    with pytest.raises(InvalidInput, match="holds no office"):
        restrict(org, person="member2")
    for who, unit in (("secretary", "north_a_1"), ("branchsec", "north_a_1"), ("regional", "south_a")):
        with pytest.raises(NotVisible):
            restrict(org, who=who, unit=unit)
    assert not Restriction.objects.exists()


def test_review_lifts_and_restores_or_renews_within_the_limit(org):
    restriction = restrict(org, person="secretary")
    deadline = Deadline.objects.get(subject_type="access.restriction", subject_id=str(restriction.pk))
    assert (
        deadline.rule_key == "access.restriction_review_grace" and deadline.owner_unit == org.units["north"]
    )
    with pytest.raises(RestrictionRefused, match="reasons"):
        restriction_review(actor=org.actor("regional"), restriction=restriction, reasons="", lift=True)
    with pytest.raises(RestrictionRefused, match="access.restriction_review_max"):
        restriction_review(
            actor=org.actor("regional"),
            restriction=restriction,
            reasons="still",
            lift=False,
            next_review_at=soon(60),
        )
    with pytest.raises(NotVisible):
        restriction_review(actor=org.actor("secretary"), restriction=restriction, reasons="mine", lift=True)
    restriction_review(
        actor=org.actor("regional"),
        restriction=restriction,
        reasons="Inquiry ongoing.",
        lift=False,
        next_review_at=soon(30),
    )
    deadline.refresh_from_db()
    assert deadline.state == State.MET
    assert Deadline.objects.filter(subject_id=str(restriction.pk), state=State.OPEN).count() == 1
    assert not has_perm(org.actor("secretary"), Perm.MEMBERS_VIEW, org.units["north_a"])
    restriction_review(actor=org.actor("national"), restriction=restriction, reasons="Cleared.", lift=True)
    assert has_perm(org.actor("secretary"), Perm.MEMBERS_VIEW, org.units["north_a"])
    assert not Deadline.objects.filter(subject_id=str(restriction.pk), state=State.OPEN).exists()
    assert len(emails_to(org.people["secretary"])) == 3  # imposed, renewed, lifted
    with pytest.raises(DomainError, match="already lifted"):
        restriction_review(actor=org.actor("national"), restriction=restriction, reasons="again", lift=True)


def test_an_overdue_review_escalates_above_the_authority(org):
    restriction = restrict(org, person="secretary")
    deadlines_escalate(actor=Actor.system(), now=restriction.review_at + timedelta(minutes=1))
    deadline = Deadline.objects.get(subject_type="access.restriction", subject_id=str(restriction.pk))
    assert deadline.state == State.ESCALATED and deadline.escalated_to == org.units["national"]
    assert not has_perm(org.actor("secretary"), Perm.MEMBERS_VIEW, org.units["north_a"])  # still in force


def test_the_restricted_officer_cannot_open_member_records_on_the_web_or_api(org, login, api):
    member = org.people["member"]
    record = reverse("web:member", kwargs={"member_id": member.pk})
    assert login("secretary").get(record).status_code == 200
    assert api("secretary", "get", f"/members/{member.pk}").status_code == 200
    assert api("secretary", "get", "/members").json()["items"] != []
    restriction = restrict(org, person="secretary")
    assert login("secretary").get(record).status_code == 404
    assert login("secretary").get(reverse("web:members")).status_code == 404
    assert api("secretary", "get", f"/members/{member.pk}").status_code == 404
    listed = api("secretary", "get", "/members")
    assert listed.status_code == 404 or listed.json()["items"] == []
    restriction_review(actor=org.actor("regional"), restriction=restriction, reasons="Cleared.", lift=True)
    assert login("secretary").get(record).status_code == 200
    assert api("secretary", "get", f"/members/{member.pk}").status_code == 200


def test_restrictions_on_the_web(org, login):
    regional = login("regional")
    page = reverse("web:restrictions")
    assert regional.get(page).status_code == 200
    assert login("secretary").get(page).status_code == 404
    too_late = f"{timezone.localdate() + timedelta(days=70):%Y-%m-%d}"
    in_time = f"{timezone.localdate() + timedelta(days=20):%Y-%m-%d}"
    form = {"unit": org.units["north_a"].pk, "person": org.people["secretary"].pk, "reasons": "Leak."}
    refused = regional.post(page, {**form, "review_on": too_late})
    assert refused.status_code == 422 and b"access.restriction_review_max" in refused.content
    assert regional.post(page, {**form, "review_on": in_time, "reasons": ""}).status_code == 422
    done = regional.post(page, {**form, "review_on": in_time})
    assert done.status_code == 302
    restriction = Restriction.objects.get()
    unit_page = regional.get(reverse("web:unit", kwargs={"unit_id": org.units["north_a"].pk}))
    assert reverse("web:restriction", kwargs={"restriction_id": restriction.pk}).encode() in unit_page.content
    detail = reverse("web:restriction", kwargs={"restriction_id": restriction.pk})
    assert login("outsider").get(detail).status_code == 404
    assert login("branchsec").get(detail).status_code == 404
    regional = login("regional")
    assert regional.post(detail, {"decision": "lift", "reasons": ""}).status_code == 422
    assert regional.post(detail, {"decision": "lift", "reasons": "Cleared."}).status_code == 302
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None


def test_restrictions_over_the_api(org, api):
    review_at = soon(20).isoformat()
    body = {"unit": org.units["north_a"].pk, "person": org.people["secretary"].pk, "reasons": "Leak."}
    assert (
        api("regional", "post", "/restrictions", {**body, "review_at": soon(70).isoformat()}).status_code
        == 409
    )
    assert (
        api("regional", "post", "/restrictions", {**body, "review_at": review_at, "reasons": ""}).status_code
        == 409
    )
    assert api("secretary", "post", "/restrictions", {**body, "review_at": review_at}).status_code == 404
    south = {**body, "unit": org.units["south_a"].pk, "review_at": review_at}
    assert api("regional", "post", "/restrictions", south).status_code == 404
    made = api("regional", "post", "/restrictions", {**body, "review_at": review_at})
    assert made.status_code == 201 and made.json()["affected"] == 1
    rid = made.json()["id"]
    assert [r["id"] for r in api("national", "get", "/restrictions").json()] == [rid]
    assert api("outsider", "get", f"/restrictions/{rid}").status_code == 404
    renewed = api(
        "regional",
        "post",
        f"/restrictions/{rid}/review",
        {"lift": False, "reasons": "Ongoing.", "next_review_at": soon(40).isoformat()},
    )
    assert renewed.status_code == 200 and renewed.json()["review_count"] == 1
    lifted = api("regional", "post", f"/restrictions/{rid}/review", {"lift": True, "reasons": "Cleared."})
    assert lifted.status_code == 200 and lifted.json()["lifted_at"] is not None


def test_the_policy_statement_and_the_managers_agree_on_what_is_in_force_at_every_edge(org):
    """The policy reads offices, grants and restrictions in one hand-written statement (decision 0036); at each
    edge of a term and of a restriction it must say what OfficeTerm/Restriction.objects.in_force say."""
    from polity.access.models import OfficeTerm
    from polity.access.policy import _sources

    restriction = restrict(org, person="secretary")
    now = timezone.now()
    Restriction.objects.filter(pk=restriction.pk).update(
        starts_at=now, lifted_at=now + timedelta(hours=1), lifted_reasons="Reviewed."
    )
    term = OfficeTerm.objects.in_force(now).filter(person=org.people["secretary"]).first()
    assert term is not None
    OfficeTerm.objects.filter(pk=term.pk).update(ends_at=now + timedelta(hours=2))
    second = timedelta(seconds=1)
    edges = [now - second, now, now + timedelta(hours=1) - second, now + timedelta(hours=1)]
    edges += [now + timedelta(hours=2) - second, now + timedelta(hours=2)]
    person = org.people["secretary"]
    seen_cut, seen_term = set(), set()
    for at in edges:
        actor = org.actor("secretary")
        rows = _sources(actor, at)
        held = set(actor.cache[f"terms:sources@{at.isoformat()}"])
        expected = set(OfficeTerm.objects.in_force(at).filter(person=person).values_list("office", "unit_id"))
        assert held == expected, at
        cut = Restriction.objects.in_force(at).filter(pk=restriction.pk).exists()
        office_perms = [perms for perms, _u, _p, source in rows if source == f"office:{term.office}"]
        if (term.office, term.unit_id) in expected:
            (perms,) = office_perms
            assert (Perm.MEMBERS_VIEW not in perms) == cut, at
            seen_cut.add(cut)
        seen_term.add((term.office, term.unit_id) in expected)
    assert seen_cut == {True, False} and seen_term == {True, False}  # the edges were really crossed
