"""Demo resignations: one the regional officer recorded from a letter, which `member` disputed (signing in as
`member` shows it on her page, and `regional` or `secretary` see it as disputed on her record), and a member of
her branch who resigned from his own page and is inside the cooling-off window. And section declarations:
synthetic, drawn from the demo's seed, a share of the active members in each declared section of the rulebook
(a few withdrawn since), written in bulk; `member` has declared the women's section.

Called by `polity demo` (polity.demo.services) inside its transaction, with the system as actor.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile

from polity.common.actor import Actor
from polity.members.bulkload import copy_rows
from polity.members.models import Person, SectionMembership, Status
from polity.members.resignations import resignation_dispute, resignation_record, resignation_request
from polity.rulebook.loader import get_rulebook

if TYPE_CHECKING:
    from polity.demo.services import DemoContext

LETTER = (
    "To the membership officer,\n\nPlease take this as my resignation from the party with immediate effect.\n\n"
    "(An unsigned printout handed in at the regional office.)\n"
)


def _as(person: Person, label: str) -> Actor:
    return Actor(user_id=None, person_id=person.pk, label=label)


# The share of active members who have declared each section, if the rulebook has it (synthetic figures).
SECTION_SHARES = {"women": 0.38, "bame": 0.09, "disabled": 0.07, "lgbt": 0.06}
WITHDRAWN_SHARE = 0.03


def populate(ctx: DemoContext) -> None:
    _resignations(ctx)
    _sections(ctx)


def _sections(ctx: DemoContext) -> None:
    """Declarations for the active members, one pass over their ids in order (deterministic from the seed)."""
    declared = [key for key, s in get_rulebook().sections.items() if s.basis == "declaration"]
    shares = [(key, SECTION_SHARES.get(key, 0.05)) for key in declared]
    if not shares:
        return
    # Its own generator from the seed, so that the other apps' demo content does not move with these draws.
    rng, today = random.Random(f"sections:{ctx.seed}"), ctx.today
    named = {p.pk for p in ctx.people.values()}
    member = ctx.people.get("member")
    rows: list[tuple[int, str, object, object]] = []
    active = Person.objects.filter(status=Status.ACTIVE).order_by("pk").values_list("pk", "joined_on")
    for pk, joined_on in active.iterator(chunk_size=20000):
        if pk in named:
            continue
        span = max(1, (today - joined_on).days)
        for key, share in shares:
            if rng.random() >= share:
                continue
            since = joined_on + timedelta(days=rng.randrange(span))
            until = None
            if rng.random() < WITHDRAWN_SHARE and since < today:
                until = since + timedelta(days=rng.randrange(1, max(2, (today - since).days)))
            rows.append((pk, key, since, until))
    if member is not None and "women" in declared:
        rows.append((member.pk, "women", member.joined_on, None))
    copy_rows(SectionMembership, ("person_id", "section", "since", "until"), rows)


def _resignations(ctx: DemoContext) -> None:
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
