"""What the election services share: the returning officer's gate, locking, and the audit record."""

from __future__ import annotations

from typing import Any

from django.db import connection

from polity.access.perms import Perm
from polity.access.policy import has_perm
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import Forbidden
from polity.elections.models import Election
from polity.elections.rules import RETURNING_OFFICER, STATES, ElectionRefused
from polity.elections.workflow import STEPS, Step


def is_returning_officer(actor: Actor, election: Election) -> bool:
    """The named returning officer, while they hold the role over the election's unit (or the system)."""
    if actor.is_system:
        return True
    return actor.person_id == election.returning_officer_id and has_perm(
        actor, Perm.ELECTIONS_RETURN, election.unit
    )


def require_returning_officer(actor: Actor, election: Election) -> None:
    if not is_returning_officer(actor, election):
        raise Forbidden(f"{RETURNING_OFFICER}: you are not the returning officer of this election")


def locked(election_id: int) -> Election:
    """The election's row, locked for this transaction (a step runs once, whoever else tries at once)."""
    return Election.objects.select_for_update().select_related("unit").get(pk=election_id)


def key_share_lock(election_id: int) -> None:
    """Hold the election row against a step (closing the poll) until this transaction ends, without
    blocking other voters: FOR KEY SHARE on PostgreSQL; SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM elections_election WHERE id = %s FOR KEY SHARE", [election_id])


_STATE = "SELECT state FROM elections_election WHERE id = %s"
_STATE_HELD = "SELECT state FROM elections_election WHERE id = %s FOR KEY SHARE"


def poll_state_held(election_id: int) -> str:
    """The election's state, read under the same hold as `key_share_lock` (one statement instead of two)."""
    sql = _STATE_HELD if connection.vendor == "postgresql" else _STATE
    with connection.cursor() as cursor:
        cursor.execute(sql, [election_id])
        row = cursor.fetchone()
    if row is None:
        raise Election.DoesNotExist("no such election")
    return str(row[0])


def check_step(election: Election, name: str) -> Step:
    step = STEPS[name]
    if election.state != step.source:
        raise ElectionRefused(
            STATES,
            f"'{step.label}' needs the election to be {_state_label(step.source)}; "
            f"it is {election.get_state_display().lower()}",
        )
    return step


def _state_label(state: str) -> str:
    return _LABELS[state]


_LABELS = {
    "draft": "a draft",
    "frozen": "frozen",
    "nominations": "open for nominations",
    "polling": "open for voting",
    "closed": "closed",
    "counted": "counted",
    "published": "published",
}


def record(
    actor: Actor,
    election: Election,
    verb: str,
    data: dict[str, Any] | None = None,
    subjects: list[int] | None = None,
    purpose: str = "election",
) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        subjects=subjects or [],
        purpose=purpose,
        object_type="election",
        object_id=election.pk,
        data={"title": election.title, "state": election.state, **(data or {})},
    )
