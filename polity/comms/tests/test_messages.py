"""Audiences and messages: permission tables, audit events, approval, and invariants under attack."""

from datetime import timedelta

import pytest
from django.utils import timezone

from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.comms.models import MessageState
from polity.comms.selectors import audience_members, audience_preview, message_delivery, message_get
from polity.comms.services import (
    audience_create,
    message_approve,
    message_create,
    message_refuse,
    message_send,
)
from polity.comms.tests.conftest import consent
from polity.deadlines.models import Deadline, State
from polity.deadlines.services import deadlines_escalate
from polity.members.models import Person
from polity.outbox import delivery
from polity.outbox.models import OutboxEntry


def _audience(org, who="secretary", unit="north_a", **extra):
    return audience_create(actor=org.actor(who), unit=org.units[unit], name="Test audience", **extra)


def _message(org, audience, who="secretary", purpose="campaigning", **extra):
    extra.setdefault("subject", "Hello {{ given_name }}")
    extra.setdefault("body", "Dear {{ given_name }}, news from {{ sender_unit }} for {{ unit }}.")
    return message_create(actor=org.actor(who), audience=audience, purpose=purpose, channel="email", **extra)


@pytest.mark.parametrize(
    ("who", "unit", "outcome"),
    [
        ("secretary", "north_a", None),
        ("branchsec", "north_a_1", None),
        ("regional", "north", None),
        ("national", "national", None),
        ("branchsec", "north_a", NotVisible),  # above their branch
        ("secretary", "south_a", NotVisible),  # another region
        ("member", "north_a_2", NotVisible),  # no office
    ],
)
def test_audience_create_permission_table(org, who, unit, outcome):
    if outcome is None:
        audience = _audience(org, who, unit)
        assert Event.objects.filter(verb="comms.audience_create", object_id=str(audience.pk)).exists()
    else:
        with pytest.raises(outcome):
            _audience(org, who, unit)


def test_audience_cannot_name_units_outside_scope_or_anchor(org):
    with pytest.raises(NotVisible):
        _audience(org, units=[org.units["south_a_1"]])
    with pytest.raises(InvalidInput):
        _audience(org, "regional", "north_a", units=[org.units["north_b_1"]])


def test_resolution_filters(org, delegates):
    everyone = audience_members(actor=org.actor("secretary"), audience=_audience(org))
    names = set(everyone.values_list("given_name", flat=True))
    assert "Olu" not in names and {"Mina", "Milo", "Sam"} <= names
    gc = _audience(org, body=org.units["north_a_gc"], body_part="delegates")
    assert set(audience_members(actor=org.actor("secretary"), audience=gc)) == set(delegates)
    Person.objects.filter(pk=org.people["member"].pk).update(
        paid_until=timezone.localdate() - timedelta(days=40)
    )
    arrears = _audience(org, min_days_in_arrears=30)
    assert list(audience_members(actor=org.actor("secretary"), audience=arrears)) == [org.people["member"]]
    secs = _audience(org, "regional", "north", offices=["secretary"])
    assert set(audience_members(actor=org.actor("regional"), audience=secs)) == {
        org.people["secretary"],
        org.people["branchsec"],
    }


def test_resolution_follows_the_current_scope_of_who_uses_it(org):
    audience = _audience(org, "regional", "north")
    # The branch secretary cannot use (or even see) a region-wide audience.
    with pytest.raises(NotVisible):
        audience_preview(
            actor=org.actor("branchsec"), audience_id=audience.pk, purpose="service", channel="email"
        )


def test_preview_shows_counts_only(org):
    consent(org.people["member"])
    Person.objects.filter(pk=org.people["member2"].pk).update(email="")
    consent(org.people["member2"])
    preview = audience_preview(
        actor=org.actor("secretary"), audience_id=_audience(org).pk, purpose="campaigning", channel="email"
    )
    total = Person.objects.filter(home_unit__path__startswith=org.units["north_a"].path).count()
    assert (preview.total, preview.reachable, preview.no_address) == (total, 1, 1)
    assert preview.no_consent == total - 2 and preview.suppressed == 0
    assert not any("@" in str(v) for v in vars(preview).values())


