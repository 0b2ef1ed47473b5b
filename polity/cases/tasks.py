"""Background work for cases: the hourly sweep of evidence files no row refers to (from the scheduler)."""

from django.tasks import task

from polity.cases.services.evidence import evidence_sweep
from polity.common.actor import Actor


@task()
def sweep_evidence() -> dict[str, int]:
    return evidence_sweep(actor=Actor.system("evidence sweep"))
