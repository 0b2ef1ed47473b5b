"""Evidence files on disk, kept in step with the rows that refer to them.

An evidence file is written *before* its row, inside the transaction that inserts the row, so a committed row
always has its file. The opposite failure, a file with no row (personal data held with no record, no
retention and no access log), is closed two ways:

1. **At once, when the transaction rolls back.** `write` remembers each file it stores together with the
   savepoints open at that moment, exactly as Django remembers `on_commit` callbacks. When the connection
   rolls back the transaction, or rolls back to a savepoint that was open when the file was written, the
   file is deleted. That covers a refusal or a database error later in the same service, a second file
   refused after the first was written (`case_open` stores several), and a caller's outer atomic block
   that rolls back after the service returned: the file goes with its row, whichever block undid the row.
   Django has no rollback hook, so `install` (called once from `CasesConfig.ready`) wraps four methods of
   the connection class: `commit` forgets the files (once a commit is asked for, the rows decide: if its
   outcome is unknown the sweep below looks at the rows); `rollback`, `savepoint_rollback` and `close`
   with files still remembered (a connection closed mid-transaction is rolled back by the server) delete
   them after the database has done its part. A failed deletion is logged and left to the sweep.

2. **Later, after a crash.** A process killed between writing the file and committing leaves a file no
   row refers to and no hook ran. `polity.cases.services.evidence.evidence_sweep` (hourly, from the
   scheduler) deletes files under `EVIDENCE_DIR` that no row refers to and that were last written more
   than `ORPHAN_GRACE` ago, so a file whose transaction may still commit is never touched.

Rejected: writing under a temporary name and moving the file into place in `transaction.on_commit`. It
gets savepoints right for free, but a rolled-back transaction still leaves the temporary file (no hook
deletes it, so only the sweep could), and a crash or an I/O error between the commit and the move leaves
a committed row whose file does not exist: an objection whose required evidence is missing, or a notice
whose attachment cannot be opened. A try/except around the service's own atomic block was rejected too:
it misses the caller's block that rolls back after the service returned, and savepoints inside it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)

# Where evidence files live under the storage (Evidence.file's upload_to without the date part).
EVIDENCE_DIR = "cases/evidence"

_WRITTEN = "_polity_files_written_in_transaction"


@dataclass(frozen=True)
class _Written:
    savepoints: frozenset[str | None]
    storage: Storage
    name: str


def write(field: FieldFile, name: str, content: File[bytes]) -> str:
    """Store `content` for a row about to be saved; deleted again if the enclosing transaction rolls back.

    Returns the name the storage chose (it may add a suffix to keep names unique)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("evidence files are written inside a transaction")
    field.save(name, content, save=False)
    written = _Written(frozenset(connection.savepoint_ids), field.storage, field.name or "")
    connection.__dict__.setdefault(_WRITTEN, []).append(written)
    return written.name


def _remove(written: list[_Written]) -> None:
    for item in written:
        try:
            item.storage.delete(item.name)
        except Exception:  # never mask the rollback's own outcome; the sweep retries later
            logger.warning("an evidence file of a rolled-back transaction was not deleted", exc_info=True)


def install() -> None:
    """Wrap the connection class once so that rollbacks delete the files written in what they undo."""
    if getattr(BaseDatabaseWrapper, "_polity_files_hooked", False):
        return
    commit = BaseDatabaseWrapper.commit
    rollback = BaseDatabaseWrapper.rollback
    savepoint_rollback = BaseDatabaseWrapper.savepoint_rollback
    close = BaseDatabaseWrapper.close

    def commit_forgetting_files(self: Any) -> None:
        self.__dict__.pop(_WRITTEN, None)
        commit(self)

    def rollback_deleting_files(self: Any) -> None:
        rollback(self)
        _remove(self.__dict__.pop(_WRITTEN, []))

    def savepoint_rollback_deleting_files(self: Any, sid: str) -> None:
        savepoint_rollback(self, sid)
        written: list[_Written] = self.__dict__.get(_WRITTEN, [])
        undone = [item for item in written if sid in item.savepoints]
        if undone:
            written[:] = [item for item in written if sid not in item.savepoints]
            _remove(undone)

    def close_deleting_files(self: Any) -> None:
        written: list[_Written] = self.__dict__.pop(_WRITTEN, [])
        try:
            close(self)
        finally:
            _remove(written)

    BaseDatabaseWrapper.commit = commit_forgetting_files  # type: ignore[method-assign]
    BaseDatabaseWrapper.rollback = rollback_deleting_files  # type: ignore[method-assign]
    BaseDatabaseWrapper.savepoint_rollback = savepoint_rollback_deleting_files  # type: ignore[method-assign]
    BaseDatabaseWrapper.close = close_deleting_files  # type: ignore[method-assign]
    BaseDatabaseWrapper._polity_files_hooked = True  # type: ignore[attr-defined]


def stored(storage: Storage, top: str = EVIDENCE_DIR) -> Iterator[tuple[str, datetime]]:
    """Every file under `top` with the time it was last written (files vanishing meanwhile are skipped)."""
    try:
        directories, names = storage.listdir(top)
    except FileNotFoundError:
        return
    for name in names:
        path = f"{top}/{name}"
        try:
            yield path, storage.get_modified_time(path)
        except FileNotFoundError:
            continue
    for directory in directories:
        yield from stored(storage, f"{top}/{directory}")


def delete(storage: Storage, name: str) -> bool:
    """Delete one stored file; False (and a log line) if the storage refused."""
    try:
        storage.delete(name)
    except OSError:
        logger.warning("an evidence file could not be deleted", exc_info=True)
        return False
    return True
