"""Who the actor is in a case (team, panel, party), and the single gate to a case object.

Permissions themselves come from polity.access; the roles inside one case are this app's knowledge.
A case the actor has no role in answers exactly like a case that does not exist.
"""

from __future__ import annotations

from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.cases.models import PARTY_ROLES, Case, CaseState, Direction, Participant, Role
from polity.cases.rules import WORKFLOW, CaseRefused
from polity.cases.workflow import ACTIONS, Action
from polity.common.actor import Actor
from polity.common.errors import Forbidden, NotVisible

TEAM = "team"


def case_roles(actor: Actor, case: Case) -> frozenset[str]:
    """The roles `actor` holds in `case`: participant roles, and "team" for the case team."""
    key = f"case_roles:{case.pk}"
    if key in actor.cache:
        return actor.cache[key]  # type: ignore[no-any-return]
    roles: set[str] = set()
    if actor.person_id is not None:
        roles |= set(
            Participant.objects.filter(case=case, person_id=actor.person_id).values_list("role", flat=True)
        )
    if actor.is_system or has_perm(actor, Perm.CASES_HANDLE, case.unit):
        roles.add(TEAM)
    result = frozenset(roles)
    actor.cache[key] = result
    return result


def forget_roles(actor: Actor, case: Case) -> None:
    actor.cache.pop(f"case_roles:{case.pk}", None)


def require_case_visible(actor: Actor, case: Case) -> frozenset[str]:
    roles = case_roles(actor, case)
    if not roles:
        raise NotVisible("not found")
    return roles


def is_party(roles: frozenset[str]) -> bool:
    return bool(roles & PARTY_ROLES)


def may_act(actor: Actor, case: Case, action: Action) -> bool:
    roles = case_roles(actor, case)
    team = TEAM in roles and not is_party(roles)
    match action.who:
        case "team":
            return team
        case "investigator":
            return team or Role.INVESTIGATOR in roles
        case "panel":
            return Role.DECISION_PANEL in roles
        case "appeal_panel":
            return Role.APPEAL_PANEL in roles
        case "respondent":
            return team or Role.RESPONDENT in roles
        case "party":
            return bool(roles & {Role.COMPLAINANT, Role.RESPONDENT})
    return False


def require_action(actor: Actor, case: Case, name: str) -> Action:
    """Refuse unless the workflow allows `name` in the case's state and the actor may take it."""
    action = ACTIONS.get(name)
    if action is None:
        raise NotVisible("not found")
    case.refresh_from_db()  # decide on the case as it is now, not as the caller last saw it
    roles = require_case_visible(actor, case)
    if not may_act(actor, case, action):
        if action.who == "team" and TEAM in roles and is_party(roles):
            raise Forbidden("nobody handles a case in which they are a party")
        raise Forbidden(f"your role in this case does not include: {action.label.lower()}")
    if case.state == CaseState.CLOSED:
        raise CaseRefused(
            WORKFLOW,
            f"case {case.reference} is closed: it takes no more evidence, statements, messages or actions",
        )
    if case.state not in action.sources:
        raise CaseRefused(
            WORKFLOW,
            f"a case that is {case.get_state_display().lower()} cannot take "
            f"the action {action.label.lower()!r}",
        )
    return action


def allowed_actions(actor: Actor, case: Case) -> list[str]:
    """The actions the workflow allows now and the actor may take. Due-process preconditions are checked
    on use; only actions with nothing to act on are left out (no suspension to review, an appeal window
    that has closed, a reply for someone who is not a respondent)."""
    names = [a.name for a in ACTIONS.values() if case.state in a.sources and may_act(actor, case, a)]
    if "review_suspension" in names and not case.suspensions.filter(lifted_at__isnull=True).exists():
        names.remove("review_suspension")
    if "appeal" in names and (
        case.appealed_at or not case.appeal_until or timezone.now() > case.appeal_until
    ):
        names.remove("appeal")
    if (
        "acknowledge_message" in names
        and not case.messages.filter(direction=Direction.TO_TEAM, acknowledged_at__isnull=True).exists()
    ):
        names.remove("acknowledge_message")
    if "reply" in names and Role.RESPONDENT not in case_roles(actor, case):
        names.remove("reply")  # the team records a reply on a respondent's behalf over the API
    return names
