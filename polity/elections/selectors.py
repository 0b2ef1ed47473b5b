"""Reading elections: the public page, the returning officer's workspace, a member's ballots, turnout.

An election is public to every signed-in person once its freeze is published; a draft only to those who
may call it and to its returning officer. Turnout while the poll is open: the returning officer, the
candidates and their agents. Reading the roll (names) is recorded in the access log; a ballot is never
shown with anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from polity.access.perms import Perm
from polity.access.policy import has_perm, units_q
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput, NotVisible
from polity.elections import clock
from polity.elections.models import (
    Agent,
    Candidate,
    CandidateState,
    Election,
    Paper,
    Participation,
    RollEntry,
    State,
)
from polity.elections.roll import Standing, electorate_words, voter_standing
from polity.elections.services.common import is_returning_officer
from polity.elections.workflow import next_step, reached
from polity.members.models import Person
from polity.org.models import Body, Unit


def may_manage(actor: Actor, election: Election) -> bool:
    return actor.is_system or has_perm(actor, Perm.ELECTIONS_MANAGE, election.unit)


def election_get(*, actor: Actor, election_id: int) -> Election:
    election = (
        Election.objects.select_related(
            "unit", "electorate_unit", "electorate_body__unit", "returning_officer"
        )
        .filter(pk=election_id)
        .first()
    )
    if election is None:
        raise NotVisible("not found")
    if election.state == State.DRAFT and not (
        is_returning_officer(actor, election) or may_manage(actor, election)
    ):
        raise NotVisible("not found")
    return election


def election_list(*, actor: Actor) -> QuerySet[Election]:
    """Published-freeze elections, and drafts the actor may call or runs."""
    visible = ~Q(state=State.DRAFT) | Q(returning_officer_id=actor.person_id)
    if has_perm(actor, Perm.ELECTIONS_MANAGE):
        visible |= Q(units_q(actor, Perm.ELECTIONS_MANAGE, field="unit__path"))
    return Election.objects.filter(visible).select_related("unit").order_by("-created_at", "-id")


@dataclass
class Page:
    """What the election's page shows to this actor."""

    election: Election
    candidates: list[Candidate]
    standing: Standing | None
    has_voted: bool
    is_ro: bool
    turnout: int | None
    groups: list[tuple[str, int, str]]
    next_label: str | None
    next_name: str | None
    pending: list[Candidate] = field(default_factory=list)
    papers: dict[str, int] = field(default_factory=dict)
    is_teller: bool = False

    @property
    def voters(self) -> str:
        """Who votes, in words: "members of the Women's section in North A"."""
        return electorate_words(self.election).removeprefix("the ")


def turnout_allowed(actor: Actor, election: Election) -> bool:
    if reached(election.state, State.CLOSED):
        return True
    if election.state != State.POLLING:
        return False
    if is_returning_officer(actor, election):
        return True
    if actor.person_id is None:
        return False
    mine = Candidate.objects.filter(election=election, state=CandidateState.VALID)
    return (
        mine.filter(person_id=actor.person_id).exists()
        or Agent.objects.filter(candidate__in=mine, person_id=actor.person_id).exists()
    )


def turnout(*, actor: Actor, election: Election) -> int:
    """How many on the roll have voted: never who, never how."""
    if not turnout_allowed(actor, election):
        raise Forbidden(
            "turnout is shown to the returning officer, candidates and agents while the poll is open"
        )
    return Participation.objects.filter(election=election).count()


