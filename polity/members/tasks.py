"""Background work of the register."""

from django.tasks import task

from polity.common.actor import Actor
from polity.members.services import members_refresh_arrears


@task()
def refresh_arrears() -> dict[str, int]:
    """Move members into arrears and to lapsed as the rulebook says (daily, from the scheduler)."""
    return members_refresh_arrears(actor=Actor.system("arrears"))
