"""Who holds which office in the demo: the named logins first, then every unit's officers and delegates."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from polity.access.models import OfficeTerm
from polity.demo.people import ACTOR_LABEL, moment
from polity.demo.tree import PlannedUnit, Tree
from polity.members.bulkload import copy_rows
from polity.rulebook.loader import get_rulebook

UNIT_OFFICES = ("secretary", "chair", "treasurer", "membership_officer")
DELEGATES_PER_BRANCH = 3
TERM_FIELDS = [
    "person_id",
    "office",
    "unit_id",
    "body_id",
    "starts_at",
    "ends_at",
    "ended_reason",
    "ended_by",
    "ended_how",
    "end_notified_at",
]


@dataclass(frozen=True)
class NamedRole:
    """A demo login: who they are and what they hold."""

    username: str
    office: str  # "" for plain members
    unit_code: str  # the office's unit, or the member's branch
    description: str


@dataclass
class Story:
    """The units the demo's story is told in, and the people chosen for its named logins."""

    region: PlannedUnit
    constituency: PlannedUnit
    branch: PlannedUnit
    other_region: PlannedUnit
    people: dict[str, int]
    roles: dict[str, NamedRole]


def _branches_under(unit: PlannedUnit) -> list[PlannedUnit]:
    if not unit.children:
        return [unit]
    return [b for child in unit.children for b in _branches_under(child)]


def _pool(unit: PlannedUnit, active: dict[int, list[int]]) -> list[int]:
    return [pk for b in _branches_under(unit) for pk in active.get(b.id, [])]


def choose_story(rng: random.Random, tree: Tree, active: dict[int, list[int]]) -> Story:
    region = tree.regions[0]
    constituency = region.children[0]
    branch = constituency.children[0]
    other = tree.regions[-1]
    used: set[int] = set()

    def pick(*units: PlannedUnit) -> int:
        for unit in (*units, tree.root):
            candidates = [pk for pk in _pool(unit, active) if pk not in used]
            if candidates:
                chosen = rng.choice(candidates)
                used.add(chosen)
                return chosen
        raise ValueError("the demo register is too small for its named logins: use more members")

    # Smallest pools first, so that every named person can be distinct.
    people = {
        "branchsec": pick(branch),
        "secretary": pick(constituency),
        "member": pick(*[b for b in constituency.children if b is not branch], constituency),
        "regional": pick(region),
        "outsider": pick(other),
        "national": pick(tree.root),
        "dpo": pick(tree.root),
    }
    root, c, b = tree.root, constituency, branch
    roles = {
        "national": NamedRole("national", "national_officer", root.code, f"national officer of {root.name}"),
        "regional": NamedRole(
            "regional", "regional_officer", region.code, f"regional officer of {region.name}"
        ),
        "secretary": NamedRole("secretary", "secretary", c.code, f"secretary of {c.name} (constituency)"),
        "branchsec": NamedRole("branchsec", "secretary", b.code, f"secretary of {b.name} (branch)"),
        "dpo": NamedRole("dpo", "data_protection_officer", root.code, "data protection officer"),
        "member": NamedRole("member", "", c.code, f"a member in {c.name}"),
        "outsider": NamedRole("outsider", "", other.code, f"a member in {other.name} (another region)"),
    }
    return Story(region, constituency, branch, other, people, roles)


FIRST_DAYS = 20  # every demo term started at least this long ago


def eligible_pool(
    active: dict[int, list[int]], joined_on: dict[int, date], today: date
) -> dict[int, list[int]]:
    """Active members who had been members long enough to hold office (the rulebook's
    membership.min_length_to_hold_office) by the latest day a demo term starts."""
    eligible_from = eligible_dates(joined_on)
    latest = today - timedelta(days=FIRST_DAYS)
    return {branch: [pk for pk in pks if eligible_from[pk] <= latest] for branch, pks in active.items()}


def eligible_dates(joined_on: dict[int, date]) -> dict[int, date]:
    rule = get_rulebook().rule("membership.min_length_to_hold_office")
    return {pk: rule.add_to(day) for pk, day in joined_on.items()}


def write_offices(
    rng: random.Random,
    tree: Tree,
    active: dict[int, list[int]],
    story: Story,
    today: date,
    joined_on: dict[int, date],
) -> int:
    """Terms for `active` people (already filtered by eligible_pool), each starting on a day they were
    eligible to hold office."""
    offices = get_rulebook().offices
    named = set(story.people.values())
    by_code = {u.code: u for u in tree.units}
    rows: list[tuple[object, ...]] = []
    eligible_from = eligible_dates(joined_on)

    def started(person: int) -> object:
        latest = today - timedelta(days=FIRST_DAYS)
        earliest = max(today - timedelta(days=700), eligible_from.get(person, latest))
        return moment(latest - timedelta(days=rng.randrange(0, max(1, (latest - earliest).days + 1))), 9)

    def add(person: int, office: str, unit: PlannedUnit, body: int | None = None) -> None:
        office_type = offices.get(office)
        if office_type is not None and unit.level in office_type.levels:
            rows.append((person, office, unit.id, body, started(person), None, "", "", "", None))

    held: dict[tuple[int, str], int] = {}
    for name, role in story.roles.items():
        if role.office:
            unit = by_code[role.unit_code]
            add(story.people[name], role.office, unit)
            held[(unit.id, role.office)] = story.people[name]

    def others(unit: PlannedUnit) -> list[int]:
        return [pk for pk in _pool(unit, active) if pk not in named]

    for region in tree.regions:
        pool = others(region)
        if (region.id, "regional_officer") not in held and pool:
            add(rng.choice(pool), "regional_officer", region)
    for unit in (*tree.constituencies, *tree.branches):
        pool = others(unit)
        for office in UNIT_OFFICES:
            if (unit.id, office) not in held and pool:
                add(rng.choice(pool), office, unit)
    for constituency in tree.constituencies:
        gc = tree.bodies.get((constituency.id, "general_committee"))
        if gc is None:
            continue
        for branch in constituency.children:
            pool = [pk for pk in active.get(branch.id, []) if pk not in named]
            for person in rng.sample(pool, min(DELEGATES_PER_BRANCH, len(pool))):
                add(person, "delegate", constituency, gc)
        # History: the previous secretary's term, ended at the last AGM.
        pool = others(constituency)
        if pool and "secretary" in offices:
            ended = moment(today - timedelta(days=rng.randrange(700, 900)), 19)
            rows.append(
                (
                    rng.choice(pool),
                    "secretary",
                    constituency.id,
                    None,
                    ended - timedelta(days=3 * 365),
                    ended,
                    "term ended at the annual general meeting",
                    ACTOR_LABEL,
                    "term",
                    ended,
                )
            )
    return copy_rows(OfficeTerm, TERM_FIELDS, rows)
