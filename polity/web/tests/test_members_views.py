"""Members list and member record in the web interface: scope, the access log, query counts, actions."""

from datetime import date

import pytest
from django.urls import reverse

from polity.audit.models import Event
from polity.members.models import Payment, Status

LIST = reverse("web:members")


def record_url(org, name):
    return reverse("web:member", kwargs={"member_id": org.people[name].pk})


def last_event():
    return Event.objects.order_by("-seq").first()


def subjects(event):
    return sorted(event.subject_rows.values_list("person_id", flat=True))


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("national", 200),
        ("regional", 200),
        ("secretary", 200),
        ("branchsec", 200),
        ("dpo", 200),
        ("member", 404),
        ("outsider", 404),
    ],
)
def test_who_may_list_members(login, viewer, status):
    assert login(viewer).get(LIST).status_code == status


@pytest.mark.parametrize(
    ("viewer", "subject", "status"),
    [
        ("secretary", "member", 200),  # in their constituency
        ("secretary", "member2", 200),
        ("secretary", "outsider", 404),  # another region: exactly like a missing record
        ("branchsec", "member2", 200),  # their branch
        ("branchsec", "member", 404),  # the other branch of the constituency
        ("regional", "member", 200),
        ("regional", "outsider", 404),
        ("national", "outsider", 200),
        ("dpo", "member", 200),
        ("member", "member", 200),  # oneself
        ("member", "member2", 404),
        ("outsider", "member", 404),
    ],
)
def test_who_may_open_a_record(org, login, viewer, subject, status):
    assert login(viewer).get(record_url(org, subject)).status_code == status


def test_a_missing_record_answers_like_an_invisible_one(login):
    client = login("secretary")
    missing = client.get(reverse("web:member", kwargs={"member_id": 987654}))
    assert missing.status_code == 404


def test_listing_members_records_who_was_shown(org, login):
    response = login("secretary").get(LIST, {"q": "Member"})
    assert response.status_code == 200
    event = last_event()
    assert (event.verb, event.actor_label) == ("members.list", "secretary")
    assert subjects(event) == sorted([org.people["member"].pk, org.people["member2"].pk])
    assert "Mina" in response.text and "Milo" in response.text and "Olu" not in response.text


def test_opening_a_record_records_the_view(org, login):
    response = login("secretary").get(record_url(org, "member"))
    assert response.status_code == 200
    event = last_event()
    assert (event.verb, event.actor_label, event.purpose) == ("member.view", "secretary", "member record")
    assert subjects(event) == [org.people["member"].pk]


def test_opening_ones_own_record_is_not_an_access(org, login):
    client = login("member")
    before = Event.objects.count()
    assert client.get(record_url(org, "member")).status_code == 200
    assert Event.objects.count() == before


def test_contact_details_need_the_contact_permission(org, login):
    email = org.people["member"].email
    assert email not in login("secretary").get(record_url(org, "member")).text
    assert email in login("member").get(record_url(org, "member")).text


def test_search_by_number_and_filters(org, login):
    from polity.common.actor import Actor
    from polity.members.services import member_join

    member_join(
        actor=Actor.system(),
        home_unit=org.units["north_a_2"],
        joined_on=date(2021, 1, 1),
        membership_number="M0000042",
        given_name="Numa",
        family_name="Bered",
    )
    client = login("regional")
    found = client.get(LIST, {"q": "m0000042"})
    assert "Numa" in found.text and "Mina" not in found.text
    by_unit = client.get(LIST, {"unit": org.units["north_a_1"].pk})
    assert f'<option value="{org.units["north_a_1"].pk}" selected>' in by_unit.text
    assert "Milo" in by_unit.text and "Mina" not in by_unit.text
    assert client.get(LIST, {"status": Status.LAPSED}).context["result"].members == []


def test_a_unit_outside_scope_is_not_a_filter_choice(org, login):
    response = login("secretary").get(LIST, {"unit": org.units["south_a"].pk})
    assert response.status_code == 200
    assert response.context["result"] is None and "unit" in response.context["form"].errors


