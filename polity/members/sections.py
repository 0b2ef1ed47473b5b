"""Sections of the membership (the rulebook's `[sections.*]`): women, BAME, disabled, LGBT+, young members.

One belongs to a "declaration" section by saying so oneself, from one's own page, and stops by withdrawing;
the register keeps each declaration with its dates (`SectionMembership`, `since` inclusive, `until`
exclusive), so "members of the section on the freeze date" has one answer however often it changed. One
belongs to an "age" section while younger than its `max_age`, from the date of birth on the register; nothing
is declared, and a member without a date of birth is in no age section.

What a declaration says (ethnicity, disability, sexuality) is special-category data: only the member
declares or withdraws it (an officer cannot, on their behalf); the audit event says that a declaration
changed, never which section; an officer reads who is in a section only with `members.view_sections` over
the member (polity/access policy), and each such read is recorded in the access log. The roll of a section's
election is built from it in the database and is read like any roll (polity/elections/roll.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from polity.access.perms import Perm
from polity.access.policy import can_see_member, require_member
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput
from polity.members.models import Person, SectionMembership
from polity.members.services import _is_self
from polity.rulebook.loader import Section, get_rulebook


def _declarable(key: str) -> Section:
    section = get_rulebook().sections.get(key)
    if section is None:
        raise InvalidInput(f"section: the rulebook has no section {key!r}")
    if section.basis != "declaration":
        raise InvalidInput(f"section: one belongs to the {section.label} by age, from the date of birth")
    return section


def _own(actor: Actor, person: Person) -> None:
    require_member(actor, person)
    if not _is_self(actor, person):
        raise Forbidden("a member declares or withdraws their sections themself, from their own page")


def section_declare(*, actor: Actor, person: Person, section: str) -> SectionMembership:
    """The member says they belong to a section, from today. Declaring again while in it changes nothing."""
    _own(actor, person)
    _declarable(section)
    today = timezone.localdate()
    with transaction.atomic():
        Person.objects.select_for_update().only("pk").get(pk=person.pk)
        current = SectionMembership.objects.filter(person=person, section=section, until__isnull=True).first()
        if current is not None:
            return current
        made = SectionMembership.objects.create(person=person, section=section, since=today)
        _audit(actor, person, "member.section_declare")
    return made


def section_withdraw(*, actor: Actor, person: Person, section: str) -> SectionMembership | None:
    """The member withdraws a declaration: from today they are not in the section. None if they were not."""
    _own(actor, person)
    _declarable(section)
    today = timezone.localdate()
    with transaction.atomic():
        Person.objects.select_for_update().only("pk").get(pk=person.pk)
        current = (
            SectionMembership.objects.select_for_update()
            .filter(person=person, section=section, until__isnull=True)
            .first()
        )
        if current is None:
            return None
        current.until = max(today, current.since)
        current.save(update_fields=["until"])
        _audit(actor, person, "member.section_withdraw")
    return current


def _audit(actor: Actor, person: Person, verb: str) -> None:
    # Which section is special-category data: the event says only that a declaration changed.
    audit_record(
        actor=actor, verb=verb, subjects=[person.pk], object_type="person", object_id=person.pk, data={}
    )


def in_section_q(key: str, on: date, *, prefix: str = "") -> Q:
    """People (a Person queryset, or one reached through `prefix`, e.g. "person__") in section `key` on `on`."""
    section = get_rulebook().section(key)
    if section.basis == "age":
        return Q(**{f"{prefix}date_of_birth__gt": section.age_limit_on(on)})
    declared = SectionMembership.objects.filter(
        person=OuterRef(f"{prefix}pk"), section=key, since__lte=on
    ).filter(Q(until__isnull=True) | Q(until__gt=on))
    return Q(Exists(declared))


def is_in_section(person: Person, key: str, on: date) -> bool:
    return Person.objects.filter(in_section_q(key, on), pk=person.pk).exists()


@dataclass(frozen=True)
class SectionRow:
    key: str
    label: str
    basis: str
    is_member: bool
    since: date | None = None


def _rows(person: Person, on: date) -> list[SectionRow]:
    rulebook = get_rulebook()
    open_since = dict(
        SectionMembership.objects.filter(person=person, until__isnull=True).values_list("section", "since")
    )
    rows = []
    for key, section in rulebook.sections.items():
        if section.basis == "age":
            young = person.date_of_birth is not None and person.date_of_birth > section.age_limit_on(on)
            rows.append(SectionRow(key, section.label, section.basis, young))
        else:
            since = open_since.get(key)
            rows.append(SectionRow(key, section.label, section.basis, since is not None, since))
    return rows


def my_sections(*, actor: Actor, person: Person) -> list[SectionRow]:
    """Every section of the rulebook, and whether the member is in it today: for the member themself."""
    _own(actor, person)
    return _rows(person, timezone.localdate())


def member_sections(*, actor: Actor, person: Person, channel: str = "web") -> list[SectionRow] | None:
    """The sections a member is in today: for the member themself, and for an officer with
    `members.view_sections` over them (that read is recorded in the access log); None for anyone else, to
    whom the record shows no sections line at all."""
    if _is_self(actor, person):
        return [row for row in _rows(person, timezone.localdate()) if row.is_member]
    if actor.is_system or not can_see_member(actor, person, Perm.MEMBERS_VIEW_SECTIONS):
        return None
    rows = [row for row in _rows(person, timezone.localdate()) if row.is_member]
    audit_record(
        actor=actor,
        verb="member.view_sections",
        subjects=[person.pk],
        purpose="sections",
        object_type="person",
        object_id=person.pk,
        data={"channel": channel},
    )
    return rows


def section_label(key: str) -> str:
    section = get_rulebook().sections.get(key)
    return section.label if section is not None else key
