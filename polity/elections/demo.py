"""Demo elections: a national executive elected by STV with a reserved seat (closed, counted, published,
recountable) and a constituency chair elected by the alternative vote whose poll is open now, in the
constituency of the `secretary` and `member` logins, and that constituency's women's officer, elected by the
members of the women's section there (frozen ten days ago, nominations open; `member` is on its roll). `national` is the returning officer of both (a
staff role at national level), so the workspace can be opened with that login; `member` can vote.

Called by `polity demo` inside its transaction, with the system as actor; the timetable is walked on the
elections' clock (polity.elections.clock) so the first election's poll ran weeks ago.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from polity.access.services import office_appoint
from polity.common.actor import Actor
from polity.elections import clock
from polity.elections.models import Election, RollEntry
from polity.elections.roll import STAND_RULE, standing_q
from polity.elections.services import (
    GroupSpec,
    ballot_cast,
    candidate_accept,
    candidate_nominate,
    candidate_validate,
    election_close,
    election_count,
    election_create,
    election_freeze,
    election_open_nominations,
    election_open_poll,
    election_publish,
)
from polity.members.models import Person
from polity.members.sections import in_section_q
from polity.rulebook.loader import get_rulebook

if TYPE_CHECKING:
    from polity.demo.services import DemoContext

STATEMENTS = (
    "I will publish every executive decision with its reasons within a week.",
    "Our branches need money for campaigning, not for head office: I will move the budget.",
    "I have organised in my constituency for ten years; I want members to be heard at the top.",
    "Fewer meetings, better meetings: every agenda out a week ahead, every minute online.",
    "I will fight for a candidate selection process that members trust.",
    "Young members are our future: I will set up a mentoring scheme in every region.",
    "Transparency about money: a quarterly account of what the party spends, line by line.",
    "I will make sure complaints are handled fairly and on time, whoever they are about.",
)


def _as(person: Person) -> Actor:
    return Actor(user_id=None, person_id=person.pk, label=f"demo:{person.membership_number}")


def _moment(day: object) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))  # type: ignore[arg-type]


def _candidates(
    ctx: DemoContext,
    unit_path: str,
    freeze_day: object,
    count: int,
    exclude: set[int],
    also: Q | None = None,
    rng: random.Random | None = None,
) -> list[Person]:
    pool = list(
        Person.objects.filter(home_unit__path__startswith=unit_path)
        .filter(standing_q(freeze_day, STAND_RULE))  # type: ignore[arg-type]
        .filter(also or Q())
        .exclude(pk__in=exclude)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    chosen = (rng or ctx.rng).sample(pool, min(count, len(pool)))
    found = Person.objects.in_bulk(chosen)
    return [found[pk] for pk in chosen]


def _stand(ro: Actor, election: Election, people: list[Person], groups: dict[int, list[str]]) -> None:
    for i, person in enumerate(people):
        actor = _as(person)
        candidate = candidate_nominate(actor=actor, election=election)
        candidate = candidate_accept(
            actor=actor,
            candidate=candidate,
            acceptance=f"I accept nomination for {election.office} and will serve if elected.",
            groups=groups.get(person.pk, []),
            statement=STATEMENTS[i % len(STATEMENTS)],
        )
        candidate_validate(actor=ro, candidate=candidate, valid=True)


def _vote(ctx: DemoContext, election: Election, voters: int, positions: int, skip: set[int]) -> None:
    roll = list(
        RollEntry.objects.filter(election=election)
        .exclude(person_id__in=skip)
        .values_list("person_id", flat=True)
    )
    weights = [positions - i for i in range(positions)]  # earlier names a little more popular
    for person_id in ctx.rng.sample(roll, min(voters, len(roll))):
        order = list(range(1, positions + 1))
        first = ctx.rng.choices(order, weights=weights)[0]
        order.remove(first)
        ctx.rng.shuffle(order)
        length = ctx.rng.randint(1, positions) if election.is_ranked else election.seats
        ranking = [first, *order][:length]
        ballot_cast(actor=Actor(None, person_id, "demo voter"), election=election, ranking=ranking)


def populate(ctx: DemoContext) -> None:
    system = ctx.actor
    secretary = ctx.people["secretary"]
    constituency = secretary.home_unit.parent
    assert constituency is not None and constituency.parent is not None  # noqa: S101
    root = constituency.parent.parent or constituency.parent
    ro_person = ctx.people["national"]
    ro = _as(ro_person)
    named = {p.pk for p in ctx.people.values()}
    start = ctx.today - timedelta(days=40)
    office_appoint(
        actor=system,
        person=ro_person,
        office="returning_officer",
        unit=root,
        starts_at=_moment(start - timedelta(days=1)),
    )

    # 1. The national executive: STV, five seats, one reserved for a member who self-identifies as BAME.
    with clock.at(_moment(start)):
        nec = election_create(
            actor=system,
            title="National executive committee election",
            office="National executive committee (ordinary members)",
            unit=root,
            method="stv-scottish",
            seats=5,
            returning_officer=ro_person,
            groups=[GroupSpec("BAME", 1, "One seat reserved for a member who self-identifies as BAME")],
        )
        nec = election_freeze(actor=ro, election=nec)
        nec = election_open_nominations(actor=ro, election=nec)
        people = _candidates(ctx, root.path, nec.freeze_on, 8, named)
        _stand(ro, nec, people, {people[6].pk: ["BAME"], people[7].pk: ["BAME"]})
    assert nec.poll_opens_at is not None and nec.poll_closes_at is not None  # noqa: S101
    closes_at = nec.poll_closes_at
    with clock.at(nec.poll_opens_at):
        nec = election_open_poll(actor=ro, election=nec)
        _vote(ctx, nec, 400, 8, set())
    with clock.at(closes_at + timedelta(minutes=5)):
        nec = election_close(actor=ro, election=nec)
        nec = election_count(actor=ro, election=nec)
        election_publish(actor=ro, election=nec)

    # 2. The secretary's constituency elects its chair by the alternative vote; the poll is open now.
    start = ctx.today - timedelta(days=25)
    with clock.at(_moment(start)):
        chair = election_create(
            actor=system,
            title=f"{constituency.name}: chair",
            office=f"Chair of {constituency.name}",
            unit=constituency,
            method="av",
            returning_officer=ro_person,
        )
        chair = election_freeze(actor=ro, election=chair)
        chair = election_open_nominations(actor=ro, election=chair)
        _stand(ro, chair, _candidates(ctx, constituency.path, chair.freeze_on, 3, named), {})
    assert chair.poll_opens_at is not None  # noqa: S101
    with clock.at(chair.poll_opens_at):
        chair = election_open_poll(actor=ro, election=chair)
        _vote(ctx, chair, 25, 3, named)  # the demo logins have not voted yet: `member` can

    # 3. The same constituency's women's officer, elected by the members of its women's section (declared
    # in polity.members.demo); frozen ten days ago, nominations open.
    if "women" not in get_rulebook().sections:
        return
    start = ctx.today - timedelta(days=10)
    with clock.at(_moment(start)):
        womens = election_create(
            actor=system,
            title=f"{constituency.name}: women's officer",
            office=f"Women's officer of {constituency.name}",
            unit=constituency,
            method="fptp",
            returning_officer=ro_person,
            electorate_section="women",
        )
        womens = election_freeze(actor=ro, election=womens)
        womens = election_open_nominations(actor=ro, election=womens)
        assert womens.freeze_on is not None  # noqa: S101
        women = in_section_q("women", womens.freeze_on)
        # Its own generator from the seed: the demo content of the apps after this one stays as it was.
        draw = random.Random(f"womens-officer:{ctx.seed}")
        _stand(ro, womens, _candidates(ctx, constituency.path, womens.freeze_on, 2, named, women, draw), {})
