"""Moving a clinic to a new PC: back up, wipe, restore, sync, and every case is at the hub once.

A real encrypted clinic folder enrolled with a real hub over loopback HTTPS; the backup is the
scheduled one (``services.backup_schedule``); the restore and the first sync on the new PC are
``main.py`` subprocesses with the credentials field IT would give. What the hub holds is read
from its own database.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.models import Role, User
from app.services.container import DB_FILE, Services
from app.store import outbox
from tests.cli import run_main
from tests.services.helpers import FAST_LOG_N, FakeClock, draft
from tests.sync.test_end_to_end import make_jpeg, queue_new_case
from tests.tls_hub import TlsHub

ASHA = ("asha", "asha-pass-1")
CREDENTIALS = {"HWC_SPOKE_USER": ASHA[0], "HWC_SPOKE_PASSWORD": ASHA[1]}
DAY = 86400.0


@dataclass
class OldPc:
    """The clinic's PC, and every case made on it, by when."""

    folder: Path
    usb: Path
    photos: Path
    clock: FakeClock
    services: Services | None = None
    asha: User | None = None
    admin: User | None = None
    made: dict[str, list[str]] = field(default_factory=dict)  # label -> case ids
    observations: dict[str, int] = field(default_factory=dict)  # case id -> count
    attachments: dict[str, set[str]] = field(default_factory=dict)  # case id -> sha256s

    def open(self) -> Services:
        self.services = Services.open(
            self.folder, encrypted=True, password_log_n=FAST_LOG_N, clock=self.clock
        )
        return self.services

    def make_cases(self, label: str, n: int, *, photo_every: int = 2) -> list[str]:
        services, asha = self.services, self.asha
        assert services is not None and asha is not None
        ids: list[str] = []
        for i in range(n):
            photo = None
            if i % photo_every == 0:
                photo = make_jpeg(
                    self.photos / f"{label}-{i}.jpg", 96, rng_seed=len(self.made) * 10 + i
                )
            case = queue_new_case(services, asha, photo)
            # A vital after queueing travels as an op of its own.
            services.cases.add_observation(asha, case.id, "8867-4", 88 + i, "/min")
            ids.append(str(case.id))
        self.made[label] = ids
        for cid in ids:
            self.observations[cid], self.attachments[cid] = _spoke_case_facts(services, cid)
        return ids

    def sync(self) -> None:
        assert self.services is not None
        report = self.services.sync.run_once()
        assert report.ok and report.pending_left == 0, report.error

    def close(self) -> None:
        if self.services is not None:
            self.services.close()
            self.services = None


def _spoke_case_facts(services: Services, cid: str) -> tuple[int, set[str]]:
    def read(db: object) -> tuple[int, set[str]]:
        conn = db.conn  # type: ignore[attr-defined]
        n = conn.execute("SELECT count(*) FROM observations WHERE case_id = ?", [cid]).fetchone()
        shas = conn.execute("SELECT sha256 FROM attachments WHERE case_id = ?", [cid]).fetchall()
        return int(n[0]), {str(r[0]) for r in shas}

    return services.store.read(read)


@pytest.fixture
def old_pc(tls_hub: TlsHub, tmp_path: Path) -> Iterator[OldPc]:
    photos = tmp_path / "photos"
    photos.mkdir()
    usb = tmp_path / "usb"
    usb.mkdir()
    pc = OldPc(tmp_path / "old-pc", usb, photos, FakeClock(datetime.now(UTC)))
    services = pc.open()
    try:
        pc.admin = services.auth.create_first_admin("admin", "Field IT", "admin-pass-1")
        services.keys.recovery_key_shown()  # type: ignore[union-attr]
        services.auth.create_user(pc.admin, ASHA[0], "Asha", Role.PARAMEDIC, ASHA[1])
        pc.asha = services.auth.login(*ASHA)
        for name in ("Ramesh Kumaar", "Sunita Devi", "Zorawar Singh"):
            services.patients.register(pc.asha, draft(name))
        services.sync.enrol(None, tls_hub.token("HWC Kheri"))
        services.backup_schedule.set_schedule(pc.admin, usb, 1, keep=7)
        yield pc
    finally:
        pc.close()


def _back_up(pc: OldPc) -> Path:
    """The scheduled backup, as the background check makes it while Asha works."""
    assert pc.services is not None
    outcome = pc.services.backup_schedule.run_if_due()
    assert outcome.result is not None, outcome.error_code
    return outcome.result.path


def _restore_and_sync(backup: Path, new_pc: Path) -> dict[str, object]:
    restored = run_main(
        "restore", str(backup), "--data-dir", str(new_pc), timeout=300, **CREDENTIALS
    )
    assert restored.returncode == 0, restored.stderr
    assert "It opens and checks ok" in restored.stdout
    synced = run_main("sync", "--once", "--data-dir", str(new_pc), timeout=300, **CREDENTIALS)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    report: dict[str, object] = json.loads(synced.stdout)
    assert report["ok"] and report["pending"] == 0, report
    return report


