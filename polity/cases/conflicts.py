"""The conflict graph: who has a stake in a case and so may not investigate, decide or hear its appeal.

A person has a stake when they are a complainant, respondent or witness in the case; a party to a
linked case; on the other side of another case from a party to this one (a respondent in the
complaint of this case's applicant, say); or a holder of an office on the body that objected.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.cases.models import PARTY_ROLES, Case, CaseLink, Participant, Role
from polity.cases.rules import NO_STAKE, SEPARATE, CaseRefused

_SIDES = {Role.COMPLAINANT: Role.RESPONDENT, Role.RESPONDENT: Role.COMPLAINANT}
# Which earlier roles in the same case exclude a person from a duty.
_EXCLUSIVE = {
    Role.INVESTIGATOR: (Role.DECISION_PANEL, Role.APPEAL_PANEL),
    Role.DECISION_PANEL: (Role.INVESTIGATOR, Role.APPEAL_PANEL),
    Role.APPEAL_PANEL: (Role.INVESTIGATOR, Role.DECISION_PANEL),
}


def linked_case_ids(case: Case) -> set[int]:
    pairs = CaseLink.objects.filter(Q(case=case) | Q(linked=case)).values_list("case_id", "linked_id")
    return {x for pair in pairs for x in pair} - {case.pk}


def conflicts(case: Case) -> dict[int, list[str]]:
    """person id → the reasons they have a stake in `case` (no names: ids and case references only)."""
    found: dict[int, list[str]] = defaultdict(list)
    parties = list(
        Participant.objects.filter(case=case, role__in=PARTY_ROLES).values_list("person_id", "role")
    )
    for person_id, role in parties:
        found[person_id].append(f"is a {role} in this case")
    linked = linked_case_ids(case)
    for person_id, role, ref in Participant.objects.filter(
        case_id__in=linked, role__in=PARTY_ROLES
    ).values_list("person_id", "role", "case__reference"):
        found[person_id].append(f"is a {role} in linked case {ref}")
    # The other side of any other case in which a party to this one is complainant or respondent.
    sided = [(p, r) for p, r in parties if r in _SIDES]
    if sided:
        q = Q()
        for person_id, _role in sided:
            q |= Q(participants__person_id=person_id, participants__role__in=list(_SIDES))
        others = Case.objects.filter(q).exclude(pk=case.pk).values_list("pk", flat=True).distinct()
        for person_id, role, ref in Participant.objects.filter(
            case_id__in=list(others), role__in=list(_SIDES)
        ).values_list("person_id", "role", "case__reference"):
            found[person_id].append(f"is a {role} in case {ref}, which involves a party to this case")
    if case.objecting_body_id is not None:
        now = timezone.now()
        members = OfficeTerm.objects.in_force(now).filter(body_id=case.objecting_body_id)
        for person_id in members.values_list("person_id", flat=True):
            found[person_id].append("sits on the body that objected")
    return dict(found)


def refuse_if_conflicted(case: Case, person_id: int, duty: str) -> None:
    """Refuse `person_id` for `duty` (a Role among investigator, decision panel, appeal panel)."""
    stakes = conflicts(case).get(person_id)
    if stakes:
        raise CaseRefused(NO_STAKE, f"the proposed {_label(duty)} {stakes[0]}")
    held = set(
        Participant.objects.filter(
            case=case, person_id=person_id, role__in=_EXCLUSIVE[Role(duty)]
        ).values_list("role", flat=True)
    )
    if held:
        raise CaseRefused(SEPARATE, f"the proposed {_label(duty)} is already {_label(sorted(held)[0])} here")
    if duty == Role.APPEAL_PANEL:
        earlier = linked_case_ids(case)
        if Participant.objects.filter(case_id__in=earlier, person_id=person_id).exists():
            raise CaseRefused(
                SEPARATE, "an appeal goes to people not involved before, in this or a linked case"
            )


def _label(role: str) -> str:
    return {
        Role.INVESTIGATOR: "investigator",
        Role.DECISION_PANEL: "member of the decision panel",
        Role.APPEAL_PANEL: "member of the appeal panel",
    }.get(Role(role), role)
