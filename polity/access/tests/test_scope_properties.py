"""Property: over random trees, offices, terms and grants, selectors return exactly the members in scope.

The oracle below recomputes scope by walking the tree in Python, independently of the policy's queries.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polity.access.models import Grant, OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import has_perm, visible_members
from polity.common.actor import Actor
from polity.members.models import MembershipPeriod, Person
from polity.members.selectors import member_list
from polity.org.models import Unit

LEVELS = ("national", "region", "constituency", "branch")
# Office keys of the demo rulebook by level, and whether they carry members.view.
OFFICES = {
    "national": [("national_officer", True), ("data_protection_officer", True)],
    "region": [("regional_officer", True)],
    "constituency": [("secretary", True), ("chair", False), ("treasurer", False)],
    "branch": [("membership_officer", True), ("chair", False)],
}
WHEN = st.sampled_from(["current", "expired", "future", "open"])
GRANT_STATE = st.sampled_from(["active", "expired", "revoked", "future"])


class _Rollback(Exception):
    pass


def _build_tree(shape: list[int]) -> list[Unit]:
    """A tree whose level i nodes each have shape[i] children (cycling through the list)."""
    root = Unit.objects.create(name="root", code="p-root", level="national", path="x", depth=0)
    root.path = Unit.segment(root.pk)
    root.save()
    units, frontier = [root], [root]
    for depth in range(1, len(LEVELS)):
        nxt = []
        for i, parent in enumerate(frontier):
            for j in range(shape[(depth + i) % len(shape)]):
                u = Unit.objects.create(
                    name=f"u{depth}-{i}-{j}",
                    code=f"p-{depth}-{i}-{j}",
                    level=LEVELS[depth],
                    parent=parent,
                    path="x",
                    depth=depth,
                )
                u.path = parent.path + Unit.segment(u.pk)
                u.save()
                nxt.append(u)
        units += nxt
        frontier = nxt
    return units


def _interval(kind: str, now):  # type: ignore[no-untyped-def]
    day = timedelta(days=1)
    return {
        "current": (now - 10 * day, now + 10 * day),
        "open": (now - 10 * day, None),
        "expired": (now - 10 * day, now - day),
        "future": (now + day, now + 10 * day),
    }[kind]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    member_slots=st.lists(st.integers(0, 50), min_size=1, max_size=25),
    offices=st.lists(st.tuples(st.integers(0, 100), st.integers(0, 5), WHEN), max_size=4),
    grants=st.lists(st.tuples(st.integers(0, 100), GRANT_STATE, st.booleans()), max_size=3),
)
def test_selectors_return_exactly_the_members_in_scope(shape, member_slots, offices, grants):
    try:
        with transaction.atomic():
            _check(shape, member_slots, offices, grants)
            raise _Rollback
    except _Rollback:
        pass


def _check(shape, member_slots, offices, grants):  # type: ignore[no-untyped-def]
    now = timezone.now()
    units = _build_tree(shape)
    branches = [u for u in units if u.level == "branch"]
    people = []
    for n, slot in enumerate(member_slots):
        p = Person.objects.create(
            membership_number=f"P{n}",
            given_name="A",
            family_name=f"F{n:03d}",
            home_unit=branches[slot % len(branches)],
            joined_on=date(2020, 1, 1),
            status="active",
        )
        MembershipPeriod.objects.create(person=p, started_on=date(2020, 1, 1))
        people.append(p)
    actor_person = people[0]
    actor = Actor(user_id=None, person_id=actor_person.pk, label="prop")

    # The oracle: unit paths in which members.view holds now.
    allowed_paths: list[str] = []
    for unit_pick, office_pick, when in offices:
        unit = units[unit_pick % len(units)]
        office, views = OFFICES[unit.level][office_pick % len(OFFICES[unit.level])]
        starts, ends = _interval(when, now)
        OfficeTerm.objects.create(
            person=actor_person, office=office, unit=unit, starts_at=starts, ends_at=ends
        )
        if views and when in {"current", "open"}:
            allowed_paths.append(unit.path)
    for unit_pick, state, with_view in grants:
        unit = units[unit_pick % len(units)]
        perms = ["members.view"] if with_view else ["units.view"]
        day = timedelta(days=1)
        starts, expires = (now + day, now + 5 * day) if state == "future" else (now - 5 * day, now + 5 * day)
        if state == "expired":
            expires = now - day
        g = Grant.objects.create(
            person=actor_person,
            permissions=perms,
            unit=unit,
            purpose="prop",
            starts_at=starts,
            expires_at=expires,
            granted_by="t",
        )
        if state == "revoked":
            Grant.objects.filter(pk=g.pk).update(revoked_at=now - day, revoked_by="t", revoke_reason="test")
        if with_view and state == "active":
            allowed_paths.append(unit.path)

    expected = {p.pk for p in people if any(p.home_unit.path.startswith(a) for a in allowed_paths)}
    seen = set(
        visible_members(Person.objects.all(), actor=actor, perm=Perm.MEMBERS_VIEW).values_list(
            "pk", flat=True
        )
    )
    assert seen == expected

    listed: set[int] = set()
    page = 1
    while True:
        result = member_list(actor=actor, page=page, page_size=7)
        listed |= {p.pk for p in result.members}
        if not result.has_next:
            break
        page += 1
    assert listed == expected

    for unit in units:
        assert has_perm(actor, Perm.MEMBERS_VIEW, unit) == any(unit.path.startswith(a) for a in allowed_paths)
