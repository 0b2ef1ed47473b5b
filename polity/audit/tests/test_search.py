"""access_log_search: the data protection officer's search by officer, action, purpose, person and dates."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from polity.access.services import grant_give, office_appoint
from polity.audit.models import Event
from polity.audit.search import MAX_PAGE, SearchInputError, access_log_search, audit_verbs
from polity.audit.selectors import access_log_for_person
from polity.audit.services import audit_check, audit_record
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.members.selectors import member_get


def moment(y: int, m: int, d: int, h: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h, minute))


@contextmanager
def clock(monkeypatch, when: datetime):  # type: ignore[no-untyped-def]
    """Events written inside happen at `when` (audit_record stamps them with timezone.now())."""
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: when)
        yield


@pytest.fixture
def story(org, monkeypatch):  # type: ignore[no-untyped-def]
    """Member2 was membership officer of North A 1 from January to June 2026; events around that term."""
    system = Actor.system()
    office_appoint(
        actor=system,
        person=org.people["member2"],
        office="membership_officer",
        unit=org.units["north_a_1"],
        starts_at=moment(2026, 1, 1, 9),
        ends_at=moment(2026, 6, 1, 9),
    )
    m2, mina, milo = org.actor("member2"), org.people["member"].pk, org.people["member2"].pk
    writes = [
        (moment(2025, 12, 15), m2, "member.view", "member record", [mina]),
        (moment(2026, 3, 1, 0, 30), m2, "member.view", "member record", [mina]),
        (moment(2026, 3, 2), m2, "members.list", "members list", [mina, milo, org.people["branchsec"].pk]),
        (moment(2026, 4, 10), m2, "member.record_payment", "membership", [org.people["branchsec"].pk]),
        (moment(2026, 7, 1), m2, "member.view", "casework", [mina]),
        (moment(2026, 3, 5), org.actor("secretary"), "member.view", "member record", [mina]),
    ]
    for when, actor, verb, purpose, subjects in writes:
        with clock(monkeypatch, when):
            audit_record(actor=actor, verb=verb, purpose=purpose, subjects=subjects, data={"channel": "web"})
    return org


def search(org, **filters):  # type: ignore[no-untyped-def]
    return access_log_search(actor=org.actor("dpo"), **filters)


def test_everything_one_officer_saw_between_two_days_with_names_and_offices(story):
    number = story.people["member2"].membership_number
    result = search(story, who=number, since=date(2026, 3, 1), until=date(2026, 6, 30))
    assert result.total == 3 and result.pages == 1
    assert [r.verb for r in result.rows] == ["member.record_payment", "members.list", "member.view"]
    first = result.rows[-1]
    assert str(first.actor) == "Milo Member, Membership officer of North A 1"
    assert first.actor.membership_number == number
    assert first.what == "Opened the member's record" and first.channel == "web"
    assert first.subject is not None and first.subject.name == "Mina Member"
    assert result.rows[1].subject is None and result.rows[1].subject_count == 3
    assert result.actor is not None and result.actor.name == "Milo Member"
    assert all("member2" not in str(r.actor) for r in result.rows)  # never the login


def test_offices_are_those_held_when_the_event_happened(story):
    rows = search(story, who="Milo Member").rows
    by_month = {r.at.date(): str(r.actor) for r in rows}
    assert by_month[date(2025, 12, 15)] == "Milo Member (no office at the time)"
    assert by_month[date(2026, 4, 10)] == "Milo Member, Membership officer of North A 1"
    assert by_month[date(2026, 7, 1)] == "Milo Member (no office at the time)"


def test_an_officer_is_picked_by_name_starts_or_number_never_by_login(story):
    assert search(story, who="Sam Sec").total == search(story, who="sam secretary").total >= 1
    with pytest.raises(SearchInputError) as nobody:
        search(story, who="dpo")  # a login name names no member (Dara Protection is the DPO)
    assert nobody.value.field == "actor" and "no member" in nobody.value.message
    with pytest.raises(SearchInputError) as many:
        search(story, who="M")  # Mina, Milo (and Member twice)
    assert many.value.field == "actor" and "members match “M”" in many.value.message
    with pytest.raises(SearchInputError):
        search(story, who=str(story.people["secretary"].pk))  # an internal id is not a way to name anyone


def test_by_person_whose_data_was_touched(story):
    result = search(story, person=story.people["branchsec"].membership_number, until=date(2026, 11, 30))
    assert [r.verb for r in result.rows] == ["member.record_payment", "members.list"]
    everything = [r.verb for r in search(story, person="Bea Branchsec").rows]
    assert everything[-2:] == ["member.record_payment", "members.list"]
    assert {"member.join", "office.appoint"} <= set(everything)  # the fixture's, today
    assert result.person is not None and result.person.name == "Bea Branchsec"
    with pytest.raises(SearchInputError) as bad:
        search(story, person="Nobody Here")
    assert bad.value.field == "person"


def test_by_verb_and_by_purpose(story):
    assert search(story, verb="member.record_payment").total == 1
    assert {r.actor.name for r in search(story, purpose="member record").rows} >= {
        "Milo Member",
        "Sam Secretary",
    }
    assert [r.at.date() for r in search(story, purpose="casework").rows] == [date(2026, 7, 1)]
    assert search(story, purpose="no such purpose").total == 0


def test_dates_are_whole_local_days_both_included(story):
    day = search(story, since=date(2026, 3, 1), until=date(2026, 3, 1))
    assert [r.at for r in day.rows] == [moment(2026, 3, 1, 0, 30)]
    assert search(story, until=date(2026, 2, 28), verb="member.view").total == 1
    assert search(story, since=date(2026, 7, 1), who="Milo").total == 1


def test_a_combination_narrows(story):
    result = search(
        story, who="Milo", person="Mina", verb="member.view", since=date(2026, 1, 1), until=date(2026, 12, 31)
    )
    assert [(r.at.date(), r.purpose) for r in result.rows] == [
        (date(2026, 7, 1), "casework"),
        (date(2026, 3, 1), "member record"),
    ]


def test_refuses_bad_ranges_and_pages(story):
    with pytest.raises(SearchInputError) as backwards:
        search(story, since=date(2026, 5, 1), until=date(2026, 4, 1))
    assert backwards.value.field == "until" and "before the start date" in backwards.value.message
    for page in (0, MAX_PAGE + 1):
        with pytest.raises(SearchInputError):
            search(story, page=page)


def test_pages_carry_totals_and_numbers(story):
    everything = search(story, who="Milo", page_size=2)
    assert (everything.total, everything.pages, everything.page, everything.has_next) == (5, 3, 1, True)
    assert (everything.first, everything.last) == (1, 2)
    last = search(story, who="Milo", page_size=2, page=3)
    assert len(last.rows) == 1 and not last.has_next and (last.first, last.last) == (5, 5)
    seen = [r.seq for p in (1, 2, 3) for r in search(story, who="Milo", page_size=2, page=p).rows]
    assert len(set(seen)) == 5
    beyond = search(story, who="Milo", page_size=2, page=4)
    assert beyond.rows == [] and beyond.total == 5


@pytest.mark.parametrize("reader", ["secretary", "national", "regional", "member", "outsider"])
def test_only_the_dpo_may_search(story, reader):
    before = Event.objects.count()
    with pytest.raises(NotVisible):
        access_log_search(actor=story.actor(reader))
    with pytest.raises(NotVisible):
        audit_verbs(actor=story.actor(reader))
    assert Event.objects.count() == before


def test_audit_view_over_part_of_the_organisation_is_not_enough(story):
    """A grant of audit.view over one region lets its holder read members' logs there, not search everything."""
    grant_give(
        actor=Actor.system(),
        person=story.people["regional"],
        permissions=["audit.view"],
        unit=story.units["north"],
        purpose="audit of the region's branches",
        expires_at=timezone.now() + timedelta(days=30),
    )
    regional = story.actor("regional")
    access_log_for_person(actor=regional, person_id=story.people["member"].pk)  # allowed in the region
    with pytest.raises(NotVisible):
        access_log_search(actor=regional)


