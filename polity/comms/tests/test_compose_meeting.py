"""Compose: a message about a meeting picks the meeting (in the sender's scope, by title and date), which
fills the meeting merge fields; a meeting of another body is refused in words, keeping what was typed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from polity.comms.models import Message
from polity.comms.services import audience_create
from polity.meetings.services.meetings import meeting_call


def test_compose_offers_the_senders_meetings_and_fills_their_fields(org, delegates, login):
    from polity.common.actor import Actor
    from polity.org.services import body_create

    gc = org.units["north_a_gc"]
    meeting = meeting_call(
        actor=org.actor("secretary"),
        body=gc,
        title="GC spring",
        starts_at=timezone.now() + timedelta(days=20),
        place="Hall",
    )
    other_body = body_create(actor=Actor.system(), unit=org.units["south_a"], kind="general_committee")
    hidden = meeting_call(
        actor=Actor.system(),
        body=other_body,
        title="South GC",
        starts_at=timezone.now() + timedelta(days=20),
        place="Elsewhere",
    )
    audience = audience_create(
        actor=org.actor("secretary"),
        unit=org.units["north_a"],
        name="Delegates",
        body=gc,
        body_part="delegates",
    )
    secretary = login("secretary")
    page = secretary.get("/comms/messages/new/")
    assert b"GC spring" in page.content and b"South GC" not in page.content
    form = {
        "audience": audience.pk,
        "purpose": "governance",
        "channel": "email",
        "subject": "{{ meeting_title }}",
        "body": "See you at {{ meeting_place }}.",
        "meeting": meeting.pk,
    }
    response = secretary.post("/comms/messages/new/", form)
    assert response.status_code == 302
    assert Message.objects.get(subject="{{ meeting_title }}").meeting == meeting
    refused = secretary.post("/comms/messages/new/", {**form, "meeting": hidden.pk, "subject": "Other"})
    assert refused.status_code in (422, 404)
    assert not Message.objects.filter(subject="Other").exists()
    everyone = audience_create(actor=org.actor("secretary"), unit=org.units["north_a"], name="Everyone")
    wrong = secretary.post(
        "/comms/messages/new/", {**form, "audience": everyone.pk, "purpose": "service", "subject": "Typed"}
    )
    assert (
        wrong.status_code == 422
        and b"not a meeting of the audience" in wrong.content
        and b"Typed" in wrong.content
    )
