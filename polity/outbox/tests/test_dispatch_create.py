"""dispatch_create: rows in bulk, one audit event with counts, refusal of bad templates; counts."""

import json

import pytest

from conftest import make_person
from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import InvalidInput
from polity.members.models import Person
from polity.outbox.models import OutboxEntry, State, parse_message_id
from polity.outbox.selectors import dispatch_counts
from polity.outbox.services import dispatch_create


def _create(org, person_ids, **extra):
    kwargs = {
        "actor": org.actor("secretary"),
        "purpose": "campaigning",
        "channel": "email",
        "subject": "Hello {{ first_name }}",
        "body": "Dear {{ full_name }}, see you at {{ place }}.",
        "person_ids": person_ids,
        "source_type": "comms.message",
        "source_id": 42,
        "context": {"place": "the hall"},
    }
    kwargs.update(extra)
    return dispatch_create(**kwargs)


@pytest.mark.django_db
def test_rows_from_a_list_drop_repeats_and_unknown_ids(org):
    ids = [org.people["member"].pk, org.people["member2"].pk, org.people["member"].pk, 10**9]
    dispatch = _create(org, ids)
    assert dispatch.total == 2
    assert set(OutboxEntry.objects.filter(dispatch=dispatch).values_list("person_id", flat=True)) == {
        org.people["member"].pk,
        org.people["member2"].pk,
    }
    assert dispatch_counts(dispatch) == {
        "queued": 2,
        "sending": 0,
        "sent": 0,
        "failed": 0,
        "bounced": 0,
        "skipped": 0,
    }


@pytest.mark.django_db
def test_rows_from_a_queryset_and_from_an_id_queryset(org):
    everyone = Person.objects.all()
    d1 = _create(org, everyone)
    assert d1.total == everyone.count() == 8
    d2 = _create(org, Person.objects.filter(home_unit=org.units["north_a_1"]).values_list("pk", flat=True))
    assert d2.total == Person.objects.filter(home_unit=org.units["north_a_1"]).count()
    assert OutboxEntry.objects.filter(dispatch=d2, state=State.QUEUED).count() == d2.total


@pytest.mark.django_db
def test_one_audit_event_with_counts_and_no_subject_list(org):
    before = Event.objects.count()
    dispatch = _create(org, Person.objects.all())
    events = list(Event.objects.order_by("seq")[before:])
    assert [e.verb for e in events] == ["outbox.dispatch_create"]
    data = json.loads(events[0].data) if isinstance(events[0].data, str) else events[0].data
    assert data["recipients"] == 8
    assert not events[0].subjects
    assert events[0].object_id == str(dispatch.pk)
    assert events[0].actor_label == "secretary"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", "Hi {{ password }}", "unknown merge fields"),
        ("subject", "", "needs a subject"),
        ("channel", "pigeon", "unknown channel"),
        ("context", {"first_name": "x"}, "may not redefine"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(org, field, value, message):
    with pytest.raises(InvalidInput, match=message):
        _create(org, Person.objects.all(), **{field: value})
    assert OutboxEntry.objects.count() == 0


@pytest.mark.django_db
def test_message_ids_are_stable_and_parse_back(org):
    dispatch = _create(org, [org.people["member"].pk])
    entry = OutboxEntry.objects.get(dispatch=dispatch)
    assert entry.message_id == OutboxEntry.objects.get(pk=entry.pk).message_id
    assert parse_message_id(entry.message_id) == (dispatch.pk, entry.pk)
    assert parse_message_id("<foreign@example.org>") is None


def test_system_actor_is_accepted_for_automations():
    assert Actor.system().is_system


@pytest.mark.django_db
def test_deleting_a_person_keeps_the_row_without_them_and_deleting_a_dispatch_removes_its_rows(org):
    from polity.outbox.models import Dispatch

    person = make_person(org.units["north_a_1"], "Gone", "Soon")
    dispatch = _create(org, [person.pk, org.people["member"].pk])
    Person.objects.filter(pk=person.pk).delete()
    assert sorted(
        OutboxEntry.objects.filter(dispatch=dispatch).values_list("person_id", flat=True), key=str
    ) == sorted([None, org.people["member"].pk], key=str)
    Dispatch.objects.filter(pk=dispatch.pk).delete()
    assert not OutboxEntry.objects.filter(dispatch_id=dispatch.pk).exists()
