from datetime import timedelta

import pytest
from django.utils import timezone

from polity.common.actor import Actor
from polity.common.errors import Forbidden
from polity.common.schedule import JOBS, Job, schedule_enqueue_due
from polity.deadlines.models import State


def test_every_job_names_a_real_task():
    from polity.common.schedule import _task

    for job in JOBS:
        assert hasattr(_task(job.task), "enqueue"), job.task


@pytest.mark.django_db
def test_jobs_run_once_per_period_and_only_for_the_system():
    now = timezone.now()
    system = Actor.system()
    first = schedule_enqueue_due(actor=system, now=now)
    assert set(first) == {j.name for j in JOBS}
    assert schedule_enqueue_due(actor=system, now=now + timedelta(seconds=30)) == []
    assert schedule_enqueue_due(actor=system, now=now + timedelta(minutes=2)) == ["outbox.deliver"]
    later = schedule_enqueue_due(actor=system, now=now + timedelta(hours=2))
    assert set(later) == {j.name for j in JOBS if j.every <= timedelta(hours=1)}
    assert {"deadlines.escalate", "outbox.deliver", "members.apply_resignations"} <= set(later)
    assert "access.notify_ended_terms" in set(later)
    with pytest.raises(Forbidden):
        schedule_enqueue_due(actor=Actor(user_id=1, person_id=1, label="x"))


@pytest.mark.django_db
def test_a_due_escalation_actually_runs(org):
    # The test settings run tasks immediately, so enqueuing the job escalates a missed deadline.
    from polity.deadlines.services import deadline_open

    start = timezone.now() - timedelta(days=30)
    deadline = deadline_open(
        actor=Actor.system(),
        rule_key="deadlines.complaint_acknowledgement",
        start=start,
        owner_unit=org.units["north_a"],
        subject_type="test",
        subject_id=1,
    )
    job = Job("deadlines.escalate", "polity.deadlines.tasks.escalate_deadlines", timedelta(hours=1))
    assert schedule_enqueue_due(actor=Actor.system(), jobs=(job,)) == ["deadlines.escalate"]
    deadline.refresh_from_db()
    assert deadline.state in {State.MISSED, State.ESCALATED}
