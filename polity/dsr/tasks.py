"""Background work for data subject requests: the daily clock (paused dates, escalation of requests at
risk) and the retention job."""

from django.tasks import task

from polity.common.actor import Actor
from polity.dsr.retention import retention_run
from polity.dsr.services import dsr_clock_tick


@task()
def tick_clock() -> dict[str, int]:
    return dsr_clock_tick(actor=Actor.system("dsr"))


@task()
def run_retention() -> dict[str, int]:
    return retention_run(actor=Actor.system("retention")).as_dict()
