"""The spoke's audit trail: append-only, hash-chained, queued for the hub, no patient data."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from app.domain import audit as rules
from app.domain.models import Role, User
from app.store import audit, outbox, patients, settings
from app.store.db import Store
from app.store.errors import StoreError
from app.store.migrations import LATEST, migrate, user_version
from tests.store.conftest import T0, USER_ID, make_patient

ASHA = User(USER_ID, "asha", "Asha Verma", Role.PARAMEDIC, "scrypt$x", created_at=T0)


def _fill(store: Store, n: int = 5) -> None:
    for i in range(n):
        store.write(
            lambda db, i=i: audit.append(
                db, ASHA, audit.Action.VIEW, "patient", f"p-{i}", "", T0 + timedelta(minutes=i)
            )
        )


def _tamper(store: Store, *statements: str) -> None:
    """What someone with the file can do: drop the triggers, then change the table."""
    conn = sqlite3.connect(store.path)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def test_appended_entries_chain_and_verify_intact(store: Store) -> None:
    _fill(store, 3)
    check = store.read(audit.verify)
    assert check.intact and check.entries == 3
    assert check.last_at == T0 + timedelta(minutes=2)
    entries = store.read(lambda db: audit.recent(db, 10))
    assert [e.seq for e in entries] == [3, 2, 1]
    chain = store.read(audit.chain_id)
    assert entries[-1].prev_hash == rules.genesis(chain)
    assert entries[0].prev_hash == entries[1].hash
    assert (entries[0].actor_id, entries[0].actor_role) == (USER_ID, "paramedic")


def test_an_empty_trail_is_intact(store: Store) -> None:
    check = store.read(audit.verify)
    assert check.intact and check.entries == 0 and check.last_at is None


def test_each_entry_queues_an_audit_append_op_at_low_priority(store: Store) -> None:
    entry = store.write(
        lambda db: audit.append(db, ASHA, audit.Action.PRINT, "prescription", "rx-1", "A5", T0)
    )
    chain = store.read(audit.chain_id)
    (op,) = store.read(lambda db: outbox.for_entity(db, f"{chain}:1"))
    assert (op.op, op.entity, op.priority) == ("audit.append", "audit", audit.PRIORITY_AUDIT)
    assert outbox.PRIORITY_OBSERVATION < op.priority < outbox.PRIORITY_BLOB
    assert op.payload == {
        "id": f"{chain}:1", "chain": chain, "seq": 1, "at": "2026-11-25T09:30:00.000000+00:00",
        "actor_id": USER_ID, "actor_role": "paramedic", "action": "print",
        "entity": "prescription", "entity_id": "rx-1", "detail": "A5",
        "prev_hash": rules.genesis(chain), "hash": entry.hash,
    }  # fmt: skip


def test_an_edited_entry_breaks_the_chain_at_that_entry(store: Store) -> None:
    _fill(store, 5)
    _tamper(store, "UPDATE audit_log SET entity_id = 'p-other' WHERE seq = 3")
    check = store.read(audit.verify)
    assert not check.intact
    assert (check.broken_at, check.reason) == (3, "edited")


def test_an_edit_with_the_hash_recomputed_breaks_the_link_to_it(store: Store) -> None:
    _fill(store, 5)
    chain = store.read(audit.chain_id)
    row = store.read(lambda db: db.execute("SELECT * FROM audit_log WHERE seq = 2").fetchone())
    forged = rules.entry_hash(
        2, row["at"], row["actor_id"], row["actor_role"], "login", "", "", "", row["prev_hash"]
    )
    _tamper(
        store,
        f"UPDATE audit_log SET action = 'login', entity = '', entity_id = '', hash = '{forged}' "
        "WHERE seq = 2",
    )
    check = store.read(audit.verify)
    assert (check.broken_at, check.reason) == (3, "edited")
    assert chain  # the chain id itself was not touched


def test_a_deleted_entry_is_missing(store: Store) -> None:
    _fill(store, 5)
    _tamper(store, "DELETE FROM audit_log WHERE seq = 2")
    check = store.read(audit.verify)
    assert not check.intact
    assert (check.broken_at, check.reason) == (2, "missing")


def test_a_changed_chain_id_is_a_bad_start(store: Store) -> None:
    _fill(store, 2)
    with pytest.raises(StoreError):  # the triggers keep it
        store.write(lambda db: db.execute("UPDATE audit_chain SET chain_id = 'another-pc'"))
    conn = sqlite3.connect(store.path)
    try:
        conn.execute("DROP TRIGGER audit_chain_no_update")
        conn.execute("UPDATE audit_chain SET chain_id = 'another-pc'")
        conn.commit()
    finally:
        conn.close()
    check = store.read(audit.verify)
    assert (check.broken_at, check.reason) == (1, "bad start")


def test_the_triggers_refuse_update_delete_and_a_skipped_seq(store: Store) -> None:
    _fill(store, 2)
    for sql in (
        "UPDATE audit_log SET detail = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
        "INSERT INTO audit_log (seq, at, action, prev_hash, hash) VALUES (9, 't', 'view', '', '')",
    ):
        with pytest.raises(StoreError):
            store.write(lambda db, sql=sql: db.execute(sql))
    assert store.read(audit.verify).intact


def test_an_entry_in_a_failed_transaction_leaves_nothing(store: Store) -> None:
    def change_then_fail(db: object) -> None:
        audit.append(db, ASHA, audit.Action.CHANGE, "patient", "p-1", "", T0)  # type: ignore[arg-type]
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        store.write(change_then_fail)
    assert store.read(lambda db: audit.recent(db)) == []
    assert store.read(outbox.counts)["pending"] == 0
    _fill(store, 1)  # the next entry is still seq 1
    assert [e.seq for e in store.read(audit.recent)] == [1]


def test_a_failed_login_of_an_unknown_name_has_no_actor(store: Store) -> None:
    entry = audit.record(store, None, audit.Action.LOGIN_FAILED, detail="unknown_user", now=T0)
    assert (entry.actor_id, entry.actor_role, entry.action) == ("", "", "login_failed")
    assert store.read(audit.verify).intact


def test_no_patient_data_in_the_trail_or_its_ops(store: Store) -> None:
    p = make_patient("Ramesh Kumar", phone="9876543210", village="Kheri", name_alt="रमेश कुमार")

    def register(db: object) -> None:
        patients.insert(db, p, USER_ID)  # type: ignore[arg-type]
        audit.append(db, ASHA, audit.Action.CREATE, "patient", p.id, "", T0)  # type: ignore[arg-type]

    store.write(register)
    audit.record(store, ASHA, audit.Action.VIEW, "patient", p.id, now=T0)
    audit.record(store, ASHA, audit.Action.PRINT, "patient", p.id, "A4", now=T0)
    rows = store.read(lambda db: db.execute("SELECT * FROM audit_log").fetchall())
    ops = store.read(
        lambda db: db.execute("SELECT payload FROM outbox WHERE op = 'audit.append'").fetchall()
    )
    assert len(rows) == 3 and len(ops) == 3
    text = repr([tuple(r) for r in rows]) + repr([r[0] for r in ops])
    for secret in ("Ramesh", "Kumar", "रमेश", "9876543210", "Kheri", "1980-03-15"):
        assert secret not in text
    assert p.id in text  # which record: its id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("detail", "रमेश कुमार"),
        ("detail", "x" * 121),
        ("entity_id", "Ramesh Kumar"),
        ("entity", "Patient Name"),
        ("action", "peek"),
    ],
)
def test_fields_that_could_carry_patient_data_are_refused(
    store: Store, field: str, value: str
) -> None:
    args = {"action": "view", "entity": "patient", "entity_id": "p-1", "detail": ""}
    args[field] = value
    with pytest.raises(ValueError):
        audit.record(store, ASHA, **args, now=T0)  # type: ignore[arg-type]
    assert store.read(lambda db: audit.recent(db)) == []


def test_upgrading_a_version_4_database_starts_an_empty_chain(tmp_path: Path) -> None:
    path = tmp_path / "spoke.sqlite3"
    conn = sqlite3.connect(path)
    try:
        assert migrate(conn, target=4) == 4
        conn.execute("INSERT INTO settings (key, value) VALUES ('hwc.name', 'HWC Kheri')")
        conn.commit()
    finally:
        conn.close()
    with Store.open(path) as store:
        assert store.schema_version() == LATEST >= 5
        assert store.read(lambda db: settings.get(db, "hwc.name")) == "HWC Kheri"
        chain = store.read(audit.chain_id)
        assert len(chain) == 36
        _fill(store, 2)
        assert store.read(audit.verify).intact
    with Store.open(path) as store:  # opening again keeps the chain id
        assert store.read(audit.chain_id) == chain
        conn = sqlite3.connect(path)
        try:
            assert user_version(conn) == LATEST
        finally:
            conn.close()
