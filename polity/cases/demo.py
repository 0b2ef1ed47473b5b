"""Demo cases: one in every state of the workflow, a suspension with its review date, a missed deadline
escalated to the unit above, and the story of an objection to a rejoining member raised by an executive
some of whose members are respondents in her complaint, which the system refuses to let them judge.

`member` also adds evidence, a statement and messages to her own cases: one message acknowledged and
answered, one awaiting its acknowledgement.

Called by `polity demo` (polity.demo.services) inside its transaction, with the system as actor.
The named logins get parts to play: `regional` handles the region's cases (complaints officer),
`national` sits on the national disputes panel (appeals), `member` has a complaint of her own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.utils import timezone

from polity.access.services import office_appoint
from polity.cases import services as s
from polity.cases.actions import case_act
from polity.cases.models import Case, CaseState, Notice
from polity.cases.rules import CaseRefused
from polity.common.actor import Actor
from polity.deadlines.models import Deadline
from polity.deadlines.services import deadlines_escalate
from polity.members.models import Person, Status
from polity.members.services import member_record_payment, member_rejoin, member_set_status
from polity.org.models import Body, Unit
from polity.org.services import body_create
from polity.rulebook.loader import get_rulebook

if TYPE_CHECKING:
    from polity.demo.services import DemoContext

SUMMARIES = (
    "Repeatedly interrupted and belittled members at the branch meeting.",
    "Posted members' home addresses in a public group chat.",
    "Took the branch's campaign leaflets for a rival candidate.",
    "Made offensive remarks about a member's accent while canvassing.",
    "Refused to hand over the branch's minutes after leaving office.",
    "Shouted at volunteers at the street stall in front of the public.",
)


def _as(person: Person) -> Actor:
    return Actor(user_id=None, person_id=person.pk, label=f"demo:{person.membership_number}")


def _body(unit: Unit, kind: str) -> Body:
    found = Body.objects.filter(unit=unit, kind=kind).first()
    return found or body_create(actor=Actor.system(), unit=unit, kind=kind)


def _file(text: str) -> ContentFile[bytes]:
    return ContentFile(text.encode(), name="evidence.txt")


def _heard(case: Case, team: Actor, days: int = 30) -> None:
    """The demo's notices were handed over a month ago: recorded by hand, then dated back."""
    for notice in Notice.objects.filter(case=case, delivered_at__isnull=True):
        s.case_record_delivery(actor=team, case=case, notice=notice, how="demo: handed over at the branch")
    past = timezone.now() - timedelta(days=days)
    Notice.objects.filter(case=case).update(delivered_at=past, created_at=past)