def test_send_small_campaign_goes_out_to_consenting_only(org, sent, django_capture_on_commit_callbacks):
    consent(org.people["member"])
    message = _message(org, _audience(org))
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(actor=org.actor("secretary"), message=message)
    assert message.state == MessageState.SENT and message.recipients == 1
    assert message.excluded["no_consent"] > 0
    [email] = sent.emails
    assert email.to == org.people["member"].email
    assert email.subject == "Hello Mina" and "news from North A for North A 2" in email.body
    assert message_delivery(message)["sent"] == 1
    assert Event.objects.filter(verb="comms.message_send", object_id=str(message.pk)).exists()


def test_withdraw_after_queueing_is_skipped_by_delivery(org, sent):
    member, member2 = org.people["member"], org.people["member2"]
    consent(member)
    consent(member2)
    message = message_send(actor=org.actor("secretary"), message=_message(org, _audience(org)))
    assert message.recipients == 2
    consent(member2, action="withdrawn")  # after queueing, before delivery
    delivery.deliver_due()
    assert [e.to for e in sent.emails] == [member.email]
    assert (
        OutboxEntry.objects.get(dispatch_id=message.dispatch_id, person=member2).skip_reason == "no consent"
    )
    assert message_delivery(message)["skipped"] == 1


def test_merge_fields_are_an_allow_list(org):
    audience = _audience(org)
    with pytest.raises(InvalidInput, match="unknown merge field"):
        _message(org, audience, body="Hi {{ email }}")
    with pytest.raises(InvalidInput, match="template code"):
        _message(org, audience, body="{% for p in people %}{{ p.email }}{% endfor %}")
    with pytest.raises(InvalidInput, match="need a meeting"):
        _message(org, audience, body="See you at {{ meeting_place }}")


def test_governance_only_to_a_body_and_never_waits_for_approval(org, delegates, settings):
    with pytest.raises(InvalidInput, match="members of a body"):
        _message(org, _audience(org), purpose="governance")
    gc = _audience(org, body=org.units["north_a_gc"], body_part="members")
    message = message_send(actor=org.actor("secretary"), message=_message(org, gc, purpose="governance"))
    assert message.state == MessageState.SENT and message.recipients == 2


def _big_branch(org, n):
    from polity.rulebook.loader import get_rulebook

    assert n > get_rulebook().number("comms.approval_threshold")
    Person.objects.bulk_create(
        Person(
            membership_number=f"B{i:07d}",
            given_name=f"G{i}",
            family_name="Bulk",
            email=f"b{i}@example.invalid",
            home_unit=org.units["north_a_1"],
            status="active",
            joined_on=timezone.localdate(),
        )
        for i in range(n)
    )


def test_big_campaign_needs_region_approval_with_deadline(org, sent):
    from polity.rulebook.loader import get_rulebook

    _big_branch(org, get_rulebook().number("comms.approval_threshold") + 1)
    message = message_send(actor=org.actor("secretary"), message=_message(org, _audience(org)))
    assert message.state == MessageState.AWAITING_APPROVAL and message.approver_unit == org.units["north"]
    deadline = Deadline.objects.get(subject_type="comms.message", subject_id=str(message.pk))
    assert deadline.owner_unit == org.units["north"] and deadline.rule_key == "comms.approval_deadline"
    assert message.dispatch_id is None
    # The secretary cannot approve; a branch secretary cannot even see it; the regional officer can.
    with pytest.raises(Forbidden):
        message_approve(actor=org.actor("secretary"), message=message)
    with pytest.raises(NotVisible):
        message_approve(actor=org.actor("branchsec"), message=message)
    assert message_get(actor=org.actor("regional"), message_id=message.pk) == message
    message = message_approve(actor=org.actor("regional"), message=message)
    assert message.state == MessageState.SENT
    deadline.refresh_from_db()
    assert deadline.state == State.MET


