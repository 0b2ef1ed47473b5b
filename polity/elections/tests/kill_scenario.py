"""Steps of the kill tests, run in their own processes against the kill world's database (see test_kills).

python -m polity.elections.tests.kill_scenario setup VOTERS     -> {"election": id, "tokens": [...]}
python -m polity.elections.tests.kill_scenario ballots N        -> N ballots (and participations) stored, poll closed
python -m polity.elections.tests.kill_scenario state ID         -> {"state", "ballots", "participations", "result"}
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "polity.outbox.tests.worker_settings")
django.setup()

from django.utils import timezone  # noqa: E402

from polity.access.services import office_appoint  # noqa: E402
from polity.accounts.models import User  # noqa: E402
from polity.accounts.tokens import token_create  # noqa: E402
from polity.common.actor import Actor  # noqa: E402
from polity.elections import clock  # noqa: E402
from polity.elections.models import Ballot, Election, Participation, RollEntry  # noqa: E402
from polity.elections.services import (  # noqa: E402
    candidate_add,
    election_close,
    election_create,
    election_freeze,
    election_open_nominations,
    election_open_poll,
)
from polity.members.services import member_join  # noqa: E402
from polity.org.services import unit_create  # noqa: E402

SYSTEM = Actor.system()


def setup(voters: int, candidates: int = 3) -> dict[str, object]:
    root = unit_create(actor=SYSTEM, name="Kill Party", code="kill", level="national", parent=None)
    region = unit_create(actor=SYSTEM, name="Region", code="kill-r", level="region", parent=root)
    cons = unit_create(actor=SYSTEM, name="Cons", code="kill-c", level="constituency", parent=region)
    branch = unit_create(actor=SYSTEM, name="Branch", code="kill-b", level="branch", parent=cons)
    people = [
        member_join(
            actor=SYSTEM,
            home_unit=branch,
            joined_on=date(2020, 1, 1),
            membership_number=f"K{i:07d}",
            given_name=f"Voter{i}",
            family_name="Kill",
            paid_until=date(2099, 1, 1),
        )  # fmt: skip
        for i in range(voters + candidates + 1)
    ]
    ro = people[-1]
    office_appoint(actor=SYSTEM, person=ro, office="returning_officer", unit=root)
    start = timezone.now() - timedelta(days=30)
    with clock.at(start):
        election = election_create(
            actor=SYSTEM, title="Kill test", office="Chair", unit=root, method="av", returning_officer=ro
        )
        election = election_freeze(actor=SYSTEM, election=election)
        election = election_open_nominations(actor=SYSTEM, election=election)
        for person in people[-candidates - 1 : -1]:
            candidate_add(actor=SYSTEM, election=election, person=person)
    assert election.poll_opens_at is not None
    with clock.at(election.poll_opens_at):
        election_open_poll(actor=SYSTEM, election=election)
    tokens = []
    for person in people[:voters]:
        user = User.objects.create_user(username=f"k{person.pk}", password=None, person=person)
        tokens.append(token_create(actor=SYSTEM, user=user, name="kill")[1])
    return {"election": election.pk, "tokens": tokens}


def ballots(count: int) -> dict[str, object]:
    """A big closed poll to count: `count` voters on the roll, each with a participation and a ballot."""
    election = setup(0, candidates=12)["election"]
    e = Election.objects.get(pk=election)
    branch = e.unit.children.get().children.get().children.get()
    from polity.members.models import Person

    Person.objects.bulk_create(
        [
            Person(
                membership_number=f"B{i:08d}",
                given_name="Bulk",
                family_name=f"V{i}",
                home_unit=branch,
                status="active",
                joined_on=date(2020, 1, 1),
                paid_until=date(2099, 1, 1),
            )  # fmt: skip
            for i in range(count)
        ],
        batch_size=5000,
    )
    ids = list(Person.objects.filter(membership_number__startswith="B").values_list("pk", flat=True))
    RollEntry.objects.bulk_create([RollEntry(election=e, person_id=p) for p in ids], batch_size=5000)
    entries = list(RollEntry.objects.filter(election=e, person_id__in=ids).values_list("pk", flat=True))
    Participation.objects.bulk_create(
        [Participation(entry_id=x, election=e, channel="web") for x in entries], batch_size=5000
    )
    shapes = ["1 2 3", "2 1", "3 2 1", "1 3", "2", "3 1 2", "1"]
    Ballot.objects.bulk_create(
        [Ballot(election=e, ranking=shapes[(i * 7 + i // 3) % len(shapes)]) for i in range(count)],
        batch_size=5000,
    )
    assert e.poll_closes_at is not None
    with clock.at(e.poll_closes_at + timedelta(minutes=1)):
        election_close(actor=SYSTEM, election=e)
    return {"election": e.pk}


def state(election_id: int) -> dict[str, object]:
    e = Election.objects.get(pk=election_id)
    return {
        "state": e.state,
        "ballots": Ballot.objects.filter(election=e).count(),
        "participations": Participation.objects.filter(election=e).count(),
        "result": e.result,
        "seal": e.sealed_digest,
    }


if __name__ == "__main__":
    action, arg = sys.argv[1], int(sys.argv[2])
    out = {"setup": setup, "ballots": ballots, "state": state}[action](arg)
    print(json.dumps(out))
