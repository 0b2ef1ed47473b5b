"""The demo organisation's units and bodies, planned in memory and written in bulk.

Sizes follow the register: 3 regions, 12 constituencies and 48 branches up to ~9,000 members, growing
to 12 regions, 650 constituencies and 2,600 branches at 500,000 members.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from django.utils.text import slugify

from polity.common.errors import InvalidInput
from polity.demo import words
from polity.members.bulkload import IdAllocator, copy_rows
from polity.org.models import Body, Unit
from polity.rulebook.loader import get_rulebook

BRANCHES_PER_CONSTITUENCY = 4
MEMBERS_PER_CONSTITUENCY = 770
DEMO_BODIES = ("executive_committee", "general_committee", "agm")


@dataclass
class PlannedUnit:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    depth: int
    town: str = ""
    postcode_area: str = ""
    children: list[PlannedUnit] = field(default_factory=list)


@dataclass
class Tree:
    root: PlannedUnit
    regions: list[PlannedUnit]
    constituencies: list[PlannedUnit]
    branches: list[PlannedUnit]
    bodies: dict[tuple[int, str], int]  # (unit id, kind) -> body id

    @property
    def units(self) -> list[PlannedUnit]:
        return [self.root, *self.regions, *self.constituencies, *self.branches]

    def parent_of(self, unit: PlannedUnit) -> PlannedUnit:
        return self._by_id[unit.parent_id]  # type: ignore[index]

    def __post_init__(self) -> None:
        self._by_id = {u.id: u for u in self.units}


def sizes(members: int) -> tuple[int, int]:
    """(regions, constituencies) for a register of `members`."""
    constituencies = min(650, max(12, round(members / MEMBERS_PER_CONSTITUENCY)))
    regions = 3 if constituencies <= 12 else min(len(words.REGIONS), math.ceil(constituencies / 55))
    return regions, constituencies


def plan_tree(rng: random.Random, members: int, ids: IdAllocator) -> Tree:
    rulebook = get_rulebook()
    if len(rulebook.levels) != 4:
        raise InvalidInput("the demo organisation needs a rulebook with four levels of units")
    national, region_level, constituency_level, branch_level = rulebook.levels
    n_regions, n_constituencies = sizes(members)
    towns = [a + b for a in words.PLACE_STARTS for b in words.PLACE_ENDS]
    towns = rng.sample(towns, n_constituencies)

    def make(code: str, name: str, level: str, parent: PlannedUnit | None) -> PlannedUnit:
        pk = ids.take(Unit)
        unit = PlannedUnit(
            id=pk,
            code=code,
            name=name,
            level=level,
            parent_id=parent.id if parent else None,
            path=(parent.path if parent else "") + Unit.segment(pk),
            depth=parent.depth + 1 if parent else 0,
        )
        if parent is not None:
            parent.children.append(unit)
        return unit

    root = make(slugify(rulebook.name) or "national", rulebook.name, national, None)
    regions = [make(slugify(n), n, region_level, root) for n in words.REGIONS[:n_regions]]
    constituencies: list[PlannedUnit] = []
    branches: list[PlannedUnit] = []
    for i, town in enumerate(towns):
        region = regions[i * n_regions // n_constituencies]
        c = make(slugify(town), town, constituency_level, region)
        c.town = town
        c.postcode_area = f"{words.POSTCODE_AREAS[i % len(words.POSTCODE_AREAS)]}{i // 14 % 99 + 1}"
        constituencies.append(c)
        for side in words.BRANCH_SIDES[:BRANCHES_PER_CONSTITUENCY]:
            b = make(f"{c.code}-{side.lower()}", f"{town} {side}", branch_level, c)
            b.town, b.postcode_area = town, c.postcode_area
            branches.append(b)

    tree = Tree(root, regions, constituencies, branches, bodies={})
    for kind in DEMO_BODIES:
        body_type = rulebook.bodies.get(kind)
        if body_type is None:
            continue
        for unit in tree.units:
            if unit.level in body_type.levels:
                tree.bodies[(unit.id, kind)] = ids.take(Body)
    return tree


def write_tree(tree: Tree) -> dict[str, int]:
    units = tree.units
    copy_rows(
        Unit,
        ["id", "name", "code", "level", "parent_id", "path", "depth"],
        ((u.id, u.name, u.code, u.level, u.parent_id, u.path, u.depth) for u in units),
    )
    rulebook = get_rulebook()
    names = {u.id: u.name for u in units}
    copy_rows(
        Body,
        ["id", "unit_id", "kind", "name"],
        (
            (pk, unit_id, kind, f"{names[unit_id]} {rulebook.bodies[kind].label.lower()}")
            for (unit_id, kind), pk in tree.bodies.items()
        ),
    )
    return {"units": len(units), "bodies": len(tree.bodies)}