def test_refusal_needs_a_reason(org):
    from polity.rulebook.loader import get_rulebook

    _big_branch(org, get_rulebook().number("comms.approval_threshold") + 1)
    message = message_send(actor=org.actor("secretary"), message=_message(org, _audience(org)))
    with pytest.raises(InvalidInput):
        message_refuse(actor=org.actor("regional"), message=message, reason=" ")
    message = message_refuse(actor=org.actor("regional"), message=message, reason="Off-message")
    assert message.state == MessageState.REFUSED
    with pytest.raises(DomainError):
        message_send(actor=org.actor("secretary"), message=message)


def test_missed_approval_escalates_and_national_may_approve(org):
    from polity.rulebook.loader import get_rulebook

    _big_branch(org, get_rulebook().number("comms.approval_threshold") + 1)
    message = message_send(actor=org.actor("secretary"), message=_message(org, _audience(org)))
    deadline = Deadline.objects.get(subject_type="comms.message", subject_id=str(message.pk))
    deadlines_escalate(actor=Actor.system(), now=deadline.due_at + timedelta(minutes=1))
    deadline.refresh_from_db()
    assert deadline.state == State.ESCALATED and deadline.escalated_to == org.units["national"]
    assert message_approve(actor=org.actor("national"), message=message).state == MessageState.SENT
    deadline.refresh_from_db()
    assert deadline.was_missed and deadline.state == State.MET  # counted as missed, never silently held


def test_send_beyond_scope_is_refused(org):
    audience = _audience(org, "regional", "north")
    message = _message(org, audience, who="regional")
    for who in ("secretary", "branchsec", "outsider", "member"):
        with pytest.raises(NotVisible):
            message_send(actor=org.actor(who), message=message)
    south = _audience(org, "national", "south")
    with pytest.raises(NotVisible):
        _message(org, south, who="regional")


def test_officer_who_lost_office_can_no_longer_send(org):
    from polity.access.services import office_resign

    message = _message(org, _audience(org))
    office_resign(
        actor=org.actor("secretary"), term=org.terms["secretary"], confirm=True, reason="stood down"
    )
    with pytest.raises(NotVisible):
        message_send(actor=org.actor("secretary"), message=message)


def test_scheduled_message_goes_out_when_due(org, sent):
    from polity.comms.services import messages_send_due

    consent(org.people["member"])
    later = timezone.now() + timedelta(hours=2)
    message = message_send(
        actor=org.actor("secretary"), message=_message(org, _audience(org), scheduled_for=later)
    )
    assert message.state == MessageState.SCHEDULED and message.dispatch_id is None
    with pytest.raises(Forbidden):
        messages_send_due(actor=org.actor("national"))
    assert messages_send_due(actor=Actor.system(), now=later - timedelta(minutes=1)) == 0
    assert messages_send_due(actor=Actor.system(), now=later) == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.recipients == 1


def test_nobody_approves_their_own_message(org):
    from polity.rulebook.loader import get_rulebook

    _big_branch(org, get_rulebook().number("comms.approval_threshold") + 1)
    message = message_send(
        actor=org.actor("regional"),
        message=_message(org, _audience(org, "regional", "north_a_1"), who="regional"),
    )
    assert message.state == MessageState.AWAITING_APPROVAL and message.approver_unit == org.units["north"]
    with pytest.raises(Forbidden):
        message_approve(actor=org.actor("regional"), message=message)
    assert message_approve(actor=org.actor("national"), message=message).state == MessageState.SENT


def test_the_access_log_stays_intact_through_a_send(org, sent):
    from polity.audit.services import audit_verify

    consent(org.people["member"])
    message_send(actor=org.actor("secretary"), message=_message(org, _audience(org)))
    verbs = list(Event.objects.order_by("seq").values_list("verb", flat=True))
    assert {"consent.record", "comms.audience_create", "comms.message_create", "comms.message_send"} <= set(
        verbs
    )
    assert audit_verify(workers=1).ok
