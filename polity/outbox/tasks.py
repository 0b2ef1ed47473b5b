"""Delivery tasks (django.tasks; `polity worker` runs them). Thin: they call polity.outbox.delivery."""

from __future__ import annotations

from django.tasks import task


def delivery_start(dispatch_id: int) -> None:
    """Called on commit of a new dispatch: start delivery tasks and the dispatch's watchdog."""
    # Delivery lands in the next commit; until then entries stay queued.
    return None


@task()
def outbox_deliver() -> dict[str, int]:
    return {}
