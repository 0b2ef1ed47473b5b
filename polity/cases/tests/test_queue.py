"""The case team's queue (filters, search, investigator and summary columns, undated cases last, totals and
page numbers, a bounded number of queries, the access log) and a member's own cases in words."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from polity.audit.models import Event
from polity.cases import services as s
from polity.cases.models import Case
from polity.cases.queue import QueueFilters, case_queue_page, cases_of_person_in_words
from polity.cases.tests import flows
from polity.common.labels import due_in_words, duration_words


def _open(cases, summary="Shouted down at the branch meeting.", by="member"):
    case = s.case_open(actor=cases.actor(by), kind="complaint", summary=summary)
    return Case.objects.get(pk=case.pk)


def _refs(page):
    return [row.case.reference for row in page.rows]


def test_undated_cases_come_last_and_the_soonest_deadline_first(cases):
    late = _open(cases, "Late one")
    soon = _open(cases, "Soon one")
    undated = _open(cases, "No deadline")
    now = timezone.now()
    Case.objects.filter(pk=late.pk).update(next_due_at=now + timedelta(days=9))
    Case.objects.filter(pk=soon.pk).update(next_due_at=now + timedelta(days=1))
    Case.objects.filter(pk=undated.pk).update(next_due_at=None)
    page = case_queue_page(actor=cases.actor("handler"), filters=QueueFilters())
    assert _refs(page) == [soon.reference, late.reference, undated.reference]
    assert page.total == 3 and page.first == 1 and page.last == 3


def test_filters_by_state_kind_unit_overdue_and_investigator(cases):
    handler = cases.actor("handler")
    investigated = flows.to_investigation(cases)
    fresh = _open(cases, "Fresh")
    overdue = _open(cases, "Overdue")
    Case.objects.filter(pk=overdue.pk).update(next_due_at=timezone.now() - timedelta(days=2))

    def refs(**kw):
        return set(_refs(case_queue_page(actor=handler, filters=QueueFilters(**kw))))

    assert refs(state="investigation") == {investigated.reference}
    assert refs(state="received") == {fresh.reference, overdue.reference}
    assert refs(kind="disciplinary") == set()
    assert refs(kind="complaint") == {investigated.reference, fresh.reference, overdue.reference}
    assert refs(overdue=True) == {overdue.reference}
    number = cases.person("investigator").membership_number
    assert refs(assignee=number) == {investigated.reference}
    assert refs(assignee="none") == {fresh.reference, overdue.reference}
    assert refs(unit=cases.org.units["north"]) == {investigated.reference, fresh.reference, overdue.reference}
    assert refs(unit=cases.org.units["south"]) == set()
    assert refs(state="closed") == set()


def test_search_by_reference_and_by_party_name(cases):
    case = flows.complaint(cases)  # the member complains about member2
    other = _open(cases, "Another")
    handler = cases.actor("handler")
    respondent = cases.person("member2")

    def refs(q):
        return _refs(case_queue_page(actor=handler, filters=QueueFilters(q=q)))

    assert refs(case.reference) == [case.reference]
    assert refs(case.reference.lower().replace("-", "")) == [case.reference]
    assert refs(str(case.pk)) == [case.reference]  # the number alone, as people say it
    assert refs(f"{respondent.family_name}, {respondent.given_name}") == [case.reference]
    assert refs(f"{respondent.given_name} {respondent.family_name}") == [case.reference]
    assert refs(respondent.membership_number) == [case.reference]
    assert other.reference not in refs(f"{respondent.given_name} {respondent.family_name}")
    assert refs("Nobody-Of-That-Name") == []


def test_the_queue_shows_investigator_and_summary_and_logs_the_parties(cases, login):
    case = flows.to_investigation(cases)
    c = login("handler")
    before = Event.objects.filter(verb="case.queue").count()
    page = c.get(reverse("cases:queue"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Ivo Investigator" in text and "Shouted down at the branch meeting." in text
    assert "Showing 1–1 of 1 case." in text
    event = Event.objects.filter(verb="case.queue").latest("seq")
    assert Event.objects.filter(verb="case.queue").count() == before + 1
    assert {cases.person("member").pk, cases.person("member2").pk} <= {
        int(x) for x in event.subjects.split(",")
    }
    assert case.reference in event.data


def test_the_queue_pages_with_totals_and_page_numbers(cases, login):
    for i in range(53):
        _open(cases, f"Case number {i}")
    c = login("handler")
    text = c.get(reverse("cases:queue"), {"kind": "complaint"}).content.decode()
    assert "Showing 1–50 of 53 cases." in text and "Page 1 of 2" in text
    assert "kind=complaint&amp;page=2" in text
    text = c.get(reverse("cases:queue"), {"kind": "complaint", "page": 2}).content.decode()
    assert "Showing 51–53 of 53 cases." in text and "Page 2 of 2" in text


def test_the_queue_page_runs_a_bounded_number_of_queries(cases, login):
    c = login("handler")
    for i in range(3):
        flows.to_investigation(cases) if i == 0 else _open(cases, f"Case {i}")
    with CaptureQueriesContext(connection) as few:
        assert c.get(reverse("cases:queue")).status_code == 200
    for i in range(20):
        _open(cases, f"More {i}")
    flows.to_investigation(cases)
    with CaptureQueriesContext(connection) as many:
        assert c.get(reverse("cases:queue")).status_code == 200
    assert len(many) == len(few) and len(many) <= 30, [q["sql"] for q in many.captured_queries]


def test_bad_filters_keep_the_page_and_say_so(cases, login):
    c = login("handler")
    r = c.get(reverse("cases:queue"), {"state": "nonsense", "q": "kept text"})
    assert r.status_code == 200 and b"Check the filters" in r.content and b"kept text" in r.content


def test_outside_the_case_team_the_queue_is_not_found(cases, login):
    for who in ("member", "panel1", "outsider"):
        assert login(who).get(reverse("cases:queue")).status_code == 404
    with pytest.raises(Exception, match="not found"):
        case_queue_page(actor=cases.actor("member"), filters=QueueFilters())


def test_another_scope_s_cases_never_show(cases):
    _open(cases, "In the North")
    page = case_queue_page(actor=cases.actor("natteam"), filters=QueueFilters())
    assert page.total == 1  # national sees the North's
    south = cases.org.units["south"]
    assert case_queue_page(actor=cases.actor("natteam"), filters=QueueFilters(unit=south)).total == 0


def test_my_cases_say_the_next_deadline_in_words(cases, login):
    complaint = flows.to_notice(cases, aged_days=2)  # allegations delivered two days ago: member2 must reply
    mine = {item.case.pk: item for item in cases_of_person_in_words(actor=cases.actor("member2"))}
    assert mine[complaint.pk].roles == ["Respondent"]
    assert mine[complaint.pk].next_step.startswith("your reply due in ")
    complainant = {item.case.pk: item for item in cases_of_person_in_words(actor=cases.actor("member"))}
    assert complainant[complaint.pk].next_step.startswith("decision due in ")
    from polity.deadlines.models import Deadline  # the decision deadline passes

    past = timezone.now() - timedelta(days=2, hours=1)
    Deadline.objects.filter(subject_type="case", subject_id=str(complaint.pk)).update(
        started_at=past - timedelta(days=30), due_at=past
    )
    complainant = {item.case.pk: item for item in cases_of_person_in_words(actor=cases.actor("member"))}
    assert complainant[complaint.pk].next_step == "decision overdue by 2 days"
    text = login("member").get(reverse("cases:home")).content.decode()
    assert "Decision overdue by 2 days" in text and "Complainant" in text


def test_due_in_words():
    now = timezone.now()
    assert due_in_words(now + timedelta(days=5, hours=2), now) == "due in 5 days"
    assert due_in_words(now + timedelta(hours=30), now) == "due in 1 day"
    assert due_in_words(now + timedelta(hours=3), now) == "due within a day"
    assert due_in_words(now - timedelta(hours=3), now) == "overdue by less than a day"
    assert due_in_words(now - timedelta(days=1, hours=1), now) == "overdue by 1 day"
    assert due_in_words(now - timedelta(days=2, hours=1), now) == "overdue by 2 days"


def test_rulebook_durations_read_as_words():
    assert [duration_words(t) for t in ("7d", "1d", "8w", "1m", "6m", "1y", "", None, "soon")] == [
        "7 days", "1 day", "8 weeks", "1 month", "6 months", "1 year", "", "", "soon",
    ]  # fmt: skip