@dataclass(frozen=True)
class HubFacts:
    cases: dict[str, int]  # case id -> rows (always 1: the id is the key)
    observations: dict[str, int]
    attachments: dict[str, set[str]]
    complete_blobs: set[str]
    statuses: dict[str, str]  # case id -> its status at the hub


def _hub_facts(hub: TlsHub) -> HubFacts:
    path = hub.folder / "tls-hub.sqlite3"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        cases = dict(conn.execute("SELECT id, count(*) FROM cases GROUP BY id").fetchall())
        observations = dict(
            conn.execute("SELECT case_id, count(*) FROM observations GROUP BY case_id").fetchall()
        )
        attachments: dict[str, set[str]] = {}
        for cid, sha in conn.execute("SELECT case_id, sha256 FROM attachments"):
            attachments.setdefault(cid, set()).add(sha)
        complete = {r[0] for r in conn.execute("SELECT sha256 FROM blobs WHERE complete = 1")}
        statuses = dict(conn.execute("SELECT id, status FROM cases").fetchall())
    return HubFacts(cases, observations, attachments, complete, statuses)


def _assert_each_once_and_whole(hub: HubFacts, pc: OldPc, case_ids: list[str]) -> None:
    assert set(hub.cases) == set(case_ids)  # nothing missing, nothing extra
    for cid in case_ids:
        assert hub.cases[cid] == 1
        assert hub.statuses[cid] == "at_hub"  # a re-sent queue op changed nothing
        assert hub.observations.get(cid, 0) == pc.observations[cid]
        assert hub.attachments.get(cid, set()) == pc.attachments[cid]
        assert pc.attachments[cid] <= hub.complete_blobs  # the photo's bytes, not only its row


def _pending_on(pc: OldPc) -> int:
    assert pc.services is not None
    return pc.services.store.read(lambda db: outbox.pending_count(db, except_op="audit.append"))


def test_back_up_wipe_restore_sync_every_case_once_at_the_hub(
    old_pc: OldPc, tls_hub: TlsHub, tmp_path: Path
) -> None:
    synced = old_pc.make_cases("synced before the backup", 3)
    old_pc.sync()
    unsent = old_pc.make_cases("never synced on the old PC", 3)
    assert _pending_on(old_pc) >= 3 * 2  # each case's queue op and its vital at least
    backup = _back_up(old_pc)
    old_pc.close()

    shutil.rmtree(old_pc.folder)  # the old PC is gone
    assert not old_pc.folder.exists()
    before = _hub_facts(tls_hub)
    assert set(before.cases) == set(synced)

    new_pc = tmp_path / "new-pc"
    report = _restore_and_sync(backup, new_pc)
    assert (new_pc / DB_FILE).is_file()
    pushed = report["pushed"]
    assert isinstance(pushed, dict) and pushed["rejected"] == 0 and pushed["failed"] == 0

    _assert_each_once_and_whole(_hub_facts(tls_hub), old_pc, synced + unsent)

    # A second round from the new PC changes nothing at the hub (it sends only the audit
    # entry of its own sign-in).
    again = run_main("sync", "--once", "--data-dir", str(new_pc), timeout=300, **CREDENTIALS)
    assert again.returncode == 0, again.stderr
    _assert_each_once_and_whole(_hub_facts(tls_hub), old_pc, synced + unsent)


def test_restoring_an_older_backup_loses_only_what_was_made_after_it_and_never_synced(
    old_pc: OldPc, tls_hub: TlsHub, tmp_path: Path
) -> None:
    synced = old_pc.make_cases("synced before the backup", 2)
    old_pc.sync()
    unsent = old_pc.make_cases("waiting at backup time", 2)
    backup = _back_up(old_pc)
    # The old PC goes on working after the backup: it syncs (the waiting cases reach the hub
    # from the old PC, so the restored outbox sends them a second time), makes more cases
    # and syncs those, and then makes a last few that never leave it.
    old_pc.clock.advance(3600)
    old_pc.sync()
    after_synced = old_pc.make_cases("made after the backup, synced", 2)
    old_pc.sync()
    after_lost = old_pc.make_cases("made after the backup, never synced", 2)
    old_pc.close()
    shutil.rmtree(old_pc.folder)

    new_pc = tmp_path / "new-pc"
    report = _restore_and_sync(backup, new_pc)
    pushed = report["pushed"]
    assert isinstance(pushed, dict) and pushed["duplicate"] >= 2 * 2  # the waiting cases' ops

    hub = _hub_facts(tls_hub)
    _assert_each_once_and_whole(hub, old_pc, synced + unsent + after_synced)
    # Necessarily missing: made after the backup and never synced, so they were only ever on
    # the old PC. This is what a scheduled backup bounds.
    assert set(after_lost).isdisjoint(hub.cases)
    assert set(old_pc.made["made after the backup, never synced"]) == set(after_lost)
    # The restored PC holds what the backup held: the cases made after it are not there.
    with Services.open(new_pc, encrypted=True, password_log_n=FAST_LOG_N) as restored:
        restored.auth.login(*ASHA)
        on_new_pc = restored.store.read(
            lambda db: {str(r[0]) for r in db.execute("SELECT id FROM cases").fetchall()}
        )
    assert on_new_pc == set(synced + unsent)
