"""Scheduled backups (app.services.backup_schedule): a real encrypted folder, real backup files
in real folders, a clock the test drives, and the real background thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.domain.errors import DomainError
from app.domain.models import Role, User
from app.services.backup_schedule import (
    KEY_EVERY_DAYS,
    KEY_FOLDER,
    KEY_KEEP,
    RunOutcome,
)
from app.services.container import Services
from app.store import audit, settings
from app.sync.credentials import KEY_SPOKE_ID
from tests.polling import wait_until
from tests.services.helpers import FAST_LOG_N, FakeClock, draft

DAY = 86400.0


@dataclass
class Clinic:
    services: Services
    clock: FakeClock
    admin: User
    asha: User
    usb: Path


def _spoke_id(services: Services, spoke_id: str) -> None:
    services.store.write(lambda db: settings.put(db, KEY_SPOKE_ID, spoke_id))


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    services = Services.open(
        tmp_path / "clinic", encrypted=True, password_log_n=FAST_LOG_N, clock=clock
    )
    try:
        admin = services.auth.create_first_admin("admin", "Field IT", "admin-pass-1")
        services.keys.recovery_key_shown()  # type: ignore[union-attr]
        services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "asha-pass-1")
        asha = services.auth.login("asha", "asha-pass-1")
        services.patients.register(asha, draft("Zorawar Schedulesingh"))
        _spoke_id(services, "spoke-kheri")
        usb = tmp_path / "usb"
        usb.mkdir()
        yield Clinic(services, clock, admin, asha, usb)
    finally:
        services.close()


def _ours(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("hwc-spoke-backup-*.hwcbak"))


def test_nothing_runs_until_an_administrator_sets_a_schedule(clinic: Clinic) -> None:
    outcome = clinic.services.backup_schedule.run_if_due()
    assert not outcome.ran and not outcome.state.schedule.on
    assert list(clinic.usb.iterdir()) == []


def test_only_an_administrator_sets_the_schedule_and_each_change_is_in_the_trail(
    clinic: Clinic,
) -> None:
    schedule = clinic.services.backup_schedule
    with pytest.raises(DomainError) as err:
        schedule.set_schedule(clinic.asha, clinic.usb, 1)
    assert err.value.code == "permission.denied"
    state = schedule.set_schedule(clinic.admin, clinic.usb, 1, 5)
    assert state.schedule.on and state.schedule.folder == clinic.usb
    assert (state.schedule.every_days, state.schedule.keep) == (1, 5)
    entries = clinic.services.store.read(lambda db: audit.recent(db, 3))
    assert {(e.action, e.entity_id, e.detail) for e in entries} == {
        ("settings_change", KEY_EVERY_DAYS, "1"),
        ("settings_change", KEY_KEEP, "5"),
        ("settings_change", KEY_FOLDER, "set"),  # never the path
    }
    assert all(e.actor_id == clinic.admin.id for e in entries)
    # Switching it off keeps the folder for next time; only what changed is recorded.
    off = schedule.set_schedule(clinic.admin, clinic.usb, 0, 5)
    assert not off.schedule.on
    (last,) = clinic.services.store.read(lambda db: audit.recent(db, 1))
    assert (last.entity_id, last.detail) == (KEY_EVERY_DAYS, "0")


@pytest.mark.parametrize(
    ("every", "keep", "folder", "code"),
    [
        (31, 7, "usb", "backup.every_days_range"),
        (-1, 7, "usb", "backup.every_days_range"),
        (1, 0, "usb", "backup.keep_range"),
        (1, 101, "usb", "backup.keep_range"),
        (1, 7, None, "backup.folder_required"),
        (1, 7, "not-there", "backup.folder_missing"),
    ],
)
def test_a_bad_schedule_is_refused_and_nothing_is_stored(
    clinic: Clinic, every: int, keep: int, folder: str | None, code: str
) -> None:
    target = None if folder is None else clinic.usb.parent / folder
    with pytest.raises(DomainError) as err:
        clinic.services.backup_schedule.set_schedule(clinic.admin, target, every, keep)
    assert err.value.code == code
    assert not clinic.services.backup_schedule.state().schedule.on


def test_a_due_backup_runs_while_a_paramedic_works_recorded_as_scheduled(clinic: Clinic) -> None:
    schedule = clinic.services.backup_schedule
    schedule.set_schedule(clinic.admin, clinic.usb, 1)
    # Asha is the one signed in; the run needs no permission of hers.
    outcome = schedule.run_if_due()
    assert outcome.ran and outcome.result is not None and not outcome.error_code
    assert _ours(clinic.usb) == [outcome.result.path.name]
    entry = clinic.services.store.read(lambda db: audit.recent(db, 1))[0]
    assert (entry.action, entry.actor_id, entry.actor_role) == ("backup", clinic.admin.id, "admin")
    assert entry.detail.endswith(" scheduled") and "patients=1" in entry.detail
    state = schedule.state()
    assert state.last_success_at == clinic.clock.now
    assert state.last_success_file == outcome.result.path.name and not state.failing


def test_every_n_days_counts_calendar_days(clinic: Clinic) -> None:
    schedule = clinic.services.backup_schedule
    schedule.set_schedule(clinic.admin, clinic.usb, 3)
    assert schedule.run_if_due().ran
    clinic.clock.advance(2 * DAY)
    assert not schedule.run_if_due().ran
    clinic.clock.advance(DAY - 3600)  # the third day, an hour earlier than the last one
    assert schedule.run_if_due().ran
    assert len(_ours(clinic.usb)) == 2


def test_a_missing_drive_is_recorded_and_tried_again_at_the_next_check(clinic: Clinic) -> None:
    schedule = clinic.services.backup_schedule
    schedule.set_schedule(clinic.admin, clinic.usb, 1)
    first = schedule.run_if_due()
    assert first.result is not None
    clinic.clock.advance(DAY)
    clinic.usb.rename(clinic.usb.with_name("usb-unplugged"))
    heard: list[RunOutcome] = []
    schedule.add_listener(heard.append)

    missing = schedule.run_if_due()
    assert missing.ran and missing.error_code == "backup.folder_missing"
    state = schedule.state()
    assert state.failing and state.last_failure_at == clinic.clock.now
    assert state.last_success_at == first.result.info.created_at  # kept: it says how old
    assert heard == [missing]

    clinic.clock.advance(300)
    assert schedule.run_if_due().error_code == "backup.folder_missing"  # still due, still gone
    clinic.usb.with_name("usb-unplugged").rename(clinic.usb)
    clinic.clock.advance(300)
    back = schedule.run_if_due()
    assert back.ran and back.result is not None and not back.error_code
    assert not schedule.state().failing and len(_ours(clinic.usb)) == 2


def test_a_full_drive_is_refused_before_anything_is_written(clinic: Clinic) -> None:
    schedule = clinic.services.backup_schedule
    schedule._disk_usage = lambda _folder: SimpleNamespace(free=1000)
    schedule.set_schedule(clinic.admin, clinic.usb, 1)
    outcome = schedule.run_if_due()
    assert outcome.error_code == "backup.disk_full"
    assert list(clinic.usb.iterdir()) == []
    assert schedule.state().last_error_code == "backup.disk_full"


def test_rotation_keeps_the_newest_of_this_clinic_and_touches_nothing_else(clinic: Clinic) -> None:
    services, schedule = clinic.services, clinic.services.backup_schedule
    # Another clinic's backup on the same drive (made here under another spoke id), a damaged
    # file with our name, and a file that is not a backup at all.
    _spoke_id(services, "spoke-other")
    other = services.backup.create(clinic.admin, clinic.usb).path
    _spoke_id(services, "spoke-kheri")
    damaged = clinic.usb / "hwc-spoke-backup-20200101T000000Z.hwcbak"
    damaged.write_bytes(b"not a zip")
    notes = clinic.usb / "notes.txt"
    notes.write_text("field IT visit log")

    schedule.set_schedule(clinic.admin, clinic.usb, 1, keep=2)
    made: list[str] = []
    for _ in range(4):
        clinic.clock.advance(DAY)
        outcome = schedule.run_if_due()
        assert outcome.result is not None
        made.append(outcome.result.path.name)
    assert sorted(p.name for p in clinic.usb.iterdir()) == sorted(
        [*made[-2:], other.name, damaged.name, notes.name]
    )


def test_a_pc_not_enrolled_removes_no_backups(clinic: Clinic) -> None:
    _spoke_id(clinic.services, "")
    schedule = clinic.services.backup_schedule
    schedule.set_schedule(clinic.admin, clinic.usb, 1, keep=1)
    for _ in range(3):
        clinic.clock.advance(DAY)
        assert schedule.run_if_due().result is not None
    assert len(_ours(clinic.usb)) == 3


def test_the_worker_makes_the_due_backup_in_the_background_and_stops(clinic: Clinic) -> None:
    schedule = clinic.services.backup_schedule
    done = threading.Event()
    threads: list[str] = []

    def heard(outcome: RunOutcome) -> None:
        threads.append(threading.current_thread().name)
        done.set()

    schedule.add_listener(heard)
    schedule.set_schedule(clinic.admin, clinic.usb, 1)
    schedule.start_worker(check_seconds=0.05, first_check_seconds=0)
    assert done.wait(60)
    assert threads == ["backup-scheduler"] and len(_ours(clinic.usb)) == 1
    schedule.stop_worker(timeout=10)
    assert not schedule.worker_running
    clinic.clock.advance(DAY)  # due again, but nobody is checking any more
    assert wait_until(lambda: not any(t.name == "backup-scheduler" for t in threading.enumerate()))
    assert len(_ours(clinic.usb)) == 1


def test_stopping_during_a_backup_cancels_it_and_records_no_failure(clinic: Clinic) -> None:
    schedule = clinic.services.backup_schedule
    schedule.set_schedule(clinic.admin, clinic.usb, 1)
    stop = threading.Event()
    stop.set()  # as at sign-out: the cancel is seen at the first step
    outcome = schedule.run_if_due(cancel=stop)
    assert not outcome.ran
    assert list(clinic.usb.iterdir()) == []
    assert not schedule.state().failing


# -- the doctor's "Scheduled backups" check ------------------------------------------------------


def _doctor(clinic: Clinic) -> tuple[str, str, dict[str, str]]:
    check = clinic.services.diagnostics.run(offline=True).check("backups")
    return check.verdict.value, check.code, dict(check.params)


def test_the_doctor_follows_the_schedule_from_unset_to_overdue(clinic: Clinic) -> None:
    schedule = clinic.services.backup_schedule
    assert _doctor(clinic)[:2] == ("warning", "doctor.backup_none")

    schedule.set_schedule(clinic.admin, clinic.usb, 1, keep=4)
    assert _doctor(clinic)[:2] == ("ok", "doctor.backup_first")

    assert schedule.run_if_due().result is not None
    verdict, code, params = _doctor(clinic)
    assert (verdict, code) == ("ok", "doctor.backup_ok")
    assert params["folder"] == str(clinic.usb) and params["keep"] == "4"
    assert params["last_success"] == "2026-03-02 09:00 UTC"

    clinic.clock.advance(DAY)
    clinic.usb.rename(clinic.usb.with_name("usb-unplugged"))
    assert schedule.run_if_due().error_code == "backup.folder_missing"
    verdict, code, params = _doctor(clinic)
    assert (verdict, code) == ("warning", "doctor.backup_failing")
    assert params["error_code"] == "backup.folder_missing"

    clinic.clock.advance(2 * DAY)  # three days without a backup, set for every day
    verdict, code, params = _doctor(clinic)
    assert (verdict, code) == ("problem", "doctor.backup_overdue")
    assert params["last_success"] == "2026-03-02 09:00 UTC"


def test_the_doctor_does_not_check_backups_of_a_plaintext_folder(tmp_path: Path) -> None:
    with Services.open(tmp_path / "plain", password_log_n=FAST_LOG_N) as services:
        check = services.diagnostics.run(offline=True).check("backups")
    assert (check.verdict.value, check.code) == ("unknown", "doctor.backup_unavailable")


def test_a_backup_that_does_not_read_back_whole_is_removed_and_rotates_nothing_away(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import backup_schedule

    schedule = clinic.services.backup_schedule
    schedule.set_schedule(clinic.admin, clinic.usb, 1, keep=1)
    good = schedule.run_if_due().result
    assert good is not None
    real_verify = backup_schedule.verify

    def damaged_on_the_drive(path: Path, *, cancel: object = None) -> object:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF  # a flaky USB stick: one byte is not what was written
        path.write_bytes(bytes(data))
        return real_verify(path, cancel=cancel)  # type: ignore[arg-type]

    monkeypatch.setattr(backup_schedule, "verify", damaged_on_the_drive)
    clinic.clock.advance(DAY)
    outcome = schedule.run_if_due()
    assert outcome.error_code == "backup.damaged"
    assert _ours(clinic.usb) == [good.path.name]  # the bad one gone, the good one kept
    assert schedule.state().last_success_file == good.path.name


def test_a_clock_set_back_does_not_stop_the_backups(clinic: Clinic) -> None:
    schedule = clinic.services.backup_schedule
    schedule.set_schedule(clinic.admin, clinic.usb, 1)
    clinic.clock.advance(40 * DAY)  # a PC whose date was wrong, a month ahead
    assert schedule.run_if_due().result is not None
    clinic.clock.advance(-40 * DAY)  # put right: the last backup now looks a month away
    assert schedule.run_if_due().result is not None
    assert not schedule.run_if_due().ran  # and then daily again
