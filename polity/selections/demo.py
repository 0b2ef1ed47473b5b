"""Demo selections in the story's constituency (called by `polity demo` inside its transaction).

1. "Parliamentary candidate": closed, longlisted and shortlisted by a panel on which `branchsec` sits. One
   applicant's appeal against the longlist was dismissed by the region's appeal panel. `member` is on the
   longlist but not the shortlist, and her appeal to the region is waiting for its panel (`national` sits
   on it and can decide it). A shortlisted applicant withdrew and the region's executive added the next
   one: a recorded change with reasons, shown to members. Its hustings (a meeting of the general
   committee) are called for three weeks ahead; its member ballot waits for `member`'s appeal, then
   `secretary` calls it from the workspace.
2. "Council candidate" for a by-election, concluded: hustings held, a member ballot by the supplementary vote
   (returning officer `national`) counted and published, and the selected candidate declared.
3. "Council candidate": taking applications, so `member` (or anyone in the constituency) can apply.

`secretary` runs both; `regional` records the region's decisions and appoints its appeal panels.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.services import office_appoint
from polity.common.actor import Actor
from polity.deadlines.models import Deadline
from polity.elections import clock
from polity.elections.models import RollEntry
from polity.elections.roll import STAND_RULE
from polity.elections.services import (
    ballot_cast,
    election_close,
    election_count,
    election_open_poll,
    election_publish,
)
from polity.meetings.services.meetings import meeting_close, meeting_notice_send, meeting_open
from polity.members.models import Person, Status
from polity.org.models import Body, Unit
from polity.org.services import body_create
from polity.rulebook.loader import get_rulebook
from polity.selections import services as s
from polity.selections.conflicts import stakes
from polity.selections.models import Appeal, Application, Decision, DecisionKind, Notice, Selection
from polity.selections.services.common import APPEAL_SUBJECT, SUBJECT

if TYPE_CHECKING:
    from polity.demo.services import DemoContext

STATEMENTS = (
    "I have knocked on doors here for twelve years and chaired the branch through two elections.",
    "As a nurse at the district hospital I know what the cuts have done to this town.",
    "I run a small business on the high street and sit on the traders' association.",
    "I led the campaign that saved the library; I want to take that energy to Parliament.",
    "I have been a councillor for six years and know the casework this seat brings.",
)


def _as(person: Person) -> Actor:
    return Actor(user_id=None, person_id=person.pk, label=f"demo:{person.membership_number}")


def _body(unit: Unit, kind: str) -> Body:
    return Body.objects.filter(unit=unit, kind=kind).first() or body_create(
        actor=Actor.system(), unit=unit, kind=kind
    )


def _back(decision: Decision, days: int) -> None:
    """Date a decision (and its window) back: the demo's story happened over the past weeks."""
    past = timezone.now() - timedelta(days=days)
    window = get_rulebook().rule("selections.appeal_window")
    Decision.objects.filter(pk=decision.pk).update(
        decided_at=past, appeal_until=window.add_to(past) if decision.appeal_until else None
    )
    decision.refresh_from_db()


def _ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def _when(appeal: Appeal, lodged: int, decided: int | None = None) -> None:
    """Date an appeal back (and the deadline it opened, and its notices)."""
    lodged_at = _ago(lodged)
    decided_at = _ago(decided) if decided is not None else None
    Appeal.objects.filter(pk=appeal.pk).update(lodged_at=lodged_at, decided_at=decided_at)
    rule = get_rulebook().rule("selections.appeal_decision")
    Deadline.objects.filter(subject_type=APPEAL_SUBJECT, subject_id=str(appeal.pk)).update(
        started_at=lodged_at, due_at=rule.add_to(lodged_at), met_at=decided_at
    )
    Notice.objects.filter(appeal=appeal, subject__contains="received").update(created_at=lodged_at)
    if decided_at is not None:
        Notice.objects.filter(appeal=appeal).exclude(subject__contains="received").update(
            created_at=decided_at
        )


def _retell(selection: Selection) -> None:
    """After dating decisions back: applications before the close, the close at its time, the deadlines
    from the dates they ran from, and each decision's notices on its day."""
    close = selection.applications_close_at
    for i, application in enumerate(Application.objects.filter(selection=selection).order_by("pk")):
        Application.objects.filter(pk=application.pk).update(submitted_at=close - timedelta(days=9 - i))
    Selection.objects.filter(pk=selection.pk).update(closed_at=close)
    decided = dict(
        Decision.objects.filter(selection=selection, kind__in=["longlist", "shortlist"]).values_list(
            "kind", "decided_at"
        )
    )
    rulebook = get_rulebook()
    for key, start, met in (
        ("selections.longlist_decision", close, decided.get("longlist")),
        ("selections.shortlist_decision", decided.get("longlist"), decided.get("shortlist")),
    ):
        if start is not None:
            Deadline.objects.filter(subject_type=SUBJECT, subject_id=str(selection.pk), rule_key=key).update(
                started_at=start, due_at=rulebook.rule(key).add_to(start), met_at=met
            )
    for decision in Decision.objects.filter(selection=selection):
        Notice.objects.filter(decision=decision).update(created_at=decision.decided_at)


