"""The Store: pragmas, the writer thread, transactions, and real SQLite failures mapped to
actionable errors."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils

from app.domain.ids import UserId
from app.store import errors, outbox, patients
from app.store.db import Store
from app.store.errors import (
    DatabaseCorruptError,
    DatabaseLockedError,
    DiskFullError,
    ReadOnlyError,
    StoreError,
)
from app.store.migrations import LATEST
from tests.store.conftest import USER_ID, make_patient


def _pragma(db: sqlite_utils.Database, name: str) -> object:
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_connections_use_wal_full_sync_and_foreign_keys(store: Store) -> None:
    for run in (store.read, store.write):
        assert run(lambda db: _pragma(db, "journal_mode")) == "wal"
        assert run(lambda db: _pragma(db, "foreign_keys")) == 1
        assert run(lambda db: _pragma(db, "synchronous")) == 2  # FULL
        assert run(lambda db: _pragma(db, "busy_timeout")) == 5000


def test_writes_run_on_one_writer_thread_and_reads_on_the_caller(store: Store) -> None:
    seen: list[str] = []
    for _ in range(2):
        store.write(lambda db: seen.append(threading.current_thread().name))
    assert seen[0] == seen[1]
    assert seen[0].startswith("store-writer")
    assert store.read(lambda db: threading.current_thread().name) == "MainThread"
    with pytest.raises(RuntimeError):
        store.assert_writer_thread()
    store.write(lambda db: store.assert_writer_thread())


def test_concurrent_readers_get_their_own_connections(store: Store) -> None:
    inside = threading.Barrier(3)
    conns: dict[str, int] = {}

    def reader(name: str) -> None:
        def hold(db: sqlite_utils.Database) -> int:
            inside.wait(timeout=10)  # all three are reading at the same moment
            return id(db.conn)

        conns[name] = store.read(hold)

    threads = [threading.Thread(target=reader, args=(f"t{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(conns.values())) == 3


def test_reads_from_many_short_lived_threads_reuse_connections(store: Store) -> None:
    # Qt's pool threads come and go; each read must not leave a connection behind.
    for _ in range(50):
        t = threading.Thread(target=lambda: store.read(patients.count))
        t.start()
        t.join()
    assert store.reader_count() == 1


def test_a_read_inside_a_read_sees_the_same_snapshot(store: Store) -> None:
    outer_inner = store.read(lambda db: (id(db.conn), store.read(lambda d2: id(d2.conn))))
    assert outer_inner[0] == outer_inner[1]


def test_a_failed_write_leaves_nothing_behind(store: Store) -> None:
    p = make_patient()

    def insert_then_fail(db: sqlite_utils.Database) -> None:
        patients.insert(db, p, USER_ID)
        raise ValueError("validation failed after the insert")

    with pytest.raises(ValueError):
        store.write(insert_then_fail)
    assert store.read(lambda db: patients.get(db, p.id)) is None
    assert store.read(outbox.counts)["pending"] == 0
    assert store.read(lambda db: patients.search(db, "ramesh")) == []
    # The writer is healthy afterwards.
    store.write(lambda db: patients.insert(db, p, USER_ID))
    assert store.read(lambda db: patients.get(db, p.id)) == p


def test_a_write_is_committed_when_write_returns(store: Store) -> None:
    p = make_patient()
    store.write(lambda db: patients.insert(db, p, USER_ID))
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("SELECT name FROM patients").fetchall() == [("Ramesh Kumar",)]
    finally:
        other.close()


def test_a_write_inside_a_write_joins_the_transaction(store: Store) -> None:
    p = make_patient()

    def outer(db: sqlite_utils.Database) -> None:
        store.write(lambda inner: patients.insert(inner, p, USER_ID))
        raise ValueError("roll back both")

    with pytest.raises(ValueError):
        store.write(outer)
    assert store.read(patients.count) == 0


def test_disk_full_raises_disk_full_and_keeps_the_database_unchanged(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "spoke.sqlite3")
    try:
        before = make_patient("Before")
        store.write(lambda db: patients.insert(db, before, USER_ID))
        pages = store.write(lambda db: _pragma(db, "page_count"))
        store.write(lambda db: db.execute(f"PRAGMA max_page_count = {pages}"))

        def big(db: sqlite_utils.Database) -> None:
            patients.bulk_insert(
                db, (make_patient(f"Person {i}", line="x" * 500) for i in range(2000))
            )

        with pytest.raises(DiskFullError) as info:
            store.write(big)
        assert info.value.code == "store.disk_full"
        assert "Nothing you typed is lost" in info.value.message
        assert info.value.params["path"] == str(store.path)
        assert store.read(patients.count) == 1
        assert store.read(outbox.counts)["pending"] == 1
        assert [p.name for p in store.read(lambda db: patients.search(db, "person"))] == []
    finally:
        store.close()


def test_locked_database_raises_locked(tmp_path: Path) -> None:
    path = tmp_path / "spoke.sqlite3"
    store = Store.open(path, busy_timeout_ms=50)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        p = make_patient()
        with pytest.raises(DatabaseLockedError) as info:
            store.write(lambda db: patients.insert(db, p, USER_ID))
        assert info.value.code == "store.locked"
        assert "another program" in info.value.message
        holder.execute("ROLLBACK")
        store.write(lambda db: patients.insert(db, p, USER_ID))  # works once released
        assert store.read(patients.count) == 1
    finally:
        holder.close()
        store.close()


def test_a_file_that_is_not_a_database_is_reported_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "spoke.sqlite3"
    path.write_bytes(b"this is not SQLite, it is a photo someone renamed " * 200)
    with pytest.raises(DatabaseCorruptError) as info:
        Store.open(path)
    assert info.value.code == "store.corrupt"
    assert "Do not delete it" in info.value.message
    assert path.read_bytes().startswith(b"this is not SQLite")  # left untouched


def test_writing_through_a_read_connection_is_read_only(store: Store) -> None:
    with pytest.raises(ReadOnlyError) as info:
        store.read(lambda db: db.execute("INSERT INTO settings VALUES ('a', 'b')"))
    assert info.value.code == "store.readonly"


def test_translate_maps_a_real_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.Error) as info:
            conn.execute("INSERT INTO t VALUES (1)")
    finally:
        conn.close()
    assert isinstance(errors.translate(info.value, path), ReadOnlyError)


def test_translate_leaves_other_errors_alone(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.Error) as info:
        conn.execute("SELECT * FROM nowhere")
    assert errors.translate(info.value, tmp_path) is None
    assert errors.wrap(info.value, tmp_path).code == "store.error"


def test_constraint_failures_come_out_as_store_errors(store: Store) -> None:
    p = make_patient()
    store.write(lambda db: patients.insert(db, p, UserId(USER_ID)))
    with pytest.raises(StoreError) as info:
        store.write(lambda db: patients.insert(db, p, USER_ID))
    assert info.value.code == "store.error"
    assert store.read(outbox.counts)["pending"] == 1


def test_close_is_safe_when_idle_and_later_use_is_refused(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "spoke.sqlite3")
    store.read(patients.count)
    t = threading.Thread(target=lambda: store.read(patients.count))
    t.start()
    t.join()
    store.close()
    store.close()
    with pytest.raises(StoreError) as info:
        store.read(patients.count)
    assert info.value.code == "store.closed"
    with pytest.raises(StoreError):
        store.write(patients.count)
    # Closing checkpointed the WAL: the main file alone holds everything.
    assert not (tmp_path / "spoke.sqlite3-wal").exists() or (
        (tmp_path / "spoke.sqlite3-wal").stat().st_size == 0
    )


def test_open_creates_the_folder_and_lands_at_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "spoke.sqlite3"
    with Store.open(path) as store:
        assert store.schema_version() == LATEST
        tables = set(store.read(lambda db: db.table_names()))
    assert {
        "patients",
        "patients_fts",
        "users",
        "cases",
        "observations",
        "attachments",
        "outbox",
        "settings",
        "sync_state",
    } <= tables
    with Store.open(path) as again:  # reopening migrates nothing and loses nothing
        assert again.schema_version() == LATEST


def test_a_database_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "spoke.sqlite3"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(StoreError) as info:
        Store.open(path)
    assert info.value.code == "store.schema_newer"
    assert "newer version" in info.value.message
    assert info.value.params["version"] == LATEST + 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1
    conn.close()
