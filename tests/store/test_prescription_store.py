"""The prescription tables (migration 4) and their repositories: the schema refuses values
the app never writes, the inbox and follow-up lists use their indexes, corrections resolve to
the latest-issued one, dispensing keeps the latest status per item, threads read in order."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.store import case_messages, dispensing
from app.store import prescriptions as rx_repo
from app.store.case_messages import CaseMessage
from app.store.db import Store
from app.store.dispensing import DispenseStatus, ItemDispensing
from app.store.errors import StoreError
from app.store.migrations import migrate, user_version
from app.store.prescriptions import RxState, StoredPrescription, Verification
from tests.store.conftest import T0


def _rx(rid: str, *, hours: int = 0, **kw: object) -> StoredPrescription:
    base = StoredPrescription(
        id=rid,
        case_id="case-1",
        patient_id=None,
        patient_name="Sita Devi",
        prescriber_name="Dr. Anil Sharma",
        item_count=2,
        canonical=b"{}",
        signature=bytes(64),
        key_id="0123456789abcdef",
        certificate="cert",
        issued_at=T0 + timedelta(hours=hours),
        follow_up=date(2026, 12, 1),
        verified_at=T0,
        received_at=T0,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_migration_4_adds_the_tables_to_a_version_3_database(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.sqlite3")
    try:
        assert migrate(conn, target=3) == 3
        migrate(conn)
        assert user_version(conn) >= 4
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master").fetchall()}
        assert {"prescriptions", "prescription_dispensing", "case_messages"} <= names
        assert {"idx_prescriptions_inbox", "idx_prescriptions_follow_up"} <= names
    finally:
        conn.close()


def test_the_lists_use_their_indexes(store: Store) -> None:
    def plans(db: object) -> tuple[str, str]:
        conn = db.conn  # type: ignore[attr-defined]
        inbox = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM prescriptions WHERE state IN ('new') "
            "ORDER BY issued_at"
        ).fetchall()
        follow = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM prescriptions WHERE follow_up IS NOT NULL "
            "AND superseded_by IS NULL AND verification = 'valid' AND follow_up < '2027-01-01'"
        ).fetchall()
        return " ".join(str(r[-1]) for r in inbox), " ".join(str(r[-1]) for r in follow)

    inbox, follow = store.read(plans)
    assert "idx_prescriptions_inbox" in inbox
    assert "idx_prescriptions_follow_up" in follow


def test_insert_is_once_per_id_and_reads_back_whole(store: Store) -> None:
    original = _rx("rx-1", verification=Verification.EXPIRED, verification_reason="late")
    assert store.write(lambda db: rx_repo.insert(db, original)) is True
    assert store.write(lambda db: rx_repo.insert(db, replace(original, key_id="other"))) is False
    got = store.read(lambda db: rx_repo.get(db, "rx-1"))
    assert got == replace(original, updated_at=T0)


def test_the_schema_refuses_a_verdict_or_state_the_app_never_writes(store: Store) -> None:
    store.write(lambda db: rx_repo.insert(db, _rx("rx-1")))
    with pytest.raises(StoreError, match="CHECK constraint"):
        store.write(lambda db: db.execute("UPDATE prescriptions SET state = 'lost'"))
    with pytest.raises(StoreError, match="CHECK constraint"):
        store.write(lambda db: db.execute("UPDATE prescriptions SET verification = 'maybe'"))
    got = store.read(lambda db: rx_repo.get(db, "rx-1"))
    assert got is not None and got.state is RxState.NEW and got.valid


def test_the_inbox_is_newest_first_and_filters_by_state(store: Store) -> None:
    store.write(lambda db: [rx_repo.insert(db, _rx(f"rx-{h}", hours=h)) for h in range(3)])
    store.write(lambda db: rx_repo.set_state(db, "rx-1", RxState.QUERIED, T0))
    ids = [r.prescription.id for r in store.read(lambda db: rx_repo.inbox(db))]
    assert ids == ["rx-2", "rx-1", "rx-0"]
    queried = store.read(lambda db: rx_repo.inbox(db, [RxState.QUERIED]))
    assert [r.prescription.id for r in queried] == ["rx-1"]
    # A case this PC does not hold: the prescription's own patient name is shown.
    assert queried[0].patient_display == "Sita Devi" and queried[0].case_status is None


def test_the_latest_issued_correction_is_the_current_one(store: Store) -> None:
    rows = [_rx("old"), _rx("fix-late", hours=5), _rx("fix-early", hours=2)]
    store.write(lambda db: [rx_repo.insert(db, r) for r in rows])
    assert store.write(lambda db: rx_repo.mark_superseded(db, "old", "fix-late", T0)) is True
    # An earlier-issued correction arriving later does not displace the later one.
    assert store.write(lambda db: rx_repo.mark_superseded(db, "old", "fix-early", T0)) is False
    got = store.read(lambda db: rx_repo.get(db, "old"))
    assert got is not None and got.superseded_by == "fix-late"


def test_follow_ups_skip_superseded_and_invalid_ones(store: Store) -> None:
    store.write(lambda db: rx_repo.insert(db, _rx("a", follow_up=date(2026, 11, 30))))
    store.write(lambda db: rx_repo.insert(db, _rx("b", follow_up=date(2026, 11, 29), hours=1)))
    store.write(
        lambda db: rx_repo.insert(
            db, _rx("c", follow_up=date(2026, 11, 28), verification=Verification.TAMPERED)
        )
    )
    store.write(lambda db: rx_repo.mark_superseded(db, "b", "a", T0))
    rows = store.read(lambda db: rx_repo.follow_ups(db, date(2026, 12, 1)))
    assert [r.prescription_id for r in rows] == ["a"]
    assert store.read(lambda db: rx_repo.follow_ups(db, date(2026, 11, 30))) == []


def test_dispensing_keeps_the_latest_status_per_item(store: Store) -> None:
    store.write(lambda db: rx_repo.insert(db, _rx("rx-1")))
    first = ItemDispensing("rx-1", 0, DispenseStatus.PARTLY, 4, "rest later", "u1", "Dr Rao", T0)
    store.write(lambda db: dispensing.put(db, first))
    later = replace(
        first, status=DispenseStatus.DISPENSED, quantity=9, note="", at=T0 + timedelta(1)
    )
    store.write(lambda db: dispensing.put(db, later))
    assert store.read(lambda db: dispensing.for_prescription(db, "rx-1")) == {0: later}
    assert later.settled and not first.settled


def test_a_thread_reads_oldest_first_and_each_message_once(store: Store) -> None:
    def msg(mid: str, minutes: int) -> CaseMessage:
        return CaseMessage(
            mid, "case-1", None, "in", "", "Dr. Sharma", "specialist", "Hello",
            T0 + timedelta(minutes=minutes), T0,
        )  # fmt: skip

    assert store.write(lambda db: case_messages.insert(db, msg("m2", 5))) is True
    assert store.write(lambda db: case_messages.insert(db, msg("m1", 1))) is True
    assert store.write(lambda db: case_messages.insert(db, msg("m1", 1))) is False
    thread = store.read(lambda db: case_messages.for_case(db, "case-1"))
    assert [m.id for m in thread] == ["m1", "m2"]
