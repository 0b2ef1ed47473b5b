"""What the selections app holds about a person (polity/dsr/registry.py): their applications (statement, every
decision about them with its reasons, their appeals, the notices sent to them), and their seats on the panels
of selections with the relationships declared about them. Other people named inside a record (the applicant
in a relationship someone declared, the panel member who declared one about you) are `Mention`s: redacted
unless the data protection officer lifts it."""

from __future__ import annotations

from collections.abc import Iterator

from polity.dsr.registry import Holding, Mention, Record, Subject, register
from polity.selections.models import Appeal, Application, Entry, Notice, PanelSeat, Relationship

KEPT = (
    "A selection's applications, decisions and appeals are the record of how the candidate was chosen, and "
    "can be challenged on it"
)


def _applications(subject: Subject) -> Iterator[Record]:
    pid = subject.person_id
    if pid is None:
        return
    for a in Application.objects.filter(person_id=pid).select_related("selection"):
        yield Record(
            kind="Application in a selection",
            ref=f"selection_application:{a.pk}",
            at=a.submitted_at,
            fields={
                "Selection": f"{a.selection.reference}: {a.selection.seat}",
                "Your statement": a.statement,
                "Status": a.get_stage_display(),
                "Withdrawn": a.withdrawn_at,
            },
        )
    for e in Entry.objects.filter(application__person_id=pid).select_related(
        "decision__selection", "decision__body"
    ):
        d = e.decision
        yield Record(
            kind="Decision about your application",
            ref=f"selection_entry:{e.pk}",
            at=d.decided_at,
            fields={
                "Selection": d.selection.reference,
                "Decision": d.get_kind_display(),
                "Included": e.included,
                "Reasons": d.reasons,
                "Reasons about you": e.reasons,
                "Deciding body": d.body.name if d.body is not None else "The shortlisting panel",
            },
        )
    for ap in Appeal.objects.filter(application__person_id=pid).select_related("selection", "body"):
        yield Record(
            kind="Your appeal in a selection",
            ref=f"selection_appeal:{ap.pk}",
            at=ap.lodged_at,
            fields={
                "Selection": ap.selection.reference,
                "To": ap.body.name,
                "Grounds": ap.grounds,
                "Outcome": ap.get_outcome_display() if ap.outcome else "",
                "Reasons": ap.reasons,
            },
        )
    for n in Notice.objects.filter(person_id=pid).select_related("selection"):
        yield Record(
            kind="Notice about a selection",
            ref=f"selection_notice:{n.pk}",
            at=n.created_at,
            fields={"Selection": n.selection.reference, "Subject": n.subject, "Text": n.body},
        )


def _panels(subject: Subject) -> Iterator[Record]:
    pid = subject.person_id
    if pid is None:
        return
    for seat in PanelSeat.objects.filter(person_id=pid).select_related("selection"):
        yield Record(
            kind="Seat on a selection panel",
            ref=f"selection_seat:{seat.pk}",
            at=seat.added_at,
            fields={
                "Selection": seat.selection.reference,
                "Panel": seat.get_kind_display(),
                "Left the panel": seat.removed_at,
                "Why": seat.removed_reason,
            },
        )
    for r in Relationship.objects.filter(person_id=pid).select_related("selection", "application__person"):
        other = r.application.person
        yield Record(
            kind="Relationship with an applicant",
            ref=f"selection_relationship:{r.pk}",
            at=r.recorded_at,
            fields={
                "Selection": r.selection.reference,
                "Applicant": other.full_name,
                "Relationship": r.description,
                "Declared by you": r.self_declared,
            },
            mentions=(Mention(field="Applicant", reason="third_party", person_id=other.pk),),
        )
    for r in Relationship.objects.filter(application__person_id=pid).select_related("selection", "person"):
        yield Record(
            kind="Relationship declared with you as an applicant",
            ref=f"selection_relationship_about:{r.pk}",
            at=r.recorded_at,
            fields={
                "Selection": r.selection.reference,
                "Who": r.person.full_name,
                "Relationship": r.description,
            },
            mentions=(Mention(field="Who", reason="third_party", person_id=r.person_id),),
        )


register(
    Holding(
        key="selections.applications",
        title="Your applications in candidate selections",
        data="Your statement, the status of your application, every longlist, shortlist or change decision about "
        "you with its reasons, your appeals with their grounds and outcome, and the notices sent to you",
        purposes=(
            "Selecting candidates under the rules: a panel decides with reasons, appeals go to the body above",
        ),
        lawful_basis="contract",
        recipients="The shortlisting and appeal panels and the officers who run the selection (your statement); "
        "the members of the selecting unit (your name, if you are shortlisted)",
        retention="For as long as the selection's record is kept",
        source="You, the shortlisting panel and the bodies that decided",
        models=(Application, Entry, Appeal, Notice),
        records=_applications,
        on_erasure="keep",
        kept_because=KEPT,
        order=64,
    )
)

register(
    Holding(
        key="selections.panels",
        title="Your seats on selection panels, and relationships declared with applicants",
        data="The shortlisting and appeal panels you sat on, and relationships with applicants that you declared "
        "or an officer recorded (and those declared with you as an applicant)",
        purposes=("Keeping selection panels free of anyone with a stake",),
        lawful_basis="legitimate_interest",
        recipients="The officers who run the selection and its panels",
        retention="For as long as the selection's record is kept",
        source="The officer who appointed you; you or the officer who recorded the relationship",
        models=(PanelSeat, Relationship),
        records=_panels,
        on_erasure="keep",
        kept_because=KEPT,
        order=65,
    )
)
