"""A selection for North A (the general committee selects), three panel members, an appeal panel member of the
region, the region's executive (empowered to change shortlists and hear appeals) and three applicants."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest


@dataclass
class Story:
    selection: object
    panel: list[object]
    appeal_panel: list[object]
    applicants: dict[str, object] = field(default_factory=dict)
    applications: dict[str, object] = field(default_factory=dict)
    bodies: dict[str, object] = field(default_factory=dict)


def person_actor(person):  # type: ignore[no-untyped-def]
    from polity.common.actor import Actor

    return Actor(user_id=None, person_id=person.pk, label=f"t:{person.membership_number}")


@pytest.fixture
def story(org):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from conftest import make_person
    from polity.access.services import office_appoint
    from polity.common.actor import Actor
    from polity.org.services import body_create
    from polity.selections import services as s

    system = Actor.system()
    u = org.units
    bodies = {
        "north_exec": body_create(actor=system, unit=u["north"], kind="executive_committee"),
        "north_a_exec": body_create(actor=system, unit=u["north_a"], kind="executive_committee"),
        "north_b_exec": body_create(actor=system, unit=u["north_b"], kind="executive_committee"),
        "north_a_gc": u["north_a_gc"],
    }
    selection = s.selection_create(
        actor=org.actor("secretary"),
        unit=u["north_a"],
        body=u["north_a_gc"],
        seat="Parliamentary candidate for North A",
        applications_close_at=timezone.now() + timedelta(days=10),
    )
    panel = []
    for i, given in enumerate(("Pia", "Pat", "Paz")):
        person = make_person(u["north_a_1" if i % 2 else "north_a_2"], given, "Panel")
        office_appoint(actor=system, person=person, office="selection_panel_member", unit=u["north_a"])
        panel.append(person)
    judge = make_person(u["north_b_1"], "Ada", "Appeal")
    office_appoint(actor=system, person=judge, office="selection_panel_member", unit=u["north"])
    st = Story(selection=selection, panel=panel, appeal_panel=[judge], bodies=bodies)
    for key, given in (("ann", "Ann"), ("ben", "Ben"), ("cat", "Cat")):
        person = make_person(u["north_a_1"], given, "Applicant")
        st.applicants[key] = person
        st.applications[key] = s.application_submit(
            actor=person_actor(person),
            selection=selection,
            statement=f"I am {given}, and I would serve well.",
        )
    return st


def close(org, st):  # type: ignore[no-untyped-def]
    """Pass the closing time and close applications; seat the panel."""
    from django.utils import timezone

    from polity.selections import services as s
    from polity.selections.models import Selection

    Selection.objects.filter(pk=st.selection.pk).update(
        applications_close_at=timezone.now() - timedelta(minutes=1)
    )
    st.selection.refresh_from_db()
    s.applications_close(actor=org.actor("secretary"), selection=st.selection)
    for person in st.panel:
        s.panel_appoint(actor=org.actor("secretary"), selection=st.selection, person=person)


def longlist(org, st, keys=("ann", "ben")):  # type: ignore[no-untyped-def]
    from polity.selections import services as s

    return s.longlist_decide(
        actor=person_actor(st.panel[0]),
        selection=st.selection,
        included=[st.applications[k].pk for k in keys],
        reasons="Both showed campaigning experience and knowledge of the constituency.",
    )


def pass_window(decision):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from polity.selections.models import Decision

    Decision.objects.filter(pk=decision.pk).update(appeal_until=timezone.now() - timedelta(minutes=1))
    decision.refresh_from_db()


def shortlist(org, st, keys=("ann",)):  # type: ignore[no-untyped-def]
    from polity.selections import services as s

    pass_window(longlist(org, st))
    return s.shortlist_decide(
        actor=person_actor(st.panel[1]),
        selection=st.selection,
        included=[st.applications[k].pk for k in keys],
        reasons="Ann's record as a councillor stood out at interview.",
        entry_reasons={st.applications["ben"].pk: "Your interview did not show enough of the local issues."},
    )
