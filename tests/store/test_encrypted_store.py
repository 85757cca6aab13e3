"""Encryption at rest: the Store over real SQLCipher files, wrong keys refused clearly, and the
conversion of a plaintext database (``encrypt_in_place``)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from app.services.container import BLOB_DIR, DB_FILE, Services
from app.services.seed import DEMO_ACCOUNTS, seed, seed_demo_users
from app.store import patients
from app.store.blobs import BlobStore
from app.store.db import SQLITE_HEADER, Store, encrypt_in_place
from app.store.errors import (
    DatabaseCorruptError,
    NotEncryptedError,
    StoreError,
    WrongKeyError,
)
from app.store.migrations import LATEST
from tests.services.helpers import FAST_LOG_N, FakeClock
from tests.store.conftest import USER_ID, make_patient

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _pragma(db: sqlite_utils.Database, name: str) -> object:
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def _with_user(store: Store) -> None:
    from app.domain.models import Role, User
    from app.store import users

    store.write(
        lambda db: users.insert(
            db, User(USER_ID, "asha", "Asha Verma", Role.PARAMEDIC, "scrypt$x", created_at=NOW)
        )
    )


@pytest.fixture
def enc_path(tmp_path: Path) -> Path:
    """An encrypted, migrated database holding two patients (closed again)."""
    path = tmp_path / "spoke.sqlite3"
    with Store.open(path, key=KEY) as store:
        _with_user(store)
        store.write(lambda db: patients.insert(db, make_patient("Ramesh Kumar"), USER_ID))
        store.write(lambda db: patients.insert(db, make_patient("Sunita Devi"), USER_ID))
    return path


def test_an_encrypted_store_round_trips_rows_and_search(enc_path: Path) -> None:
    assert enc_path.read_bytes()[:16] != SQLITE_HEADER
    assert b"Ramesh" not in enc_path.read_bytes()
    with Store.open(enc_path, key=KEY) as store:
        assert store.schema_version() == LATEST
        assert store.read(patients.count) == 2
        found = store.read(lambda db: patients.search(db, "rame"))
        assert [p.name for p in found] == ["Ramesh Kumar"]
        # Plain sqlite-utils calls work on the keyed connection, FTS5 included.
        assert store.read(lambda db: db["patients"].count) == 2
        assert "patients_fts" in store.read(lambda db: db.table_names())
        assert store.read(lambda db: _pragma(db, "journal_mode")) == "wal"
        assert store.read(lambda db: _pragma(db, "foreign_keys")) == 1
        assert store.write(lambda db: _pragma(db, "synchronous")) == 2  # FULL
        assert "sqlcipher3" in type(store.read(lambda db: db.conn)).__module__


def test_the_stdlib_sqlite3_cannot_read_the_file(enc_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(enc_path, copy)
    conn = sqlite3.connect(copy)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def test_no_key_or_a_wrong_key_fails_clearly(enc_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(enc_path, copy)
    before = copy.read_bytes()
    with pytest.raises(WrongKeyError) as info:
        Store.open(copy)
    assert info.value.code == "store.locked_wrong_key"
    assert "no key" in info.value.message
    with pytest.raises(WrongKeyError) as info:
        Store.open(copy, key=OTHER_KEY)
    assert info.value.code == "store.locked_wrong_key"
    assert "did not open with this key" in info.value.message
    assert isinstance(info.value, StoreError)
    assert copy.read_bytes() == before  # untouched
    with Store.open(copy, key=KEY) as store:  # and still opens with the right one
        assert store.read(patients.count) == 2


def test_a_key_must_be_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Store.open(tmp_path / "x.sqlite3", key=b"short")


def test_a_plaintext_database_opened_with_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spoke.sqlite3"
    Store.open(path).close()
    before = path.read_bytes()
    with pytest.raises(NotEncryptedError) as info:
        Store.open(path, key=KEY)
    assert info.value.code == "store.not_encrypted"
    assert path.read_bytes() == before
    assert path.read_bytes()[:16] == SQLITE_HEADER  # not silently left plaintext-and-open


def test_junk_without_a_key_is_still_reported_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "spoke.sqlite3"
    path.write_bytes(b"this is not SQLite, it is a photo someone renamed " * 200)
    with pytest.raises(DatabaseCorruptError):
        Store.open(path)


def test_wal_readers_run_during_a_keyed_write(enc_path: Path) -> None:
    with Store.open(enc_path, key=KEY) as store:
        in_write = threading.Event()
        release = threading.Event()
        seen: list[int] = []
        failures: list[BaseException] = []
        together = threading.Barrier(4, timeout=10)  # four readers inside read() at once

        def count_together(db: sqlite_utils.Database) -> int:
            n = patients.count(db)
            together.wait()
            return n

        def slow_write(db: sqlite_utils.Database) -> None:
            patients.insert(db, make_patient("Kamla Bai"), USER_ID)
            in_write.set()
            assert release.wait(10)

        def reader() -> None:
            try:
                seen.append(store.read(count_together))
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

        writer = threading.Thread(target=lambda: store.write(slow_write))
        writer.start()
        assert in_write.wait(10)
        readers = [threading.Thread(target=reader) for _ in range(4)]
        for t in readers:
            t.start()
        for t in readers:
            t.join(10)
        release.set()
        writer.join(10)
        assert not failures
        assert seen == [2, 2, 2, 2]  # the committed snapshot, not blocked by the writer
        assert store.read(patients.count) == 3
        assert store.reader_count() == 4  # four keyed read connections, pooled


def _seeded_plaintext(folder: Path) -> list[str]:
    """Seed a plaintext data folder; some patient names (long enough to be distinctive)."""
    with Services.open(folder, clock=FakeClock(NOW), password_log_n=FAST_LOG_N) as services:
        seed_demo_users(services)
        seed(services, patients=400, cases=30, rng_seed=7)
        names: list[str] = services.store.read(
            lambda db: [
                r[0]
                for r in db.execute(
                    "SELECT name FROM patients WHERE length(name) >= 10 ORDER BY rid LIMIT 5"
                ).fetchall()
            ]
        )
    return names


def _counts(store: Store) -> dict[str, int]:
    def count(db: sqlite_utils.Database) -> dict[str, int]:
        return {t: db[t].count for t in db.table_names() if not t.startswith("patients_fts_")}

    return store.read(count)


def test_encrypt_in_place_converts_a_seeded_database(tmp_path: Path) -> None:
    folder = tmp_path / "spoke-data"
    names = _seeded_plaintext(folder)
    path = folder / DB_FILE
    assert path.read_bytes()[:16] == SQLITE_HEADER
    assert names[0].encode() in path.read_bytes()
    with Store.open(path) as plain:
        counts_before = _counts(plain)
        search_before = [p.id for p in plain.read(lambda db: patients.search(db, names[0]))]
    assert counts_before["patients"] == 400

    encrypt_in_place(path, KEY)

    assert path.read_bytes()[:16] != SQLITE_HEADER
    leftovers = sorted(p.name for p in folder.iterdir() if p.name.startswith(DB_FILE))
    assert leftovers == [DB_FILE]  # no plaintext -wal/-shm, no half-made copy
    with Store.open(path, key=KEY) as store:
        assert store.schema_version() == LATEST
        assert _counts(store) == counts_before
        assert store.read(lambda db: _pragma(db, "integrity_check")) == "ok"
        # Patient search through the service, as the desk uses it.
        services = Services(
            store, BlobStore(folder / BLOB_DIR), FakeClock(NOW), password_log_n=FAST_LOG_N
        )
        username, password, _, _ = DEMO_ACCOUNTS[0]
        user = services.auth.login(username, password)
        found = services.patients.search(user, names[0])
        assert [p.id for p in found] == search_before
        assert names[0] in [p.name for p in found]
        assert services.patients.search(user, names[1][:4])
    with pytest.raises(WrongKeyError):
        Store.open(path)

    # Nothing in the whole folder gives a seeded name away.
    blobs = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    for name in names:
        assert name.encode("utf-8") not in blobs, name


def test_encrypt_in_place_refuses_an_encrypted_file(enc_path: Path) -> None:
    before = enc_path.read_bytes()
    with pytest.raises(WrongKeyError):
        encrypt_in_place(enc_path, KEY)
    assert enc_path.read_bytes() == before


def test_a_failed_conversion_leaves_the_plaintext(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "spoke.sqlite3"
    with Store.open(path) as store:
        _with_user(store)
        store.write(lambda db: patients.insert(db, make_patient("Ramesh Kumar"), USER_ID))
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk pulled out"):
        encrypt_in_place(path, KEY)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spoke.sqlite3"]
    with Store.open(path) as store:
        assert store.read(patients.count) == 1


def test_the_store_names_the_encrypted_connections_integrity_error(enc_path: Path) -> None:
    """sqlcipher3 raises its own IntegrityError, not sqlite3's: the sync handlers catch
    ``errors.INTEGRITY_ERRORS``, so one refused record is skipped on an encrypted store as on
    a plain one, rather than rolling back the whole page."""
    from app.store import errors

    store = Store.open(enc_path, key=KEY)
    try:

        def clash(db: sqlite_utils.Database) -> str:
            db.execute("SAVEPOINT clash")
            try:
                db.execute("INSERT INTO users SELECT * FROM users LIMIT 1")  # same primary key
            except errors.INTEGRITY_ERRORS as exc:
                db.execute("ROLLBACK TO clash")
                return type(exc).__module__
            finally:
                db.execute("RELEASE clash")
            return "not refused"

        assert store.write(clash).startswith("sqlcipher3")
    finally:
        store.close()
