"""Background work of the register."""

from django.tasks import task

from polity.common.actor import Actor
from polity.members.resignations import resignations_take_effect
from polity.members.services import members_refresh_arrears


@task()
def refresh_arrears() -> dict[str, int]:
    """Move members into arrears and to lapsed as the rulebook says (daily, from the scheduler)."""
    return members_refresh_arrears(actor=Actor.system("arrears"))


@task()
def apply_resignations() -> dict[str, int]:
    """Resignations whose cooling-off or dispute window has passed take effect (hourly, from the scheduler)."""
    return resignations_take_effect(actor=Actor.system("resignations"))
