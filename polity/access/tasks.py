"""Background work for access: tell holders whose terms ran out (from the scheduler)."""

from django.tasks import task

from polity.access.services import office_terms_notify_ended
from polity.common.actor import Actor


@task()
def notify_ended_terms() -> int:
    return office_terms_notify_ended(actor=Actor.system("office terms"))