def election_page(*, actor: Actor, election_id: int) -> Page:
    election = election_get(actor=actor, election_id=election_id)
    is_ro = is_returning_officer(actor, election)
    shown = [CandidateState.VALID] if election.ballot_published_at else [CandidateState.VALID]
    candidates = list(
        Candidate.objects.filter(election=election, state__in=shown)
        .select_related("person")
        .prefetch_related("groups")
        .order_by("ballot_position", "person__family_name", "id")
    )
    standing = None
    has_voted = False
    if actor.person_id is not None:
        person = Person.objects.get(pk=actor.person_id)
        standing = voter_standing(election, person, clock.now())
        has_voted = Participation.objects.filter(election=election, entry__person_id=actor.person_id).exists()
    count = turnout(actor=actor, election=election) if turnout_allowed(actor, election) else None
    step = next_step(election.state)
    pending: list[Candidate] = []
    papers: dict[str, int] = {}
    if is_ro:
        pending = list(
            Candidate.objects.filter(election=election)
            .exclude(state=CandidateState.VALID)
            .select_related("person")
            .annotate(n_nominations=Count("nominations"))
        )
        papers = dict(
            Paper.objects.filter(election=election).values_list("state").annotate(n=Count("id")).order_by()
        )
    groups = [(g.label, g.minimum, g.description) for g in election.groups.all()]
    is_teller = actor.person_id is not None and election.tellers.filter(person_id=actor.person_id).exists()
    return Page(
        election,
        candidates,
        standing,
        has_voted,
        is_ro,
        count,
        groups,
        step.label if step else None,
        step.name if step else None,
        pending,
        papers,
        is_teller,
    )


@dataclass(frozen=True)
class MyBallot:
    election: Election
    eligible: bool
    has_voted: bool


def my_ballots(*, actor: Actor) -> list[MyBallot]:
    """Elections whose roll the actor is on (and whether they voted), newest first."""
    if actor.person_id is None:
        return []
    entries = (
        RollEntry.objects.filter(person_id=actor.person_id)
        .exclude(election__state=State.DRAFT)
        .select_related("election", "election__unit")
        .annotate(voted=Count("vote"))
        .order_by("-election__created_at")
    )
    return [MyBallot(e.election, True, bool(e.voted)) for e in entries]


def roll_read(
    *, actor: Actor, election: Election, query: str = "", limit: int = 50
) -> list[tuple[Person, bool]]:
    """The returning officer looks people up on the roll (e.g. to mark a postal vote received): the
    names shown are recorded in the access log."""
    if not is_returning_officer(actor, election):
        raise Forbidden("only the returning officer reads the roll")
    entries = (
        RollEntry.objects.filter(election=election).select_related("person").annotate(voted=Count("vote"))
    )
    if query:
        entries = entries.filter(
            Q(person__family_name__istartswith=query) | Q(person__membership_number__iexact=query)
        )
    rows = [
        (e.person, bool(e.voted))
        for e in entries.order_by("person__family_name", "person__given_name")[:limit]
    ]
    audit_record(
        actor=actor,
        verb="election.roll_read",
        subjects=[p.pk for p, _ in rows],
        purpose="election",
        object_type="election",
        object_id=election.pk,
        data={"query": query, "shown": len(rows)},
    )
    return rows


def candidate_get(*, actor: Actor, election: Election, candidate_id: int) -> Candidate:
    candidate = Candidate.objects.filter(election=election, pk=candidate_id).select_related("person").first()
    if candidate is None:
        raise NotVisible("not found")
    return candidate


def my_candidacy(*, actor: Actor, election: Election) -> Candidate | None:
    if actor.person_id is None:
        return None
    return (
        Candidate.objects.filter(election=election, person_id=actor.person_id)
        .prefetch_related("groups")
        .first()
    )


@dataclass(frozen=True)
class BallotPage:
    """What the ballot page needs, in three short queries: the election, the published ballot paper, and
    whether the actor is on the roll and has voted (`voter`: "on_roll", "voted" or "off_roll")."""

    election: Election
    paper: dict[int, str]
    voter: str


def ballot_page(*, actor: Actor, election_id: int, with_voter: bool = True) -> BallotPage:
    """The ballot page: cheaper than `election_page` (no candidates' groups, no turnout, no standing),
    because every voter loads it three times (the form, the check, the cast)."""
    try:  # `get`, not `first`: ordering by the model's order costs CPU on each of the three requests
        election = Election.objects.get(pk=election_id)
    except Election.DoesNotExist:
        raise NotVisible("not found") from None
    if election.state == State.DRAFT:
        election = election_get(actor=actor, election_id=election_id)  # the draft's own visibility rule
    paper = _published_paper(election) if election.state == State.POLLING else {}
    voter = "off_roll"
    if with_voter and actor.person_id is not None:
        # The roll entry and its participation (a left join: none yet means not voted), in one short query.
        entry = (
            RollEntry.objects.filter(election_id=election.pk, person_id=actor.person_id)
            .order_by()
            .values_list("pk", "vote")[:1]
        )
        found = list(entry)
        voter = "off_roll" if not found else ("voted" if found[0][1] is not None else "on_roll")
    return BallotPage(election, paper, voter)