def test_htmx_gets_only_the_results(login):
    client = login("secretary")
    partial = client.get(LIST, {"q": "Mi"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and "Showing 1–2" in partial.text
    restore = client.get(
        LIST, {"q": "Mi"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text  # Back after a cache miss needs the whole page


@pytest.mark.parametrize("extra", [0, 120])
def test_query_count_does_not_grow_with_page_or_register(org, login, django_assert_max_num_queries, extra):
    from conftest import make_person

    for i in range(extra):
        make_person(org.units["north_a_1"], f"Extra{i}", "Person")
    client = login("secretary")
    client.get(LIST)  # warm caches (rulebook, content types)
    with django_assert_max_num_queries(20):
        response = client.get(LIST, {"page": 2 if extra else 1})
    assert response.status_code == 200
    assert len(response.context["result"].members) == (50 if extra else 8 - 2)


def test_paging_links_keep_the_search(org, login):
    from conftest import make_person

    for i in range(55):
        make_person(org.units["north_a_1"], f"Page{i:02d}", "Zed")
    client = login("secretary")
    first = client.get(LIST, {"q": "Zed"})
    assert first.context["result"].has_next and "q=Zed&amp;page=2" in first.text
    second = client.get(LIST, {"q": "Zed", "page": 2})
    assert len(second.context["result"].members) == 5


# Officer actions: record payment, set status, transfer


def test_an_editor_records_a_payment(org, login):
    client = login("regional")
    url = reverse("web:member_payment", kwargs={"member_id": org.people["member"].pk})
    response = client.post(url, {"amount": "12.50", "paid_on": "2026-01-05", "method": "card"})
    assert response.status_code == 302
    payment = Payment.objects.get(person=org.people["member"])
    assert (payment.amount_pence, payment.paid_on, payment.recorded_by) == (
        1250,
        date(2026, 1, 5),
        "regional",
    )
    assert last_event().verb == "member.record_payment"


def test_a_secretary_may_see_but_not_edit(org, login):
    client = login("secretary")
    page = client.get(record_url(org, "member"))
    assert "Record a payment" not in page.text
    url = reverse("web:member_payment", kwargs={"member_id": org.people["member"].pk})
    assert client.post(url, {"amount": "5", "paid_on": "2026-01-05", "method": "card"}).status_code == 403
    out_of_scope = reverse("web:member_payment", kwargs={"member_id": org.people["outsider"].pk})
    assert (
        client.post(out_of_scope, {"amount": "5", "paid_on": "2026-01-05", "method": "card"}).status_code
        == 404
    )
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("status", "route"),
    [
        (Status.RESIGNED, "record a resignation"),  # "Campaigned for a rival": an expulsion by another name
        (Status.LAPSED, "arrears rule"),
        (Status.IN_ARREARS, "arrears rule"),
        (Status.EXPELLED, "decision in a case"),
        (Status.SUSPENDED, "decision in a case"),
    ],
)
def test_a_regional_officer_cannot_hand_set_a_status_that_has_its_own_route(org, login, status, route):
    client = login("regional")
    person = org.people["member"]
    url = reverse("web:member_status", kwargs={"member_id": person.pk})
    refused = client.post(url, {"status": status, "reason": "Campaigned for a rival candidate"})
    assert refused.status_code == 422
    assert route in refused.context["status_form"].non_field_errors()[0].lower()
    person.refresh_from_db()
    assert person.status == Status.ACTIVE
    assert person.status_changes.count() == 1  # only the join


def test_a_transfer_moves_the_member_and_ends_the_old_branchs_view(org, login):
    client = login("regional")
    person = org.people["member2"]
    url = reverse("web:member_transfer", kwargs={"member_id": person.pk})
    data = {"to_unit": org.units["north_b_1"].pk, "reason": "moved house"}
    asked = client.post(url, data)  # first: what will happen, and to whom; nothing moves yet
    assert asked.status_code == 200 and "Transfer Milo Member to North B 1?" in asked.text
    assert "Officers of North A 1 can no longer open Milo’s record" in asked.text
    person.refresh_from_db()
    assert person.home_unit == org.units["north_a_1"]
    response = client.post(url, {**data, "confirm": "yes"})
    assert response.status_code == 302
    assert last_event().verb == "member.transfer"
    branchsec = login("branchsec")
    assert branchsec.get(record_url(org, "member2")).status_code == 404


def test_a_transfer_target_outside_scope_is_refused(org, login):
    client = login("regional")
    url = reverse("web:member_transfer", kwargs={"member_id": org.people["member2"].pk})
    response = client.post(url, {"to_unit": org.units["south_a_1"].pk, "reason": "x"})
    assert response.status_code == 422
    assert response.context["transfer_form"].errors["to_unit"]


def test_posts_need_the_csrf_token(org):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from polity.web.tests.conftest import verified_device

    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users["regional"])
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(org.users["regional"]).persistent_id
    session.save()
    url = reverse("web:member_status", kwargs={"member_id": org.people["member"].pk})
    assert client.post(url, {"status": Status.RESIGNED, "reason": "x"}).status_code == 403


def test_a_scope_too_large_for_one_menu_offers_units_above_branches(org, login, monkeypatch):
    from polity.web import selectors

    client = login("national")
    everything = [u.name for u in client.get(LIST).context["form"].units.values()]
    assert "North A 1" in everything and len(everything) == 10
    monkeypatch.setattr(selectors, "FILTER_MAX_UNITS", 5)
    fewer = [u.name for u in client.get(LIST).context["form"].units.values()]
    assert fewer == ["Demo Party", "North", "North A", "North B", "South"]


@pytest.mark.parametrize(
    "typed", ["Member, Mina", "member, mina", "Mina Member", "Member Mina", "{number}", "{digits}", "{short}"]
)
def test_search_finds_a_member_as_the_list_prints_her_and_by_number(org, login, typed):
    mina = org.people["member"]
    digits = mina.membership_number.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    q = typed.format(
        number=mina.membership_number, digits=digits, short=mina.membership_number[0] + digits.lstrip("0")
    )
    response = login("secretary").get(LIST, {"q": q})
    assert [p.pk for p in response.context["result"].members] == [mina.pk], q
    assert "Showing 1–1 of 1" in response.text


def test_no_result_says_so_without_a_pager(login):
    response = login("secretary").get(LIST, {"q": "Nobody, Zzz"})
    assert "No members match “Nobody, Zzz”" in response.text
    assert "Page 1" not in response.text and 'aria-label="Pages of results"' not in response.text


def test_lists_show_the_total_and_page_numbers(org, login):
    from conftest import make_person

    for i in range(160):
        make_person(org.units["north_a_1"], f"Num{i:03d}", "Pager")
    client = login("secretary")
    first = client.get(LIST, {"q": "Pager"})
    assert "Showing 1–50 of 160" in first.text and "Page 1 of 4" in first.text
    for n in (2, 3, 4):
        assert f"q=Pager&amp;page={n}" in first.text
    third = client.get(LIST, {"q": "Pager", "page": 3})
    assert "Showing 101–150 of 160" in third.text and "Page 3 of 4" in third.text
    assert third.context["result"].page_numbers() == [1, 2, 3, 4]


def test_page_numbers_skip_the_middle_of_a_long_list():
    from polity.members.selectors import MemberPage

    assert MemberPage([], 10, True, total=1000).page_numbers() == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert MemberPage([], 1, False, total=0).page_numbers() == [1]


def test_admitting_an_applicant_says_what_will_happen_first(org, login):
    from conftest import make_person

    applicant = make_person(org.units["north_a_1"], "Ada", "Applicant", status=Status.APPLICANT)
    client = login("regional")
    url = reverse("web:member_status", kwargs={"member_id": applicant.pk})
    data = {"status": Status.ACTIVE, "reason": "Application approved by the branch"}
    asked = client.post(url, data)
    assert asked.status_code == 200 and "Admit Ada Applicant?" in asked.text
    assert (
        "becomes an active member from today" in asked.text
        and "Application approved by the branch" in asked.text
    )
    assert 'name="confirm" value="yes"' in asked.text
    applicant.refresh_from_db()
    assert applicant.status == Status.APPLICANT  # nothing changed yet
    assert client.post(url, {**data, "confirm": "yes"}).status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == Status.ACTIVE
