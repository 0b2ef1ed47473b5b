"""Background work of exports: making a file (enqueued by a request or an approval), and expiring files.
Tasks take ids and call services with the system actor."""

from __future__ import annotations

from django.tasks import task

from polity.common.actor import Actor
from polity.exports.services import export_make, exports_expire


@task()
def make_export(export_id: int) -> str:
    return str(export_make(actor=Actor.system("exports"), export_id=export_id).state)


@task()
def expire_exports() -> int:
    return exports_expire(actor=Actor.system("exports"))


@task()
def poll_decoy_mailbox() -> int:
    from polity.exports.inbound import imap_poll

    return imap_poll()
