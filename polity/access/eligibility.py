"""Who may hold an office: the rulebook's length of membership and good standing, checked at appointment.

Staff roles (the rulebook's `staff = true`: a data protection officer, complaints officers, independent
panel members) may be filled by people who are not members, so only offices held by members are checked.
Each refusal starts with the name of the rule that refuses, so an officer can look it up.
"""

from __future__ import annotations

from datetime import date

from polity.common.errors import DomainError
from polity.members.models import Person, Status
from polity.members.services import arrears_status
from polity.rulebook.loader import OfficeType, get_rulebook

MIN_LENGTH_RULE = "membership.min_length_to_hold_office"
ARREARS_RULE = "membership.arrears_grace"


class Ineligible(DomainError):
    """The person may not hold this office now; the message names the rule."""

    code = "ineligible"


def eligibility_problems(person: Person, office_type: OfficeType, on: date) -> list[str]:
    """Why `person` may not take up `office_type` on `on` (empty when they may)."""
    if office_type.is_staff:
        return []
    problems: list[str] = []
    if person.status == Status.SUSPENDED:
        problems.append("standing: the member is suspended (a measure or decision in a case)")
    elif person.status == Status.IN_ARREARS or (
        person.status == Status.ACTIVE and arrears_status(person.paid_until, on) not in (None, Status.ACTIVE)
    ):
        paid = f"paid until {person.paid_until:%Y-%m-%d}" if person.paid_until else "no payment"
        problems.append(f"{ARREARS_RULE}: the member is in arrears ({paid})")
    elif person.status != Status.ACTIVE:
        problems.append(f"standing: the membership is {person.get_status_display().lower()}, not active")
    rule = get_rulebook().rule(MIN_LENGTH_RULE)
    eligible_from = rule.add_to(person.joined_on)
    if on < eligible_from:
        problems.append(
            f"{MIN_LENGTH_RULE}: joined {person.joined_on:%Y-%m-%d}, needs {_words(str(rule.duration))} "
            f"(eligible from {eligible_from:%Y-%m-%d})"
        )
    return problems


def require_eligible(person: Person, office_type: OfficeType, on: date) -> None:
    problems = eligibility_problems(person, office_type, on)
    if problems:
        raise Ineligible("; ".join(problems))


def _words(duration: str) -> str:
    amount, unit = int(duration[:-1]), duration[-1]
    name = {"d": "day", "w": "week", "m": "month", "y": "year"}[unit]
    return f"{amount} {name}{'' if amount == 1 else 's'}"
