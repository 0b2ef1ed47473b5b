"""What the deadlines app holds about a person (polity/dsr/registry.py): deadlines they own."""

from __future__ import annotations

from collections.abc import Iterator

from polity.deadlines.models import Deadline
from polity.dsr.registry import Holding, Record, Subject, register


def _owned(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    for d in Deadline.objects.filter(owner_person_id=subject.person.pk):
        yield Record(
            kind="Deadline you own",
            ref=f"deadline:{d.pk}",
            at=d.started_at,
            fields={"What": d.title, "Due": d.due_at, "State": d.get_state_display(), "Met": d.met_at},
        )


register(
    Holding(
        key="deadlines.owned",
        title="Deadlines you are responsible for",
        data="What must be done, by when, and whether it was done in time",
        purposes=("Making sure the organisation answers in time",),
        lawful_basis="legitimate_interest",
        recipients="Officers of the unit above, when a deadline is missed",
        retention="With the matter the deadline belongs to",
        source="The system, from the rulebook",
        models=(Deadline,),
        records=_owned,
        order=80,
    )
)
