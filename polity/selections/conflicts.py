"""Who may not sit on a selection's panels: applicants, anyone with a stake in a case to which an applicant
is a party (the conflict graph of polity.cases), anyone with a declared relationship with an applicant, and
for an appeal anyone involved before (a seat on the shortlisting panel, or on another appeal panel of the
same applicant). Reasons name cases by reference and never name people."""

from __future__ import annotations

from collections import defaultdict

from polity.cases.conflicts import conflicts
from polity.cases.models import PARTY_ROLES, Case, Participant
from polity.selections.models import Appeal, Application, PanelKind, PanelSeat, Relationship, Selection


def stakes(selection: Selection) -> dict[int, list[str]]:
    """person id → why they may not sit on a panel of this selection."""
    found: dict[int, list[str]] = defaultdict(list)
    applicants = dict(Application.objects.filter(selection=selection).values_list("person_id", "stage"))
    for person_id in applicants:
        found[person_id].append("is an applicant in this selection")
    for person_id in Relationship.objects.filter(selection=selection).values_list("person_id", flat=True):
        if "has a declared relationship with an applicant" not in found[person_id]:
            found[person_id].append("has a declared relationship with an applicant")
    case_ids = set(
        Participant.objects.filter(person_id__in=list(applicants), role__in=PARTY_ROLES).values_list(
            "case_id", flat=True
        )
    )
    for case in Case.objects.filter(pk__in=case_ids).order_by("pk"):
        for person_id, reasons in conflicts(case).items():
            if person_id in applicants:
                continue
            found[person_id].append(f"{reasons[0]} (case {case.reference}, to which an applicant is a party)")
    return dict(found)


def involvement(
    selection: Selection, application: Application, appeal: Appeal | None = None
) -> dict[int, str]:
    """person id → how they were involved before `appeal` of `application` (its own panel is not "before")."""
    out: dict[int, str] = {}
    for person_id in PanelSeat.objects.filter(selection=selection, kind=PanelKind.SHORTLISTING).values_list(
        "person_id", flat=True
    ):
        out[person_id] = "sat on the shortlisting panel"
    earlier = PanelSeat.objects.filter(
        selection=selection, kind=PanelKind.APPEAL, appeal__application=application
    )
    if appeal is not None:
        earlier = earlier.exclude(appeal=appeal)
    for person_id in earlier.values_list("person_id", flat=True):
        out.setdefault(person_id, "sat on an earlier appeal panel of this applicant")
    return out