def populate(ctx: DemoContext) -> None:
    system = ctx.actor
    constituency = ctx.people["secretary"].home_unit.parent
    assert constituency is not None and constituency.parent is not None
    region, root = constituency.parent, constituency.parent.parent or constituency.parent
    named = {p.pk for p in ctx.people.values()}
    # Members long enough to sit on an executive (the rulebook's eligibility for office).
    joined_by = get_rulebook().rule("membership.min_length_to_hold_office").subtract_from(ctx.today)
    pool = list(
        Person.objects.filter(
            home_unit__path__startswith=region.path,
            status=Status.ACTIVE,
            joined_on__lte=joined_by,
        )
        .exclude(pk__in=named)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    picks = iter(Person.objects.in_bulk(ctx.rng.sample(pool, 40)).values())
    region_panel, national_panel = _body(region, "disputes_panel"), _body(root, "disputes_panel")
    office_appoint(actor=system, person=ctx.people["regional"], office="complaints_officer", unit=region)
    office_appoint(
        actor=system,
        person=ctx.people["national"],
        office="disputes_panel_member",
        unit=root,
        body=national_panel,
    )
    panel = [next(picks), next(picks)]
    for person in panel:
        office_appoint(
            actor=system, person=person, office="disputes_panel_member", unit=region, body=region_panel
        )
    investigator = next(picks)
    team = Actor.system("demo case team")

    # One case in every state, each a step further than the last.
    for index, state in enumerate(CaseState.values):
        complainant = ctx.people["member"] if index == 0 else next(picks)
        respondent = next(picks)
        case = s.case_open(
            actor=_as(complainant), kind="complaint", summary=SUMMARIES[index % len(SUMMARIES)]
        )
        if state == CaseState.RECEIVED:
            continue
        s.case_acknowledge(actor=team, case=case)
        s.case_add_party(actor=team, case=case, person=respondent, role="respondent")
        if state == CaseState.ACKNOWLEDGED:
            continue
        s.case_triage(
            actor=team, case=case, reasons="An alleged breach of the code of conduct: it goes ahead."
        )
        if state == CaseState.TRIAGED:
            continue
        s.case_assign_investigator(actor=team, case=case, person=investigator)
        s.case_add_evidence(
            actor=team,
            case=case,
            upload=_file(f"Statement of a witness, case {case.reference}"),
            description="A witness statement",
        )
        if state == CaseState.INVESTIGATION:
            s.case_suspend(
                actor=team,
                case=case,
                person=respondent,
                reasons="Risk to the volunteers while the investigation runs.",
                review_at=timezone.now() + timedelta(days=21),
            )
            continue
        s.case_send_notice(actor=team, case=case, allegations=SUMMARIES[index % len(SUMMARIES)])
        s.case_assign_panel(actor=team, case=case, members=[panel[index % 2]])
        if state == CaseState.NOTICE_SENT:
            continue
        _heard(case, team)
        if state == CaseState.HEARING:
            s.case_schedule_hearing(
                actor=team,
                case=case,
                at=timezone.now() + timedelta(days=10),
                details="Constituency office, 7 pm.",
            )
            continue
        s.case_decide(
            actor=_as(panel[index % 2]),
            case=case,
            outcome="warning",
            reasons="The statement and the respondent's own account agree on what was said.",
        )
        if state == CaseState.DECIDED:
            continue
        s.case_communicate(actor=team, case=case)
        _heard(case, team, days=1)
        if state == CaseState.COMMUNICATED:
            continue
        s.case_appeal(actor=_as(respondent), case=case, grounds="A warning is out of proportion.")
        s.case_assign_panel(actor=team, case=case, members=[ctx.people["national"]], appeal=True)
        if state == CaseState.APPEAL:
            continue
        s.case_decide_appeal(
            actor=_as(ctx.people["national"]),
            case=case,
            outcome="dismissed",
            reasons="The warning is the mildest sanction and fits what happened.",
        )
        if state == CaseState.APPEAL_DECIDED:
            continue
        s.case_communicate(actor=team, case=case)
        _heard(case, team, days=1)
        s.case_close(actor=team, case=case)

    # A complaint nobody acknowledged in time: its deadline escalates to the unit above.
    late = s.case_open(actor=_as(next(picks)), kind="complaint", summary="Nobody answers the branch's phone.")
    past = timezone.now() - timedelta(days=10)
    Case.objects.filter(pk=late.pk).update(received_at=past, ack_due_at=past + timedelta(days=7))
    Deadline.objects.filter(subject_type="case", subject_id=str(late.pk)).update(
        started_at=past, due_at=past + timedelta(days=7)
    )
    deadlines_escalate(actor=system)

    _member_in_her_cases(ctx, picks, team)
    _objection_story(ctx, constituency, region, region_panel, picks, panel, team)


def _member_in_her_cases(ctx: DemoContext, picks: Iterator[Person], team: Actor) -> None:
    """`member` takes part in her cases: in the one just received she added a photo and a statement and wrote
    to the team (the acknowledgement is due); in a second, triaged, her message was acknowledged and answered
    (and, under the demo rulebook's cases.share_party_contact, the respondent can read both)."""
    member = _as(ctx.people["member"])
    received = Case.objects.filter(
        participants__person=ctx.people["member"], state=CaseState.RECEIVED
    ).first()
    if received is not None:
        s.case_supply_evidence(
            actor=member,
            case=received,
            upload=ContentFile(b"A photo of the branch noticeboard (demo).", name="noticeboard.txt"),
            description="Photo of the noticeboard",
        )
        s.case_add_statement(
            actor=member, case=received, text="He stood in front of me and would not let me speak."
        )
        s.case_message_team(
            actor=member,
            case=received,
            text="Two members saw it and are willing to say so. Who should they write to?",
        )
    case = s.case_open(
        actor=member,
        kind="complaint",
        summary="The branch chair deleted my messages from the members' group without a reason.",
        evidence=[(_file("Screenshots of the group, before and after"), "Screenshots of the group")],
    )
    s.case_acknowledge(actor=team, case=case)
    s.case_add_party(actor=team, case=case, person=next(picks), role="respondent")
    s.case_triage(actor=team, case=case, reasons="Moderation without reasons is alleged: it goes ahead.")
    message = s.case_message_team(
        actor=member, case=case, text="I kept the original messages. Do you need them?"
    )
    s.case_message_party(
        actor=team,
        case=case,
        person=ctx.people["member"],
        text="Yes, please add them to the case as evidence from your case page.",
        in_reply_to=message,
    )


def _objection_story(
    ctx: DemoContext,
    constituency: Unit,
    region: Unit,
    region_panel: Body,
    picks: Iterator[Person],
    panel: list[Person],
    team: Actor,
) -> None:
    """She complained about two members of her constituency's executive; her membership lapsed; she rejoins,
    and the executive objects. Neither its members nor the respondents of her complaint may decide it."""
    system = ctx.actor
    executive = _body(constituency, "executive_committee")
    lapsed = (
        Person.objects.filter(home_unit__parent=constituency, status=Status.LAPSED).order_by("pk").first()
    )
    rejoiner = lapsed or next(picks)
    exec_a, exec_b, exec_c = next(picks), next(picks), next(picks)
    for person in (exec_a, exec_b, exec_c):
        office_appoint(
            actor=system, person=person, office="executive_member", unit=constituency, body=executive
        )
    for person in (exec_a, exec_b):  # they also sit on the region's disputes panel
        office_appoint(
            actor=system, person=person, office="disputes_panel_member", unit=region, body=region_panel
        )
    complaint = s.case_open(
        actor=_as(rejoiner),
        kind="complaint",
        summary="Two executive members excluded me from meetings and mocked me in the group chat.",
    )
    s.case_acknowledge(actor=team, case=complaint)
    for person in (exec_a, exec_b):
        s.case_add_party(actor=team, case=complaint, person=person, role="respondent")
    s.case_triage(actor=team, case=complaint, reasons="Exclusion and mockery are alleged: it goes ahead.")
    # Her membership lapsed after the complaint; she rejoins today (on the services' clock) and pays.
    if rejoiner.status != Status.LAPSED:
        member_set_status(
            actor=system, person=rejoiner, status=Status.LAPSED, reason="subscription unpaid (demo)"
        )
        rejoiner.refresh_from_db()
    today = timezone.localdate()
    member_rejoin(actor=system, person=rejoiner, joined_on=today, reason="rejoined (demo)")
    rejoiner.refresh_from_db()
    member_record_payment(actor=system, person=rejoiner, amount_pence=3600, paid_on=today)
    rejoiner.refresh_from_db()
    objection = s.case_open(
        actor=_as(exec_c),
        kind="objection",
        respondents=[rejoiner],
        objecting_body=executive,
        summary="The executive objects to her rejoining: she disrupted three meetings before her membership lapsed.",
        evidence=[(_file("Minutes of three executive meetings"), "Minutes of the executive, three meetings")],
    )
    s.case_acknowledge(actor=team, case=objection)
    s.case_triage(actor=team, case=objection, reasons="Reasons and evidence are given: it goes ahead.")
    for person in (exec_a, exec_b, exec_c):  # the team tries the executive's own members: refused, and kept
        try:
            case_act(actor=team, case=objection, action="assign_panel", data={"members": [person.pk]})
        except CaseRefused:
            continue
        raise AssertionError("the demo's objection would be decided by a member of the executive")
    s.case_send_notice(
        actor=team,
        case=objection,
        allegations="The executive of your constituency objects to "
        "your rejoining, for the reasons and with the evidence below.",
    )
    s.case_assign_panel(actor=team, case=objection, members=[panel[0]])