def _moment(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _concluded(
    ctx: DemoContext,
    organiser: Actor,
    constituency: Unit,
    gc: Body,
    panel: list[Person],
    applicants: list[Person],
) -> None:
    """A by-election selection that ran its course over the past ten weeks: shortlist, hustings, ballot."""
    ro = ctx.people["national"]  # the returning officer of the elections demo
    today = timezone.localdate()
    start = today - timedelta(days=70)
    selection = s.selection_create(
        actor=organiser,
        unit=constituency,
        body=gc,
        seat=f"Council candidate for the {constituency.name} town ward by-election",
        applications_close_at=timezone.now() + timedelta(days=1),
        about="A by-election: hustings at the general committee, then a ballot of every member.",
    )
    apps = [
        s.application_submit(actor=_as(person), selection=selection, statement=STATEMENTS[i + 1])
        for i, person in enumerate(applicants)
    ]
    Selection.objects.filter(pk=selection.pk).update(
        created_at=_moment(start - timedelta(days=14)), applications_close_at=_moment(start)
    )
    selection.refresh_from_db()
    s.applications_close(actor=organiser, selection=selection)
    for person in panel:
        s.panel_appoint(actor=organiser, selection=selection, person=person)
    chair = _as(panel[0])
    longlist = s.longlist_decide(
        actor=chair,
        selection=selection,
        included=[a.pk for a in apps],
        reasons="Every applicant met the published criteria for a council candidate.",
    )
    _back(longlist, 60)
    shortlist = s.shortlist_decide(
        actor=chair,
        selection=selection,
        included=[a.pk for a in apps],
        reasons="All three interviewed well: the members should choose.",
    )
    _back(shortlist, 50)
    _retell(selection)
    hustings = today - timedelta(days=30)
    # The story runs over the past ten weeks; when the demo's secretary took office within them, the
    # system stands in for the secretary of the time (the register's history has no earlier holder).
    called = _moment(today - timedelta(days=48))
    in_office = organiser.person_id is not None and (
        OfficeTerm.objects.in_force(called)
        .filter(person_id=organiser.person_id, office="secretary", unit=constituency)
        .exists()
    )
    caller = organiser if in_office else ctx.actor
    meeting = s.hustings_call(
        actor=caller,
        selection=selection,
        starts_at=_moment(hustings, 19),
        place=f"{constituency.name} community centre",
        now=called,
    )
    meeting_notice_send(actor=caller, meeting=meeting, now=_moment(today - timedelta(days=47)))
    meeting = meeting_open(actor=caller, meeting=meeting, now=_moment(hustings, 19))
    meeting_close(actor=caller, meeting=meeting, now=_moment(hustings, 21))
    with clock.at(_moment(today - timedelta(days=45))):
        election = s.ballot_create(actor=caller, selection=selection, method="sv", returning_officer=ro)
    assert election.poll_opens_at is not None and election.poll_closes_at is not None  # noqa: S101
    closes = election.poll_closes_at
    with clock.at(election.poll_opens_at):
        election = election_open_poll(actor=_as(ro), election=election)
        roll = list(RollEntry.objects.filter(election=election).values_list("person_id", flat=True))
        for person_id in ctx.rng.sample(roll, min(60, len(roll))):
            order = [1, 2, 3]
            ctx.rng.shuffle(order)
            if ctx.rng.random() < 0.45:  # the first name on the paper a little more popular
                order = [1, *[x for x in order if x != 1]]
            ranking = order[: ctx.rng.randint(1, 2)]  # the supplementary vote: a first and a second choice
            ballot_cast(actor=Actor(None, person_id, "demo voter"), election=election, ranking=ranking)
    with clock.at(closes + timedelta(minutes=5)):
        election = election_close(actor=_as(ro), election=election)
        election = election_count(actor=_as(ro), election=election)
        election_publish(actor=_as(ro), election=election)
    s.ballot_result_declare(actor=organiser, selection=selection)


def populate(ctx: DemoContext) -> None:
    secretary = ctx.people.get("secretary")
    if secretary is None:
        return
    term = OfficeTerm.objects.filter(person=secretary, office="secretary").select_related("unit").first()
    if term is None or term.unit.parent is None:
        return
    system, constituency = ctx.actor, term.unit
    region = constituency.parent
    assert region is not None
    gc, region_exec = _body(constituency, "general_committee"), _body(region, "executive_committee")
    named = {p.pk for p in ctx.people.values()}
    pool = list(
        Person.objects.filter(
            home_unit__path__startswith=constituency.path,
            status=Status.ACTIVE,
            joined_on__lte=get_rulebook().rule(STAND_RULE).subtract_from(timezone.localdate()),
        )
        .exclude(pk__in=named)
        .order_by("pk")
        .values_list("pk", flat=True)[:300]
    )
    # Nobody already in a case (the cases demo's people): the panels must be free of any stake.
    pool = list(
        Person.objects.filter(pk__in=pool).exclude(case_roles__isnull=False).values_list("pk", flat=True)
    )
    if len(pool) < 12:
        return
    people = iter(Person.objects.in_bulk(ctx.rng.sample(pool, 12)).values())
    organiser, regional = _as(secretary), _as(ctx.people["regional"])

    selection = s.selection_create(
        actor=organiser,
        unit=constituency,
        body=gc,
        seat=f"Parliamentary candidate for {constituency.name}",
        applications_close_at=timezone.now() + timedelta(days=1),
        about="The general committee will hold hustings; every member in good standing votes in the ballot.",
    )
    applicants = [next(people) for _ in range(4)] + [ctx.people["member"]]
    apps = {
        person.pk: s.application_submit(actor=_as(person), selection=selection, statement=STATEMENTS[i])
        for i, person in enumerate(applicants)
    }
    a, b, c, e, member = (apps[p.pk] for p in applicants)
    # The panels: people with no stake in this selection (`branchsec` first, when she has none).
    found = stakes(selection)
    free = [p for p in [ctx.people["branchsec"], *people] if p.pk not in found]
    panel, judge, national = free[:3], free[3], ctx.people["national"]
    for person in panel:
        office_appoint(actor=system, person=person, office="selection_panel_member", unit=constituency)
    office_appoint(actor=system, person=judge, office="selection_panel_member", unit=region)
    second = national if national.pk not in found else free[4]
    office_appoint(actor=system, person=second, office="selection_panel_member", unit=region.parent or region)
    Selection.objects.filter(pk=selection.pk).update(
        applications_close_at=timezone.now() - timedelta(days=40)
    )
    selection.refresh_from_db()
    s.applications_close(actor=organiser, selection=selection)
    for person in panel:
        s.panel_appoint(actor=organiser, selection=selection, person=person)
    chair = _as(panel[0])
    longlist = s.longlist_decide(
        actor=chair,
        selection=selection,
        included=[a.pk, b.pk, c.pk, member.pk],
        reasons="The panel longlisted the applicants whose statements showed local roots and campaign experience.",
        entry_reasons={e.pk: "Your statement did not say what you would do for this constituency."},
    )
    appeal = s.appeal_lodge(
        actor=_as(e.person), decision=longlist, grounds="My work for the traders' association is local work."
    )
    s.appeal_panel_appoint(actor=regional, appeal=appeal, person=judge)
    s.appeal_decide(
        actor=_as(judge),
        appeal=appeal,
        outcome="dismissed",
        reasons="The panel applied the same published criteria to every applicant; the statement was read.",
    )
    _back(longlist, 30)
    shortlist = s.shortlist_decide(
        actor=chair,
        selection=selection,
        included=[a.pk, b.pk],
        reasons="After interviews, the panel shortlisted the two applicants with the most campaign experience.",
        entry_reasons={member.pk: "A strong interview; the panel wanted more experience of casework."},
    )
    _back(shortlist, 2)
    s.application_withdraw(actor=_as(a.person), application=a)
    s.shortlist_change(
        actor=regional,
        selection=selection,
        body=region_exec,
        decided_on=timezone.localdate(),
        reasons=(
            f"{a.person.full_name} withdrew for family reasons. The region's executive added the applicant the "
            "panel ranked next, so that members still have a choice."
        ),
        add=[c.pk],
    )
    mine = s.appeal_lodge(
        actor=_as(member.person),
        decision=Decision.objects.get(selection=selection, kind=DecisionKind.SHORTLIST),
        grounds="The panel asked me different questions from the other applicants.",
    )
    s.appeal_panel_appoint(actor=regional, appeal=mine, person=second)
    # The story's dates: the shortlist's appeal window has closed, so once `national` decides `member`'s
    # appeal the member ballot can be called.
    _back(Decision.objects.get(selection=selection, kind=DecisionKind.SHORTLIST), 15)
    _when(appeal, lodged=25, decided=20)
    _when(mine, lodged=5)
    Application.objects.filter(pk=a.pk).update(withdrawn_at=_ago(12))
    Decision.objects.filter(selection=selection, kind=DecisionKind.CHANGE).update(
        decided_at=_ago(10), decided_on=_ago(10).date()
    )
    _retell(selection)

    # The hustings: a meeting of the general committee in three weeks, its notice due by the rulebook's
    # period (the secretary sends it from the meeting's page). The member ballot waits for `member`'s appeal.
    s.hustings_call(
        actor=organiser,
        selection=selection,
        starts_at=_moment(timezone.localdate() + timedelta(days=21), 19),
        place=f"{constituency.name} community centre",
    )

    if len(free) >= 8:  # three more people, on no panel and applying nowhere else
        _concluded(ctx, organiser, constituency, gc, panel, free[5:8])

    branch = ctx.people["member"].home_unit
    s.selection_create(
        actor=organiser,
        unit=constituency,
        body=gc,
        seat=f"Council candidate for {branch.name} ward",
        applications_close_at=timezone.now() + timedelta(days=14),
        about="Applications are open to every member in good standing in the constituency.",
    )
