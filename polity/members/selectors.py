"""Reads of the register. Every selector takes the actor, is scoped by `access`, and records the read."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from polity.access.perms import Perm
from polity.access.policy import require, require_member, visible_members
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import NotVisible
from polity.members.models import Person, Resignation
from polity.members.search import parse_person_query, person_query_q
from polity.org.models import Unit

PAGE_SIZE = 50


@dataclass
class MemberPage:
    members: list[Person]
    page: int
    has_next: bool
    total: int | None = None
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-(self.total or 0) // self.page_size))

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """The pages to link: the first, the last, and those near this one; None where pages are skipped."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        shown: list[int | None] = []
        for n in sorted(p for p in wanted if 1 <= p <= self.pages):
            if shown and shown[-1] is not None and n > shown[-1] + 1:
                shown.append(None)
            shown.append(n)
        return shown


def member_search_qs(
    *, actor: Actor, unit: Unit | None = None, q: str = "", status: str = ""
) -> QuerySet[Person]:
    qs = visible_members(Person.objects.all(), actor=actor)
    if unit is not None:
        require(actor, Perm.MEMBERS_VIEW, scope=unit)
        qs = qs.filter(home_unit__path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    # "Owen, Jane", "Jane Owen", "M0000045", "m45" or "45": the parser the person picker uses too. Name
    # parts are prefix matches, which the UPPER(...) text_pattern_ops indexes serve on PostgreSQL.
    query = parse_person_query(q)
    if not query.is_empty:
        qs = qs.filter(person_query_q(query))
    return qs


def member_list(
    *,
    actor: Actor,
    unit: Unit | None = None,
    q: str = "",
    status: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    purpose: str = "members list",
    channel: str = "web",
) -> MemberPage:
    """One page of members in scope, ordered by name. The page shown is recorded in the access log."""
    page = max(1, page)
    qs = member_search_qs(actor=actor, unit=unit, q=q, status=status)
    rows = list(
        qs.select_related("home_unit").order_by("family_name", "given_name", "id")[
            (page - 1) * page_size : page * page_size + 1
        ]
    )
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    # The total, for "1–50 of 1,234" and the page numbers: one count, whatever the page or the register.
    total = (page - 1) * page_size + len(rows) if rows and not has_next else qs.count()
    audit_record(
        actor=actor,
        verb="members.list",
        subjects=[p.pk for p in rows],
        purpose=purpose,
        object_type="unit" if unit else "",
        object_id=unit.pk if unit else "",
        data={"q": bool(q), "status": status, "page": page, "shown": len(rows), "channel": channel},
    )
    return MemberPage(rows, page, has_next, total, page_size)


def member_get(
    *, actor: Actor, member_id: int, purpose: str = "member record", channel: str = "web"
) -> Person:
    """One member's record, if the actor may see it (404 otherwise). The opening is recorded."""
    person = Person.objects.select_related("home_unit").filter(pk=member_id).first()
    if person is None:
        raise NotVisible("not found")
    require_member(actor, person)
    if actor.person_id != person.pk:
        audit_record(
            actor=actor,
            verb="member.view",
            subjects=[person.pk],
            purpose=purpose,
            object_type="person",
            object_id=person.pk,
            data={"channel": channel},
        )
    return person


def resignations_for(*, actor: Actor, person: Person) -> list[Resignation]:
    """A member's resignations, newest first: for the member themself and whoever may see their record."""
    require_member(actor, person)
    return list(Resignation.objects.filter(person=person).order_by("-created_at", "-id"))


def resignation_letter(*, actor: Actor, resignation_id: int, channel: str = "web") -> Resignation:
    """The letter or email behind a recorded resignation: for the member, and officers with members.edit over
    them (who record resignations). Anyone else answers 404. The reading is recorded."""
    found = (
        Resignation.objects.select_related("person", "person__home_unit")
        .filter(pk=resignation_id)
        .exclude(letter="")
        .first()
    )
    if found is None:
        raise NotVisible("not found")
    person = found.person
    require_member(actor, person)
    if actor.person_id != person.pk:
        require(actor, Perm.MEMBERS_EDIT, scope=person.home_unit)
    audit_record(
        actor=actor,
        verb="member.resignation_letter_view",
        subjects=[person.pk],
        purpose="resignation evidence",
        object_type="members.resignation",
        object_id=found.pk,
        data={"channel": channel, "sha256": found.letter_sha256},
    )
    return found


def member_for_write(*, actor: Actor, member_id: int) -> Person:
    """A member the actor may see, for a write the service will check and record (no read event)."""
    person = Person.objects.select_related("home_unit").filter(pk=member_id).first()
    if person is None:
        raise NotVisible("not found")
    require_member(actor, person)
    return person


def my_resignation(*, actor: Actor, resignation_id: int) -> Resignation:
    """One of the actor's own resignations; anyone else's answers like a missing one (404)."""
    found = Resignation.objects.filter(pk=resignation_id, person_id=actor.person_id or 0).first()
    if found is None or actor.person_id is None:
        raise NotVisible("not found")
    return found
