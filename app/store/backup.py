"""A consistent copy of the open database, page by page (``Store.snapshot``): for backups.

SQLite's online backup API copies the database a few pages per step. On its own it is not a
point-in-time copy while the app keeps writing: when another connection commits between two
steps, the next step notices and **starts again from page 1** (measured: with a write after
every step the pages left jump back up and a busy clinic's backup might never end). So the
source connection opens a read transaction first and holds it across every step: in WAL
mode that pins one snapshot (the writer goes on appending to the WAL, and readers of that
snapshot do not see it), the steps all read that snapshot, nothing restarts, and the copy is
exactly the database as it was when the transaction began. ``inspect`` runs inside the same
transaction, so the counts a backup records describe exactly the pages it copied.

The copy is written through a connection the store opens for it (keyed like the store's own:
an SQLCipher store gives an encrypted copy that opens only with the same key; a plaintext
store a plaintext copy). A cancelled or failed copy removes the new file and its sidecars,
so nothing half-copied is left; a finished one is flushed to disk before returning.

Threading: runs on the calling thread with its own two connections (never the writer's or a
pooled reader); call it from a worker thread, not the GUI thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from app.durable import fsync_file

T = TypeVar("T")

PAGES_PER_STEP = 256  # 1 MiB of 4 KiB pages between progress reports and cancel checks

Progress = Callable[[int, int], None]  # (pages copied, pages in all)
Cancel = Callable[[], bool] | threading.Event


class SnapshotCancelled(Exception):
    """The copy was cancelled between two steps; its file has been removed."""


def cancel_check(cancel: Cancel | None) -> Callable[[], bool]:
    """``cancel`` as a function that says whether to stop (an Event, a callable or None)."""
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


def copy(
    source: Any,
    target: Path,
    connect_target: Callable[[Path], Any],
    *,
    inspect: Callable[[sqlite_utils.Database], T] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    pages_per_step: int = PAGES_PER_STEP,
) -> T | None:
    """Copy the database behind ``source`` (a connection of its own, not in a transaction)
    into the new file ``target``, opened with ``connect_target``; returns ``inspect``'s result.

    Raises ``SnapshotCancelled`` when ``cancel`` says so between steps, ``FileExistsError``
    when ``target`` exists; the driver's errors pass through (the caller maps them).
    """
    target = Path(target)
    if target.exists():
        raise FileExistsError(str(target))
    stop = cancel_check(cancel)
    result: T | None = None
    source.execute("BEGIN")
    try:
        # A deferred BEGIN takes its snapshot at the first read: read now, before anything.
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if inspect is not None:
            result = inspect(sqlite_utils.Database(source, execute_plugins=False))
        if stop():
            raise SnapshotCancelled()
        _copy_pages(source, target, connect_target, progress, stop, pages_per_step)
    finally:
        if source.in_transaction:
            source.execute("COMMIT")
    return result


def _copy_pages(
    source: Any,
    target: Path,
    connect_target: Callable[[Path], Any],
    progress: Progress | None,
    stop: Callable[[], bool],
    pages_per_step: int,
) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        # Raising here makes the driver finish (abandon) the backup and re-raise.
        if stop():
            raise SnapshotCancelled()
        if progress is not None:
            progress(total - remaining, total)

    dest: Any = None
    try:
        dest = connect_target(target)
        source.backup(dest, pages=max(1, pages_per_step), progress=step)
        # The copy's header says WAL (the source's mode): closing the only connection folds
        # its WAL back into the file and removes it, so the one file is the whole copy.
        dest.close()
        dest = None
        fsync_file(target)
    except BaseException:
        if dest is not None:
            with contextlib.suppress(Exception):  # already failing; the file goes anyway
                dest.close()
        remove_with_sidecars(target)
        raise


def remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
