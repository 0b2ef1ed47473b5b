"""access_log_for_person and audit_status: who may read them, and what they return."""

import pytest

from polity.audit.models import Event
from polity.audit.selectors import access_log_for_person, audit_status
from polity.audit.services import audit_check
from polity.common.errors import NotVisible
from polity.members.selectors import member_get


def test_a_member_reads_who_opened_their_record_newest_first(org):
    member = org.people["member"]
    member_get(actor=org.actor("secretary"), member_id=member.pk)
    member_get(actor=org.actor("regional"), member_id=member.pk, purpose="casework")
    before = Event.objects.count()
    log = access_log_for_person(actor=org.actor("member"), person_id=member.pk, limit=10)
    assert Event.objects.count() == before  # reading one's own log is not itself recorded
    # by name and office at the time, never a login name
    assert [(e.who, e.verb) for e in log[:2]] == [
        ("Rhys Regional, Regional officer of North", "member.view"),
        ("Sam Secretary, Secretary of North A", "member.view"),
    ]
    assert log[0].what == "Opened the member's record"
    assert log[0].purpose == "casework" and log[0].channel == "web"
    assert log[0].seq > log[1].seq


@pytest.mark.parametrize(
    ("reader", "allowed"),
    [("dpo", True), ("secretary", False), ("national", False), ("member2", False), ("outsider", False)],
)
def test_only_audit_viewers_read_another_persons_log(org, reader, allowed):
    member = org.people["member"]
    if allowed:
        access_log_for_person(actor=org.actor(reader), person_id=member.pk)
        event = Event.objects.order_by("-seq").first()
        assert (event.verb, event.actor_label) == ("audit.read_log", reader)
        assert list(event.subject_rows.values_list("person_id", flat=True)) == [member.pk]
    else:
        with pytest.raises(NotVisible):
            access_log_for_person(actor=org.actor(reader), person_id=member.pk)


def test_an_unknown_person_is_not_visible_even_to_the_dpo(org):
    with pytest.raises(NotVisible):
        access_log_for_person(actor=org.actor("dpo"), person_id=999_999)


def test_audit_status_counts_verbs_and_shows_the_last_recorded_check(org):
    from polity.common.errors import NotVisible as Refused

    with pytest.raises(Refused):
        audit_status(actor=org.actor("secretary"))
    verdict = audit_check(actor=org.actor("dpo"))
    assert verdict.ok
    status = audit_status(actor=org.actor("dpo"))
    assert status.chain_length == Event.objects.count()
    assert status.last_check["ok"] is True
    assert status.last_check_by == "Dara Protection, Data protection officer of Demo Party"  # not the login
    counts = {verb: n for verb, _words, n in status.verb_counts}
    assert counts["member.join"] == 8 and counts["audit.verify"] == 1
