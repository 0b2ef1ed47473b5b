"""Notice by post: a delegate without an email address is sent a letter through the outbox (the governance
purpose allows post); everyone else the email with its calendar file. Each is recorded once, with its
dispatch, and the outbox records when each letter was produced for posting."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from polity.comms.models import Message
from polity.meetings.models import NoticeGiven
from polity.meetings.services.meetings import meeting_call, meeting_notice_send
from polity.outbox import delivery
from polity.outbox.models import Dispatch, OutboxEntry


def _called(org, gc):  # type: ignore[no-untyped-def]
    return meeting_call(
        actor=org.actor("secretary"),
        body=gc.body,
        title="General committee, autumn",
        starts_at=timezone.now() + timedelta(days=30),
        place="Community hall, Station Road",
        agenda=["Apologies", "Motions"],
    )


def test_a_delegate_without_email_gets_the_notice_by_post(org, gc, sent, login):
    from polity.members.models import Person

    by_post, nowhere = gc.delegates[2], gc.delegates[3]
    Person.objects.filter(pk=by_post.pk).update(
        email="", address_line="1 Mill Lane, Northtown", postcode="NT1 2AB"
    )
    Person.objects.filter(pk=nowhere.pk).update(email="", address_line="", postcode="")
    meeting = _called(org, gc)
    confirm = login("secretary").get(f"/meetings/{meeting.pk}/notice/")
    assert b"by post to the 2 without an email address" in confirm.content
    assert meeting_notice_send(actor=org.actor("secretary"), meeting=meeting) == 12
    given = dict(NoticeGiven.objects.filter(meeting=meeting).values_list("person_id", "dispatch_id"))
    assert len(given) == 12
    channels = {pk: Dispatch.objects.get(pk=d).channel for pk, d in given.items()}
    assert channels[by_post.pk] == "post"
    assert channels[nowhere.pk] == "email"  # neither address: the email, which cannot reach them
    assert sum(1 for c in channels.values() if c == "email") == 11
    delivery.deliver_due()
    (letter,) = sent.letters
    assert letter.to == (f"{by_post.given_name} {by_post.family_name}", "1 Mill Lane, Northtown", "NT1 2AB")
    assert letter.subject == "Notice of meeting: General committee, autumn"
    assert "Community hall, Station Road" in letter.text() and "2. Motions" in letter.text()
    assert by_post.email not in [e.to for e in sent.emails] and len(sent.emails) == 10
    post_entry = OutboxEntry.objects.get(dispatch_id=given[by_post.pk], person=by_post)
    assert post_entry.state == "sent" and post_entry.sent_at is not None
    # Who has no address at all is counted as such on the message (the secretary sees it), not queued.
    assert not OutboxEntry.objects.filter(person=nowhere).exists()
    email = Message.objects.get(meeting=meeting, channel="email")
    assert email.excluded["no_address"] == 1 and email.recipients == 10
    # Sending again reaches nobody twice, on either channel.
    assert meeting_notice_send(actor=org.actor("secretary"), meeting=meeting) == 0


def test_letters_are_written_to_a_directory_for_printing(org, gc, settings, tmp_path):
    from polity.members.models import Person

    settings.POLITY_POST_URL = f"file://{tmp_path}"
    person = gc.delegates[4]
    Person.objects.filter(pk=person.pk).update(email="", address_line="2 Quay Street", postcode="NT3 4CD")
    meeting = _called(org, gc)
    meeting_notice_send(actor=org.actor("secretary"), meeting=meeting)
    delivery.deliver_due()
    (written,) = list(tmp_path.glob("*.txt"))
    text = written.read_text(encoding="utf-8")
    assert text.startswith("North A\n") and "2 Quay Street\nNT3 4CD" in text
    assert "Notice of meeting: General committee, autumn" in text
