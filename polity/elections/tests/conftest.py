"""An election in the test party: the north_a constituency elects, Rita is the returning officer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from conftest import PASSWORD, make_person


@dataclass
class Walk:
    """Walks an election through its timetable on the elections' clock."""

    org: object
    ro: object
    election: object = None
    candidates: dict[str, object] = field(default_factory=dict)

    def ro_actor(self):  # type: ignore[no-untyped-def]
        return self.org.actor("ro")  # type: ignore[attr-defined]

    def at(self, moment):  # type: ignore[no-untyped-def]
        from polity.elections import clock

        return clock.at(moment)

    def freeze(self):  # type: ignore[no-untyped-def]
        from polity.elections.services import election_freeze, election_open_nominations

        self.election = election_freeze(actor=self.ro_actor(), election=self.election)
        self.election = election_open_nominations(actor=self.ro_actor(), election=self.election)
        return self.election

    def stand(self, *names: str, groups: dict[str, list[str]] | None = None):  # type: ignore[no-untyped-def]
        from polity.elections.services import candidate_accept, candidate_nominate, candidate_validate

        for name in names:
            actor = self.org.actor(name)  # type: ignore[attr-defined]
            c = candidate_nominate(actor=actor, election=self.election)
            c = candidate_accept(
                actor=actor,
                candidate=c,
                acceptance="I accept this nomination.",
                groups=(groups or {}).get(name, []),
                statement=f"Vote for {name}.",
            )
            self.candidates[name] = candidate_validate(actor=self.ro_actor(), candidate=c, valid=True)

    def open_poll(self):  # type: ignore[no-untyped-def]
        from polity.elections.services import election_open_poll

        with self.at(self.election.poll_opens_at + timedelta(minutes=1)):
            self.election = election_open_poll(actor=self.ro_actor(), election=self.election)
        return self.election

    def positions(self):  # type: ignore[no-untyped-def]
        """login name -> ballot position."""
        self.election.refresh_from_db()
        out = {}
        for name, c in self.candidates.items():
            c.refresh_from_db()
            out[name] = c.ballot_position
        return out

    def close(self):  # type: ignore[no-untyped-def]
        from polity.elections.services import election_close

        with self.at(self.election.poll_closes_at + timedelta(minutes=1)):
            self.election = election_close(actor=self.ro_actor(), election=self.election)
        return self.election


@pytest.fixture
def walk(org):  # type: ignore[no-untyped-def]
    from polity.access.services import office_appoint
    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.elections.services import election_create

    rita = make_person(org.units["south_a_1"], "Rita", "Returning")
    org.people["ro"] = rita
    org.users["ro"] = User.objects.create_user(username="ro", password=PASSWORD, person=rita)
    office_appoint(actor=Actor.system(), person=rita, office="returning_officer", unit=org.units["national"])
    w = Walk(org=org, ro=rita)
    w.election = election_create(
        actor=org.actor("national"),
        title="North A officers: chair",
        office="Chair of North A",
        unit=org.units["north_a"],
        method="av",
        returning_officer=rita,
    )
    return w
