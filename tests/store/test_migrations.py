"""Upgrading a database saved by release 1 (the committed fixture) loses nothing and makes
its patients searchable."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.domain.ids import CaseId, PatientId
from app.domain.models import ConsentMethod, ObservationSource
from app.store import cases, observations, outbox, patients, settings
from app.store.db import Store
from app.store.migrations import LATEST, migrate, user_version

FIXTURE = Path(__file__).parent / "fixtures" / "spoke_v1.sqlite3"
CASE = CaseId("01900000-0000-7000-8000-0000000000c1")
RAMESH = PatientId("01900000-0000-7000-8000-0000000000a1")
SITA = PatientId("01900000-0000-7000-8000-0000000000a2")
ANIL = PatientId("01900000-0000-7000-8000-0000000000a3")


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = ["users", "patients", "cases", "observations", "outbox", "settings"]
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    path = tmp_path / "spoke.sqlite3"
    shutil.copy(FIXTURE, path)
    return path


def test_the_fixture_is_at_version_1() -> None:
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert user_version(conn) == 1
        assert conn.execute("SELECT COUNT(*) FROM patients").fetchone()[0] == 3
    finally:
        conn.close()


def test_upgrading_v1_keeps_every_row(v1: Path) -> None:
    before = _counts(v1)
    with Store.open(v1) as store:
        assert store.schema_version() == LATEST
    assert _counts(v1) == before


def test_upgraded_records_read_back_whole(v1: Path) -> None:
    with Store.open(v1) as store:
        ramesh = store.read(lambda db: patients.get(db, RAMESH))
        assert ramesh is not None
        assert (ramesh.name, ramesh.name_alt, ramesh.phone) == (
            "Ramesh Kumar",
            "रमेश कुमार",
            "9876543210",
        )
        sita = store.read(lambda db: patients.get(db, SITA))
        assert sita is not None and sita.birth_date_estimated
        case = store.read(lambda db: cases.get(db, CASE))
        assert case is not None and case.consent is not None
        assert case.consent.method is ConsentMethod.VERBAL
        assert case.chief_complaint == "बुखार और खांसी 3 दिन से"
        obs = store.read(lambda db: observations.for_case(db, CASE))
        assert len(obs) == 4
        device = [o for o in obs if o.source is ObservationSource.DEVICE]
        assert [o.raw for o in device] == [b"\x02SPO2=96\x03"]
        assert store.read(lambda db: settings.get(db, "hwc.name")) == "HWC Kheri"
        assert store.read(outbox.counts)["pending"] == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ramesh", {RAMESH}),
        ("रमेश", {RAMESH}),
        ("कुमा", {RAMESH}),
        ("sita", {SITA}),
        ("सीता", {SITA}),
        ("खेड़ी", {SITA}),
        ("ram", {RAMESH, ANIL}),  # Rampur is Anil's village
        ("राम", {SITA}),  # Sita's guardian, राम प्रसाद
        ("9123", {SITA}),
        ("1234567", {RAMESH}),
    ],
)
def test_upgraded_patients_are_searchable(v1: Path, query: str, expected: set[str]) -> None:
    with Store.open(v1) as store:
        found = {p.id for p in store.read(lambda db: patients.search(db, query))}
    assert found == expected


def test_new_writes_after_upgrade_continue_the_outbox_sequence(v1: Path) -> None:
    from tests.store.conftest import USER_ID, make_patient

    with Store.open(v1) as store:
        p = make_patient("Kamla Devi")
        store.write(lambda db: patients.insert(db, p, USER_ID))
        ops = store.read(lambda db: outbox.for_entity(db, p.id))
        assert [o.seq for o in ops] == [4]
        assert [x.name for x in store.read(lambda db: patients.search(db, "kam"))] == ["Kamla Devi"]


def test_migrate_step_by_step_records_each_version(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.sqlite3")
    try:
        assert migrate(conn, target=1) == 1
        assert user_version(conn) == 1
        assert "patients_fts" not in {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master").fetchall()
        }
        assert migrate(conn) == LATEST
        assert migrate(conn) == LATEST  # idempotent
    finally:
        conn.close()
