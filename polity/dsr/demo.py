"""Demo data subject requests: one in every state, one extended with reasons, one paused for identity, one
overdue and escalated to the national officers, and `member`'s own access request (her complaint names
other members) with the registry's proposed redactions and one the DPO added, waiting to be sent.

Called by `polity demo` inside its transaction, with the system as actor; requests the DPO enters are entered
as `dpo`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from polity.cases.models import Participant
from polity.common.actor import Actor
from polity.dsr import clock
from polity.dsr import services as s
from polity.dsr.models import Request, State
from polity.members.models import Person, Status

if TYPE_CHECKING:
    from polity.demo.services import DemoContext


def _as(person: Person) -> Actor:
    return Actor(
        user_id=getattr(getattr(person, "user", None), "pk", None),
        person_id=person.pk,
        label=f"demo:{person.membership_number}",
    )


def populate(ctx: DemoContext) -> None:
    dpo_person = ctx.people["dpo"]
    dpo = Actor(
        user_id=getattr(getattr(dpo_person, "user", None), "pk", None), person_id=dpo_person.pk, label="dpo"
    )
    named = {p.pk for p in ctx.people.values()}
    pool = list(
        Person.objects.filter(status=Status.ACTIVE)
        .exclude(pk__in=named)
        .order_by("pk")
        .values_list("pk", flat=True)[:300]
    )
    people = iter(Person.objects.in_bulk(ctx.rng.sample(pool, 8)).values())
    today = clock.local_today()  # the services' clock is the real one, whatever day the demo pretends

    def letter(kind: str, days_ago: int, details: str, purposes: tuple[str, ...] = ()) -> Request:
        return s.request_record(
            actor=dpo, kind=kind, channel="letter", received_on=today - timedelta(days=days_ago),
            person=next(people), details=details, purposes=purposes,
        )  # fmt: skip

    # Overdue: received 40 days ago and never answered; escalated by the clock below.
    letter("access", 40, details="Everything you hold about me, please.")
    # Extended, with reasons sent within the first month.
    extended = letter("access", 20, details="All my data since I joined in 2009.")
    s.request_extend(
        actor=dpo, request=extended, to=extended.first_due_on + timedelta(days=30),
        reasons="Your membership spans seventeen years and three case files that name other members; we need "
        "to review each page before it is sent.",
    )  # fmt: skip
    # Paused for identity: the letter came from an address not on the register.
    s.request_record(
        actor=dpo, kind="erasure", channel="email", received_on=today - timedelta(days=3),
        requester_name="J. Former-Member", requester_email="j.former@example.invalid", identity_needed=True,
        details="I left years ago; please erase everything.",
    )  # fmt: skip
    # Paused for a clarification.
    unclear = letter("rectification", 6, details="My details are wrong.")
    s.request_pause(
        actor=dpo, request=unclear, why=State.AWAITING_CLARIFICATION,
        asked="Which details are wrong, and what should they say?",
    )  # fmt: skip
    # Received, the clock running: an objection to campaigning and a complaint.
    letter("objection", 2, purposes=("campaigning",), details="Stop sending me campaign emails.")
    letter("complaint", 9, details="An officer forwarded my email to the whole branch.")
    # Answered: an objection stopped; refused; withdrawn.
    stopped = letter(
        "objection", 12, purposes=("campaigning", "fundraising"), details="No more appeals, please."
    )
    s.request_stop_processing(actor=dpo, request=stopped)
    excessive = letter("access", 5, details="The same as my request last week, again.")
    s.request_refuse(
        actor=dpo, request=excessive,
        reasons="We answered the same request on the 1st of this month and nothing has changed since.",
    )  # fmt: skip
    member = ctx.people["member"]
    outsider = _as(ctx.people["outsider"])
    s.request_withdraw(actor=outsider, request=s.request_submit_own(actor=outsider, kind="portability"))
    # member's own access request: her complaint names other members, withheld with reasons; the DPO adds one.
    mine = s.request_submit_own(
        actor=_as(member), kind="access", details="Everything, including my complaint."
    )
    case_id = (
        Participant.objects.filter(person=member)
        .order_by("case_id")
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is not None:
        s.redaction_decide(
            actor=dpo, request=mine, holding_key="cases.cases", ref=f"case:{case_id}", field="Reasons for the decision",
            reason="legal_privilege",
        )  # fmt: skip
    # The clock: escalates what is at risk or overdue.
    s.dsr_clock_tick(actor=Actor.system("dsr"))
