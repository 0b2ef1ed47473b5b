"""Sections: a member declares and withdraws their own, with dates; only officers whose office includes
members.view_sections see who is in one, and each reading is in the access log; the member sees theirs on
their own page and in their subject access package."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput, NotVisible
from polity.members.models import SectionMembership
from polity.members.sections import (
    in_section_q,
    is_in_section,
    member_sections,
    my_sections,
    section_declare,
    section_withdraw,
)


def test_a_member_declares_and_withdraws_and_the_dates_answer_for_any_day(org):
    mina, me = org.people["member"], org.actor("member")
    today = timezone.localdate()
    made = section_declare(actor=me, person=mina, section="women")
    assert (made.since, made.until) == (today, None)
    assert section_declare(actor=me, person=mina, section="women").pk == made.pk  # again: no change
    assert is_in_section(mina, "women", today) and not is_in_section(mina, "women", today - timedelta(days=1))
    # An earlier declaration, withdrawn before today, answers for its own days only.
    SectionMembership.objects.create(
        person=mina, section="bame", since=date(2025, 1, 1), until=date(2025, 6, 1)
    )
    assert is_in_section(mina, "bame", date(2025, 5, 31))
    assert not is_in_section(mina, "bame", date(2025, 6, 1))
    withdrawn = section_withdraw(actor=me, person=mina, section="women")
    assert withdrawn is not None and withdrawn.until == today
    assert not is_in_section(mina, "women", today)
    assert section_withdraw(actor=me, person=mina, section="women") is None
    # The log says a declaration changed, never which section.
    events = Event.objects.filter(verb__startswith="member.section_").order_by("id")
    assert [e.verb for e in events] == ["member.section_declare", "member.section_withdraw"]
    assert all("women" not in e.data for e in events)


def test_age_sections_follow_the_date_of_birth_and_cannot_be_declared(org):
    mina = org.people["member"]
    today = timezone.localdate()
    assert not is_in_section(mina, "young", today)  # no date of birth: in no age section
    type(mina).objects.filter(pk=mina.pk).update(date_of_birth=today.replace(year=today.year - 20))
    mina.refresh_from_db()
    assert is_in_section(mina, "young", today)
    with pytest.raises(InvalidInput, match="by age"):
        section_declare(actor=org.actor("member"), person=mina, section="young")
    with pytest.raises(InvalidInput, match="no section 'choir'"):
        section_declare(actor=org.actor("member"), person=mina, section="choir")
    rows = {row.key: row.is_member for row in my_sections(actor=org.actor("member"), person=mina)}
    assert rows["young"] is True and rows["women"] is False


@pytest.mark.parametrize(
    ("who", "error"),
    [("secretary", Forbidden), ("national", Forbidden), ("member2", NotVisible), ("outsider", NotVisible)],
)
def test_nobody_declares_or_withdraws_for_a_member(org, who, error):
    mina = org.people["member"]
    for service in (section_declare, section_withdraw):
        with pytest.raises(error):
            service(actor=org.actor(who), person=mina, section="women")
    with pytest.raises(error):
        my_sections(actor=org.actor(who), person=mina)
    with pytest.raises(Forbidden):
        section_declare(actor=Actor.system(), person=mina, section="women")
    assert not SectionMembership.objects.exists()


def test_only_an_officer_with_view_sections_reads_them_and_the_reading_is_logged(org):
    mina = org.people["member"]
    section_declare(actor=org.actor("member"), person=mina, section="lgbt")
    # The secretary of North A sees Mina's record (members.view) but not her sections; nor does another member.
    for who in ("secretary", "branchsec", "regional", "member2", "outsider", "dpo"):
        assert member_sections(actor=org.actor(who), person=mina) is None, who
    assert not Event.objects.filter(verb="member.view_sections").exists()
    rows = member_sections(actor=org.actor("national"), person=mina)
    assert rows is not None and [r.label for r in rows] == ["LGBT+ section"]
    event = Event.objects.get(verb="member.view_sections")
    assert event.subject_ids == [mina.pk] and json.loads(event.data) == {"channel": "web"}


def test_the_record_page_shows_sections_to_the_member_and_to_an_officer_with_the_permission_only(org, login):
    mina = org.people["member"]
    section_declare(actor=org.actor("member"), person=mina, section="disabled")
    assert "Disabled members" in login("member").get("/me/").content.decode()
    assert "Disabled members" in login("national").get(f"/members/{mina.pk}/").content.decode()
    page = login("secretary").get(f"/members/{mina.pk}/")
    assert page.status_code == 200 and "Disabled members" not in page.content.decode()
    assert "Sections" not in page.content.decode()


def test_the_sections_page_declares_and_withdraws_for_the_signed_in_member_only(org, login):
    mina = org.people["member"]
    client = login("member")
    page = client.get("/me/sections/")
    assert page.status_code == 200 and "Women&#x27;s section" in page.content.decode()
    assert client.post("/me/sections/", {"section": "women", "action": "declare"}).status_code == 302
    assert is_in_section(mina, "women", timezone.localdate())
    refused = client.post("/me/sections/", {"section": "young", "action": "declare"})
    assert refused.status_code == 422 and "by age" in refused.content.decode()
    assert client.post("/me/sections/", {"section": "women", "action": "withdraw"}).status_code == 302
    assert not is_in_section(mina, "women", timezone.localdate())


def test_the_subject_access_package_holds_the_declarations(org):
    from polity.dsr.package import assemble
    from polity.dsr.registry import Subject

    mina = org.people["member"]
    section_declare(actor=org.actor("member"), person=mina, section="bame")
    package = assemble(Subject(person=mina))
    text = repr(package)
    assert "Section you declared" in text and "BAME members' section" in text


def test_in_section_q_through_a_relation(org):
    from polity.elections.models import RollEntry  # noqa: F401  (a relation named person)
    from polity.members.models import Person

    mina = org.people["member"]
    section_declare(actor=org.actor("member"), person=mina, section="women")
    today = timezone.localdate()
    assert list(Person.objects.filter(in_section_q("women", today))) == [mina]


def test_the_member_keeps_their_sections_over_the_api(org, client):
    from polity.accounts.tokens import token_create

    headers = {
        "Authorization": f"Bearer {token_create(actor=Actor.system(), user=org.users['member'], name='t')[1]}"
    }
    listed = client.get("/api/v1/me/sections", headers=headers)
    assert listed.status_code == 200 and {r["key"] for r in listed.json()} >= {"women", "young"}
    body = json.dumps({"section": "women", "belongs": True})
    done = client.post("/api/v1/me/sections", body, content_type="application/json", headers=headers)
    assert done.status_code == 200
    assert next(r for r in done.json() if r["key"] == "women")["belongs"] is True
    body = json.dumps({"section": "young", "belongs": True})
    refused = client.post("/api/v1/me/sections", body, content_type="application/json", headers=headers)
    assert refused.status_code == 422 and "by age" in refused.json()["detail"]
    # The member's record over the API shows no sections to an officer (secretary) at all.
    officer = {
        "Authorization": f"Bearer {token_create(actor=Actor.system(), user=org.users['secretary'], name='t')[1]}"
    }
    record = client.get(f"/api/v1/members/{org.people['member'].pk}", headers=officer)
    assert record.status_code == 200 and "women" not in record.content.decode().lower()
