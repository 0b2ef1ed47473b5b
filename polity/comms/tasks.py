"""Background work of comms. Tasks take ids, and call services with the system actor.

Schedule `comms_automations` every hour (welcome, arrears reminders, meeting notices, scheduled messages).
"""

from __future__ import annotations

from django.tasks import task

from polity.common.actor import Actor
from polity.comms import automations
from polity.comms.selectors import meeting_by_id
from polity.comms.services import messages_send_due


def _system() -> Actor:
    return Actor.system("comms automations")


@task()
def comms_automations() -> dict[str, int]:
    actor = _system()
    return {  # the same as `polity comms_automations`
        "welcome": automations.automation_welcome(actor=actor),
        "arrears": automations.automation_arrears(actor=actor),
        "meeting_notices": automations.automation_meeting_notices(actor=actor),
        "scheduled": messages_send_due(actor=actor),
    }


@task()
def welcome_member(person_id: int) -> int:
    return automations.automation_welcome(actor=_system(), person_ids=[person_id])


@task()
def meeting_notice(meeting_id: int) -> int:
    meeting = meeting_by_id(meeting_id)
    if meeting is None:
        return 0
    return automations.automation_meeting_notice(actor=_system(), meeting=meeting)
