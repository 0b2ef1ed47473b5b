"""The access log page's search: who may use it, what it shows, how it refuses input, and its query count."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_person
from polity.audit.models import Event
from polity.members.selectors import member_get, member_list

URL = reverse("web:audit")


def results_table(html: str) -> str:
    found = re.search(r'<table class="stack access-log" data-testid="search-results">.*?</table>', html, re.S)
    assert found, "no results table"
    return found.group(0)


@pytest.mark.parametrize("viewer", ["national", "regional", "secretary", "branchsec", "member", "outsider"])
def test_everyone_but_the_dpo_gets_404_and_nothing_is_recorded(org, login, viewer):
    client = login(viewer)
    before = Event.objects.count()
    number = org.people["secretary"].membership_number
    assert client.get(URL, {"actor": number}).status_code == 404
    assert client.get(URL, {"since": "2026-01-01", "page": "2"}).status_code == 404
    assert Event.objects.count() == before


def test_the_status_page_alone_runs_no_search(org, login):
    client = login("dpo")
    response = client.get(URL)
    assert response.status_code == 200 and response.context["result"] is None
    assert not Event.objects.filter(verb="audit.search").exists()


def test_an_officers_views_show_their_name_and_office_never_the_login(org, login):
    mina = org.people["member"]
    member_get(actor=org.actor("secretary"), member_id=mina.pk)
    member_get(actor=org.actor("branchsec"), member_id=org.people["member2"].pk)
    response = login("dpo").get(URL, {"actor": "Sam Secretary", "verb": "member.view"})
    assert response.status_code == 200
    table = results_table(response.text)
    assert "Sam Secretary</a>, Secretary of North A" in table
    assert "Opened the member&#x27;s record" in table and "Mina Member" in table
    assert ">secretary<" not in table and "Bea Branchsec" not in table
    summary = response.text
    assert f"Events 1–1 of 1 by Sam Secretary ({org.people['secretary'].membership_number})" in summary
    assert "Page 1 of 1" in summary
    event = Event.objects.order_by("-seq").first()
    assert event.verb == "audit.search" and event.details["channel"] == "web"
    assert set(event.subject_ids) == {org.people["secretary"].pk, mina.pk}


def test_links_in_a_row_filter_by_that_officer_action_purpose_and_person(org, login):
    member_get(actor=org.actor("secretary"), member_id=org.people["member"].pk, purpose="casework")
    table = results_table(login("dpo").get(URL, {"verb": "member.view"}).text)
    secretary, mina = org.people["secretary"].membership_number, org.people["member"].membership_number
    assert f'href="?verb=member.view&amp;actor={secretary}"' in table
    assert f'href="?verb=member.view&amp;person={mina}"' in table
    assert 'href="?verb=member.view&amp;purpose=casework"' in table


def test_paging_shows_totals_and_page_numbers_and_keeps_the_filters(org, login, monkeypatch):
    monkeypatch.setattr("polity.audit.search.PAGE_SIZE", 2)
    for _ in range(5):
        member_get(actor=org.actor("secretary"), member_id=org.people["member"].pk)
    client = login("dpo")
    first = client.get(URL, {"actor": "Sam Secretary"})
    assert "Events 1–2 of 5" in first.text and "Page 1 of 3" in first.text
    assert 'rel="next" href="?actor=Sam+Secretary&amp;page=2"' in first.text
    last = client.get(URL, {"actor": "Sam Secretary", "page": "3"})
    assert "Events 5–5 of 5" in last.text and "Page 3 of 3" in last.text
    assert 'rel="prev" href="?actor=Sam+Secretary&amp;page=2"' in last.text and 'rel="next"' not in last.text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"since": "2026-02-31"}, "since", "Enter a valid date."),
        ({"until": "yesterday"}, "until", "Enter a valid date."),
        ({"since": "2026-05-01", "until": "2026-04-01"}, "until", "is before the start date"),
        ({"actor": "Nobody Anywhere"}, "actor", "no member has the membership number or name"),
        ({"person": "M"}, "person", "members match “M”"),
        ({"verb": "made.up"}, "verb", "Select a valid choice."),
        ({"page": "0"}, "page", ""),
    ],
)
def test_bad_filters_are_refused_with_a_clear_error_and_keep_what_was_typed(
    org, login, params, field, message
):
    before = Event.objects.count()
    response = login("dpo").get(URL, params)
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert response.context["result"] is None
    for name, typed in params.items():
        if name not in ("verb", "page"):
            assert f'value="{typed}"' in response.text, name
    assert Event.objects.count() == before  # a refused search shows nothing and records nothing


def test_the_page_query_count_does_not_grow_with_the_page(org, login):
    client = login("dpo")
    member_list(actor=org.actor("secretary"))
    client.get(URL, {"purpose": "members list"})  # warm per-process caches (rulebook, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"since": "2020-01-01"}).status_code == 200
    for i in range(25):
        person = make_person(org.units["north_b_1"], f"Extra{i}", "Person")
        member_get(actor=org.actor("regional"), member_id=person.pk)
        member_get(actor=org.actor("secretary"), member_id=org.people["member"].pk)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL, {"since": "2020-01-01"})
    assert len(response.context["result"].rows) == 50
    assert len(large) == len(small) <= 21, "\n".join(q["sql"][:150] for q in large.captured_queries)


def test_a_members_access_log_page_leads_the_dpo_to_the_search_for_them(org, login):
    mina = org.people["member"]
    member_get(actor=org.actor("secretary"), member_id=mina.pk)
    client = login("dpo")
    page = client.get(reverse("web:member_access_log", kwargs={"member_id": mina.pk}))
    link = f'href="{URL}?person={mina.membership_number}"'
    assert link in page.text
    found = client.get(URL, {"person": mina.membership_number})
    assert "Sam Secretary</a>, Secretary of North A" in results_table(found.text)


def test_actions_are_offered_in_words_with_their_verb(org, login):
    response = login("dpo").get(URL)
    assert (
        '<option value="member.view">Opened the member&#x27;s record (member.view)</option>' in response.text
    )
    assert '<option value="audit.search">Searched the access log (audit.search)</option>' in response.text
