"""Whom meeting forms may name (the person picker's "meetings" scope): members the actor may open, and
everyone now seated on a body the actor sits on or runs (so a delegate names a seconder, a chair records
attendance, without either opening the register)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import units_q, visible_members
from polity.common.actor import Actor
from polity.members.models import Person
from polity.org.models import Body


def meeting_people(actor: Actor) -> QuerySet[Person]:
    visible = visible_members(Person.objects.all(), actor=actor)
    bodies = Body.objects.filter(units_q(actor, Perm.MEETINGS_MANAGE, field="unit__path"))
    if actor.person_id is not None:
        bodies = Body.objects.filter(
            Q(pk__in=bodies.values("pk"))
            | Q(pk__in=OfficeTerm.objects.filter(person_id=actor.person_id).values("body_id"))
        )
    seated = OfficeTerm.objects.in_force(timezone.now()).filter(body__in=bodies).values("person_id")
    return Person.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=seated))
