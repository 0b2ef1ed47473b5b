"""Demo comms: consents for part of the register, a few suppressed addresses, saved audiences, a meeting
of the secretary's general committee with its notice scheduled, a draft campaign, and a governance notice
already handed to delivery (so `polity run` shows caught mail at once).

Called by `polity demo` inside its transaction, with the system as actor. Deterministic from ctx.rng.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.common.actor import Actor
from polity.comms.continuity import meeting_create
from polity.comms.models import BodyPart
from polity.comms.services import audience_create, message_create, message_send, unit_sender_set
from polity.consent.models import ConsentEvent, Method
from polity.consent.services import consent_wording, suppression_add
from polity.members.models import Person
from polity.org.models import Body

if TYPE_CHECKING:
    from polity.demo.services import DemoContext

# Shares of the register with each consent on record (the rest were never asked).
SHARES = (("campaigning", "email", 0.30), ("campaigning", "sms", 0.08), ("fundraising", "email", 0.10))
BATCH = 5000


def _as(person: Person) -> Actor:
    return Actor(user_id=None, person_id=person.pk, label=f"demo:{person.membership_number}")


def _consents(ctx: DemoContext) -> None:
    ids = list(Person.objects.values_list("pk", flat=True).order_by("pk"))
    when = timezone.now() - timedelta(days=90)
    for purpose, channel, share in SHARES:
        wording = consent_wording(purpose, channel)
        chosen = [pk for pk in ids if ctx.rng.random() < share]
        for start in range(0, len(chosen), BATCH):
            ConsentEvent.objects.bulk_create(
                ConsentEvent(
                    person_id=pk,
                    purpose=purpose,
                    channel=channel,
                    action="given",
                    occurred_at=when,
                    method=Method.IMPORT,
                    recorded_by_label="demo import",
                    evidence="Demo: membership form, tick box",
                    wording=wording,
                )
                for pk in chosen[start : start + BATCH]
            )


def populate(ctx: DemoContext) -> None:
    _consents(ctx)
    for email in Person.objects.exclude(email="").order_by("pk").values_list("email", flat=True)[5:8]:
        suppression_add(actor=ctx.actor, kind="email", address=email, scope="all", reason="demo: hard bounce")
    secretary = ctx.people.get("secretary")
    if secretary is None:
        return
    term = (
        OfficeTerm.objects.filter(person=secretary, office="secretary")
        .filter(Q(ends_at__isnull=True))
        .select_related("unit")
        .first()
    )
    if term is None:
        return
    unit = term.unit
    sec = _as(secretary)
    # Replies to the constituency's messages reach its shared office address, not the secretary's own.
    unit_sender_set(actor=sec, unit=unit, reply_to=f"office+{unit.code}@demo-party.invalid")
    everyone = audience_create(actor=sec, unit=unit, name=f"All members of {unit.name}")
    audience_create(actor=sec, unit=unit, name="In arrears 30 days or more", min_days_in_arrears=30)
    message_create(
        actor=sec,
        audience=everyone,
        purpose="campaigning",
        channel="email",
        subject="Canvassing this Saturday, {{ given_name }}?",
        body="Dear {{ given_name }},\n\nWe are canvassing in {{ unit }} this Saturday. Can you join us?\n\n{{ sender_unit }}",
    )
    gc = Body.objects.filter(unit=unit, kind="general_committee").first()
    if gc is None:
        return
    delegates = audience_create(
        actor=sec, unit=unit, name=f"{gc.name} delegates", body=gc, body_part=BodyPart.DELEGATES
    )
    meeting = meeting_create(
        actor=sec,
        body=gc,
        title=f"{gc.name} of {unit.name}",
        starts_at=timezone.now() + timedelta(days=12),
        place="Community hall, Station Road",
        agenda="1. Apologies\n2. Minutes\n3. Campaign plan\n4. Any other business",
    )
    notice = message_create(
        actor=sec,
        audience=delegates,
        purpose="governance",
        channel="email",
        subject="Papers for {{ meeting_title }}",
        body="Dear {{ given_name }},\n\nThe papers for {{ meeting_title }} on {{ meeting_date }} are attached to "
        "the agenda:\n{{ meeting_agenda }}\n\n{{ sender_unit }}",
        meeting=meeting,
    )
    message_send(actor=sec, message=notice)