# The ballot paper is fixed when the poll opens (positions are given once, by election_open_poll), so each
# process keeps the few it serves: one query less on each of a voter's three requests.
_PAPERS: dict[tuple[int, object, object], dict[int, str]] = {}


def _published_paper(election: Election) -> dict[int, str]:
    from polity.elections.services.voting import ballot_positions

    key = (election.pk, election.created_at, election.poll_opened_at)
    paper = _PAPERS.get(key)
    if paper is None:
        paper = ballot_positions(election)
        if len(_PAPERS) >= 32:
            _PAPERS.clear()
        _PAPERS[key] = paper
    return dict(paper)


def ballot_paper(*, actor: Actor, election: Election) -> dict[int, str]:
    """The published ballot paper: position -> name (empty before the poll opens)."""
    from polity.elections.services.voting import ballot_positions

    return ballot_positions(election)


def receipt_check(*, election: Election, code: str) -> str:
    """What a receipt code says: 'counted' (in the sealed ballots), 'recorded' (poll still open, the
    ballot is stored), or 'unknown'. It never says how anyone voted."""
    from polity.elections.models import Ballot
    from polity.elections.services.voting import receipt_hash

    found = Ballot.objects.filter(election=election, receipt_hash=receipt_hash(code)).exists()
    if not found:
        return "unknown"
    return "counted" if election.sealed_digest else "recorded"


def unit_for_election(*, actor: Actor, unit_id: int) -> Unit:

    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotVisible("not found")
    return unit


def may_call_elections(actor: Actor) -> bool:
    """Whether `actor` may call an election anywhere (the page that calls one is shown to them only)."""
    return actor.is_system or has_perm(actor, Perm.ELECTIONS_MANAGE)


def unit_to_call(*, actor: Actor, ref: str) -> Unit:
    """The unit an election is called for, by its code or its name, among those where `actor` may call one.
    A name two units share must be given as a code; anything else is InvalidInput naming it."""
    text = ref.strip()
    mine = Unit.objects.filter(units_q(actor, Perm.ELECTIONS_MANAGE))
    found = list(mine.filter(code__iexact=text)[:1]) or list(mine.filter(name__iexact=text)[:2])
    if len(found) != 1:
        why = "two units have that name: give its code" if found else "no unit where you may call an election"
        raise InvalidInput(f"unit: {text!r}: {why}")
    return found[0]


def body_for_election(*, actor: Actor, body_id: int) -> Body:

    body = Body.objects.filter(pk=body_id).select_related("unit").first()
    if body is None:
        raise NotVisible("not found")
    return body


def nominating_body(*, actor: Actor, election: Election, ref: str | int) -> Body:
    """The body whose nomination `actor` records, by its name or its unit's code (what the web and the
    public pages show), or by its id as elsewhere in the API; only among the nominating bodies `actor` may
    act for in this election (Forbidden if none). Anything else is InvalidInput naming what was not found."""
    from polity.elections.services.nominations import body_nomination_choices

    bodies, _ = body_nomination_choices(actor=actor, election=election)
    if isinstance(ref, int):
        found = [b for b in bodies if b.pk == ref]
    else:
        text = ref.strip().casefold()
        found = [b for b in bodies if text in (b.name.casefold(), b.unit.code.casefold())]
    if len(found) != 1:
        names = ", ".join(sorted(b.name for b in bodies))
        raise InvalidInput(
            f"body: no nominating body {ref!r} that you may act for in this election "
            f"(by name or unit code; yours: {names})"
        )
    return found[0]