def test_the_search_is_itself_recorded_and_the_people_shown_see_it(story):
    result = search(story, who="Milo", verb="member.view")
    event = Event.objects.order_by("-seq").first()
    assert (event.verb, event.actor_label, event.purpose) == ("audit.search", "dpo", "access log search")
    shown = {story.people["member2"].pk, story.people["member"].pk}
    assert set(event.subject_ids) == shown
    assert set(event.subject_rows.values_list("person_id", flat=True)) == shown
    assert event.details == {
        "actor": True,
        "person": False,
        "verb": "member.view",
        "purpose": "",
        "since": "",
        "until": "",
        "page": 1,
        "shown": len(result.rows),
        "total": result.total,
        "channel": "web",
    }
    mine = access_log_for_person(actor=story.actor("member"), person_id=story.people["member"].pk)
    assert mine[0].verb == "audit.search" and mine[0].what == "Searched the access log"
    # The recorded search is not in its own results; the next search finds it.
    assert search(story, verb="audit.search").total == 1


def test_system_and_unlinked_accounts_are_described_not_named_by_login(org):
    audit_record(actor=Actor.system("scheduler"), verb="deadline.escalate")
    audit_record(actor=Actor(user_id=99, person_id=None, label="root"), verb="token.create")
    rows = search(org, verb="deadline.escalate").rows + search(org, verb="token.create").rows
    assert [str(r.actor) for r in rows] == [
        "The system (scheduler)",
        "An account not linked to a member (root)",
    ]
    assert rows[0].what == "Escalated a missed deadline"


def test_the_whole_log_counts_from_the_chain_head_and_verbs_come_in_words(story):
    result = search(story)
    assert result.total == Event.objects.count() - 1  # the search's own event is written after counting
    newest = Event.objects.exclude(verb="audit.search").order_by("-occurred_at", "-seq").first()
    assert result.rows[0].seq == newest.seq
    verbs = dict(audit_verbs(actor=story.actor("dpo")))
    assert verbs["member.record_payment"] == "Recorded a payment"
    assert verbs["audit.search"] == "Searched the access log"


def test_who_viewed_my_data_and_verification_still_work_after_searches(story):
    member_get(actor=story.actor("secretary"), member_id=story.people["member"].pk)
    search(story, person="Mina")
    log = access_log_for_person(actor=story.actor("member"), person_id=story.people["member"].pk, limit=3)
    assert [e.verb for e in log[:2]] == ["audit.search", "member.view"]
    assert audit_check(actor=story.actor("dpo")).ok


def test_a_dpo_whose_term_has_ended_may_no_longer_search(org):
    from polity.access.models import OfficeTerm

    now = timezone.now()
    OfficeTerm.objects.filter(pk=org.terms["dpo"].pk).update(
        starts_at=now - timedelta(days=400), ends_at=now - timedelta(days=1)
    )
    with pytest.raises(NotVisible):
        access_log_search(actor=org.actor("dpo"))
