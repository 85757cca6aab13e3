"""Saved work survives a killed process, and store failures reach the caller unchanged."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlite_utils import Database

from app.domain.models import Sex
from app.services.container import BLOB_DIR, DB_FILE, Services
from app.store.blobs import BlobStore
from app.store.db import Store
from app.store.errors import DatabaseLockedError, DiskFullError
from tests.services.helpers import FAST_LOG_N, PASSWORD, FakeClock, Staff, draft

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from app.domain.ids import CaseId
    from app.services.container import Services

    data_dir, case_id, password, log_n = sys.argv[1:5]
    services = Services.open(Path(data_dir), password_log_n=int(log_n))
    user = services.auth.login("asha", password)
    services.cases.save_draft(user, CaseId(case_id), chief_complaint="Saved before the crash")
    print("saved", flush=True)
    time.sleep(600)  # killed long before this ends; nothing is closed cleanly
    """
)


@pytest.mark.slow
def test_draft_saved_by_a_killed_process_is_there_on_reopen(
    data_dir: Path, clock: FakeClock, services: Services, staff: Staff
) -> None:
    patient = services.patients.register(staff.paramedic, draft("Sita Devi", sex=Sex.FEMALE))
    case = services.cases.start(staff.paramedic, patient.id)
    services.close()

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), case.id, PASSWORD, str(FAST_LOG_N)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "saved", child.stderr.read() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL

    with Services.open(data_dir, clock=clock) as again:
        drafts = again.cases.drafts(staff.paramedic)
        assert [d.case.chief_complaint for d in drafts] == ["Saved before the crash"]


def test_disk_full_surfaces_unchanged_and_earlier_data_is_intact(
    data_dir: Path, clock: FakeClock, services: Services, staff: Staff
) -> None:
    user = staff.paramedic
    patient = services.patients.register(user, draft("Sita Devi", sex=Sex.FEMALE))
    case = services.cases.start(user, patient.id)
    services.cases.save_draft(user, case.id, chief_complaint="Headache")

    def fill_disk(db: Database) -> None:
        # The writer connection may not grow the file past its current size: the next
        # write needing a new page fails exactly as on a full disk (SQLITE_FULL).
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {int(pages)}")

    services.store.write(fill_disk)
    with pytest.raises(DiskFullError) as info:
        services.cases.save_draft(user, case.id, history="x" * 200_000)
    assert info.value.code == "store.disk_full"
    assert info.value.params["path"].endswith(DB_FILE)
    # The failed save left the earlier one untouched, in this session and after a restart.
    assert services.cases.detail(user, case.id).case.history == ""
    services.close()
    with Services.open(data_dir, clock=clock) as again:
        kept = again.cases.detail(user, case.id).case
        assert (kept.chief_complaint, kept.history) == ("Headache", "")
        assert again.patients.get(user, patient.id).name == "Sita Devi"


def test_locked_database_surfaces_unchanged(
    data_dir: Path, clock: FakeClock, services: Services, staff: Staff
) -> None:
    user = staff.paramedic
    patient = services.patients.register(user, draft("Sita Devi", sex=Sex.FEMALE))
    case = services.cases.start(user, patient.id)
    services.close()

    impatient = Services(
        Store.open(data_dir / DB_FILE, busy_timeout_ms=50), BlobStore(data_dir / BLOB_DIR), clock
    )
    other = sqlite3.connect(data_dir / DB_FILE, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        with pytest.raises(DatabaseLockedError) as info:
            impatient.cases.save_draft(user, case.id, chief_complaint="Cough")
        assert info.value.code == "store.locked"
        other.execute("ROLLBACK")
        saved = impatient.cases.save_draft(user, case.id, chief_complaint="Cough")
        assert saved.chief_complaint == "Cough"
    finally:
        other.close()
        impatient.close()