def person_for_election(*, actor: Actor, ref: str | int) -> Person:
    """A person named to an election role (returning officer, teller, agent) by id or membership number.
    Only someone who calls or runs elections may resolve one; the service then checks the role."""
    if not (
        actor.is_system or has_perm(actor, Perm.ELECTIONS_MANAGE) or has_perm(actor, Perm.ELECTIONS_RETURN)
    ):
        raise NotVisible("not found")
    text = str(ref).strip()
    q = Q(membership_number__iexact=text)
    if text.isdigit():
        q |= Q(pk=int(text))
    person = Person.objects.filter(q).first()
    if person is None:
        raise NotVisible("not found")
    return person


def roll_person(*, actor: Actor, election: Election, ref: str) -> Person:
    """A voter on the roll by membership number, for a teller or the returning officer marking a postal
    ballot received: the look-up is recorded in the access log."""
    is_teller = actor.person_id is not None and election.tellers.filter(person_id=actor.person_id).exists()
    if not (is_teller or is_returning_officer(actor, election)):
        raise Forbidden("only the election's tellers and returning officer look voters up on the roll")
    entry = (
        RollEntry.objects.filter(election=election, person__membership_number__iexact=ref.strip())
        .select_related("person")
        .first()
    )
    if entry is None:
        raise NotVisible("not found")
    audit_record(
        actor=actor,
        verb="election.roll_read",
        subjects=[entry.person_id],
        purpose="election",
        object_type="election",
        object_id=election.pk,
        data={"query": "membership number", "shown": 1},
    )
    return entry.person


def papers_to_resolve(*, actor: Actor, election: Election) -> list[tuple[str, list[str]]]:
    from polity.elections.services.papers import paper_discrepancies

    if not is_returning_officer(actor, election):
        raise Forbidden("only the returning officer resolves discrepancies")
    return paper_discrepancies(election)


def member_by_number(*, actor: Actor, ref: str) -> Person:
    """A member named by a candidate as their agent, by membership number (nothing else is shown)."""
    if actor.person_id is None:
        raise NotVisible("not found")
    person = Person.objects.filter(membership_number__iexact=ref.strip()).first()
    if person is None:
        raise NotVisible("not found")
    return person


@dataclass
class PaperDesk:
    """The tellers' desk: the ballot paper, how many papers are in each state, the papers whose two
    entries differ (each reading as the candidates' names), and the tellers."""

    election: Election
    paper: dict[int, str]
    is_ro: bool
    counts: dict[str, int]
    discrepancies: list[tuple[str, list[list[str]]]]
    tellers: list[Person]


def paper_desk(*, actor: Actor, election_id: int) -> PaperDesk:
    """Only the election's tellers and its returning officer: anyone else gets "not found"."""
    from polity.elections.models import PaperState, Teller
    from polity.elections.services.papers import paper_discrepancies
    from polity.elections.services.voting import ballot_positions

    election = election_get(actor=actor, election_id=election_id)
    is_ro = is_returning_officer(actor, election)
    is_teller = (
        actor.person_id is not None
        and Teller.objects.filter(election=election, person_id=actor.person_id).exists()
    )
    if not (is_ro or is_teller):
        raise NotVisible("not found")
    paper = ballot_positions(election)
    states = dict(PaperState.choices)
    counts = {
        states[state]: n
        for state, n in Paper.objects.filter(election=election)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by("state")
    }
    readings = [
        (ref, [[paper.get(int(p), "?") for p in r.split()] for r in rankings])
        for ref, rankings in paper_discrepancies(election)
    ]
    tellers = [t.person for t in Teller.objects.filter(election=election).select_related("person")]
    return PaperDesk(election, paper, is_ro, counts, readings, tellers)


def my_agents(*, actor: Actor, election: Election) -> tuple[Candidate, list[Person]]:
    """The actor's own candidacy and its agents; anyone who is not a candidate here gets "not found"."""
    candidate = my_candidacy(actor=actor, election=election)
    if candidate is None or candidate.state in (CandidateState.REFUSED, CandidateState.WITHDRAWN):
        raise NotVisible("not found")
    return candidate, [a.person for a in Agent.objects.filter(candidate=candidate).select_related("person")]
