"""Background work for deadlines: run `escalate_deadlines` every hour (or as often as the host schedules)."""

from django.tasks import task

from polity.common.actor import Actor
from polity.deadlines.services import deadlines_escalate


@task()
def escalate_deadlines() -> dict[str, int]:
    return deadlines_escalate(actor=Actor.system("deadlines"))
