"""Demo resignations: one the regional officer recorded from a letter, which `member` disputed (signing in as
`member` shows it on her page, and `regional` or `secretary` see it as disputed on her record), and a member of
her branch who resigned from his own page and is inside the cooling-off window.

Called by `polity demo` (polity.demo.services) inside its transaction, with the system as actor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.base import ContentFile

from polity.common.actor import Actor
from polity.members.models import Person, Status
from polity.members.resignations import resignation_dispute, resignation_record, resignation_request

if TYPE_CHECKING:
    from polity.demo.services import DemoContext

LETTER = (
    "To the membership officer,\n\nPlease take this as my resignation from the party with immediate effect.\n\n"
    "(An unsigned printout handed in at the regional office.)\n"
)


def _as(person: Person, label: str) -> Actor:
    return Actor(user_id=None, person_id=person.pk, label=label)


def populate(ctx: DemoContext) -> None:
    member, regional = ctx.people.get("member"), ctx.people.get("regional")
    if member is None or regional is None:
        return
    recorded = resignation_record(
        actor=_as(regional, "regional"),
        person=member,
        letter=ContentFile(LETTER.encode(), name="resignation-letter.txt"),
        received_on=ctx.today,
        note="Handed in at the regional office; not signed.",
    )
    resignation_dispute(
        actor=_as(member, "member"),
        resignation=recorded,
        reason="I never wrote or handed in this letter. I want to stay a member.",
    )
    named = [p.pk for p in ctx.people.values()]
    neighbour = (
        Person.objects.filter(home_unit_id=member.home_unit_id, status=Status.ACTIVE)
        .exclude(pk__in=named)
        .order_by("pk")
        .first()
    )
    if neighbour is not None:
        resignation_request(
            actor=_as(neighbour, f"demo:{neighbour.membership_number}"),
            person=neighbour,
            reason="Moving abroad for work.",
        )
