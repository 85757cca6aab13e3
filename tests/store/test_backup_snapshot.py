"""Store.snapshot (app.store.backup): a point-in-time copy while the writer keeps writing."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.backup import SnapshotCancelled
from app.store.db import SQLITE_HEADER, Store
from app.store.errors import StoreError

KEY = bytes(range(32))
ROWS = 300
PAD = 2000  # bytes a row: ROWS rows make ~150 pages, copied 10 a step


def _fill(store: Store) -> None:
    def create(db: object) -> None:
        conn = db.conn  # type: ignore[attr-defined]
        conn.execute("CREATE TABLE a (n INTEGER, pad BLOB)")
        conn.execute("CREATE TABLE b (n INTEGER)")
        for i in range(ROWS):
            conn.execute("INSERT INTO a VALUES (?, randomblob(?))", (i, PAD))
            conn.execute("INSERT INTO b VALUES (?)", (i,))

    store.write(create)


def _pair(store: Store) -> None:
    """One write that adds a row to each table: a copy with unequal counts is torn."""

    def add(db: object) -> None:
        conn = db.conn  # type: ignore[attr-defined]
        conn.execute("INSERT INTO a VALUES (-1, randomblob(?))", (PAD,))
        conn.execute("INSERT INTO b VALUES (-1)")

    store.write(add)


def _count(store: Store, table: str) -> int:
    return int(store.read(lambda db: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]))


@pytest.fixture(params=["plain", "encrypted"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    key = KEY if request.param == "encrypted" else None
    s = Store.open(tmp_path / "spoke.sqlite3", key=key)
    _fill(s)
    try:
        yield s
    finally:
        s.close()


def _open_copy(path: Path, key: bytes | None) -> Store:
    return Store.open(path, key=key)


def _key_of(store: Store) -> bytes | None:
    return KEY if store.is_encrypted else None


def test_snapshot_is_a_whole_copy_keyed_as_the_store(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    seen: list[tuple[int, int]] = []
    store.snapshot(
        target, progress=lambda done, total: seen.append((done, total)), pages_per_step=10
    )
    assert len(seen) > 5 and seen[-1][0] == seen[-1][1]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("copy")] == ["copy.sqlite3"]
    assert (target.read_bytes()[:16] == SQLITE_HEADER) is (not store.is_encrypted)
    with _open_copy(target, _key_of(store)) as copy:
        assert _count(copy, "a") == _count(copy, "b") == ROWS
        assert copy.read(lambda db: db.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"


def test_encrypted_snapshot_opens_only_with_the_key(tmp_path: Path) -> None:
    with Store.open(tmp_path / "spoke.sqlite3", key=KEY) as store:
        _fill(store)
        store.snapshot(tmp_path / "copy.sqlite3")
    with pytest.raises(StoreError) as err:
        Store.open(tmp_path / "copy.sqlite3", key=bytes(32))
    assert err.value.code == "store.locked_wrong_key"
    with pytest.raises(StoreError) as err:
        Store.open(tmp_path / "copy.sqlite3")
    assert err.value.code == "store.locked_wrong_key"


def test_writes_between_steps_do_not_reach_the_copy_nor_restart_it(
    store: Store, tmp_path: Path
) -> None:
    """A write after every step: the copy is the database as it was when the snapshot began,
    and the pages left only ever go down (no restart)."""
    target = tmp_path / "copy.sqlite3"
    remaining: list[int] = []

    def progress(done: int, total: int) -> None:
        remaining.append(total - done)
        _pair(store)  # on the writer thread, through the store's own writing connection

    counted = store.snapshot(
        target,
        inspect=lambda db: db.execute("SELECT count(*) FROM a").fetchone()[0],
        progress=progress,
        pages_per_step=10,
    )
    assert counted == ROWS
    assert remaining == sorted(remaining, reverse=True) and len(remaining) > 5
    assert _count(store, "a") == ROWS + len(remaining)
    with _open_copy(target, _key_of(store)) as copy:
        assert _count(copy, "a") == _count(copy, "b") == ROWS
        assert copy.read(lambda db: db.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"


def test_snapshot_beside_a_busy_writer_is_never_torn(store: Store, tmp_path: Path) -> None:
    stop = threading.Event()
    writes = [0]

    def writer() -> None:
        while not stop.is_set():
            _pair(store)
            writes[0] += 1

    before = _count(store, "a")
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        # Wait (by count, not time) until the writer is going, then copy while it writes.
        while writes[0] < 3 and thread.is_alive():
            pass
        store.snapshot(tmp_path / "copy.sqlite3", pages_per_step=5)
    finally:
        stop.set()
        thread.join()
    after = _count(store, "a")
    assert after >= before + 3
    with _open_copy(tmp_path / "copy.sqlite3", _key_of(store)) as copy:
        a, b = _count(copy, "a"), _count(copy, "b")
        assert copy.read(lambda db: db.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"
    assert a == b  # each write added one row to each table, in one transaction
    assert before <= a <= after


def test_sqlite_backup_without_a_held_read_restarts_after_a_write(tmp_path: Path) -> None:
    """Why the snapshot holds a read transaction: SQLite's stepped backup on its own starts
    again from the first page when another connection commits (this pins that behaviour)."""
    path = tmp_path / "db.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("CREATE TABLE a (n INTEGER, pad BLOB)")
    writer.execute("BEGIN")
    for i in range(ROWS):
        writer.execute("INSERT INTO a VALUES (?, randomblob(?))", (i, PAD))
    writer.execute("COMMIT")
    source = sqlite3.connect(path)
    dest = sqlite3.connect(tmp_path / "copy.sqlite3")
    remaining: list[int] = []

    def progress(_status: int, left: int, _total: int) -> None:
        remaining.append(left)
        if len(remaining) == 3:
            writer.execute("INSERT INTO a VALUES (-1, randomblob(?))", (PAD,))

    source.backup(dest, pages=10, progress=progress)
    for conn in (source, dest, writer):
        conn.close()
    assert remaining[3] > remaining[2]  # started again


def test_cancel_between_steps_leaves_no_file(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    cancel = threading.Event()

    def progress(done: int, _total: int) -> None:
        if done >= 20:
            cancel.set()

    with pytest.raises(SnapshotCancelled):
        store.snapshot(target, progress=progress, cancel=cancel, pages_per_step=10)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("copy")]
    assert store.read(lambda db: db.execute("SELECT count(*) FROM b").fetchone()[0]) == ROWS


def test_a_failing_copy_leaves_no_file(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"

    def progress(done: int, _total: int) -> None:
        raise OSError("the drive went away")

    with pytest.raises(OSError):
        store.snapshot(target, progress=progress, pages_per_step=10)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("copy")]


def test_an_existing_target_is_never_overwritten(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        store.snapshot(target)
    assert target.read_bytes() == b"keep me"
    assert os.path.getsize(target) == 7
