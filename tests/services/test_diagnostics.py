"""Diagnostics on real data folders: new, plaintext, encrypted and locked, damaged, enrolled
with a real hub over HTTPS on loopback (up, down, another certificate, a wrong clock)."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.domain import diagnostics as rules
from app.domain.diagnostics import CHECK_KEYS, Verdict
from app.domain.models import User
from app.services.container import Services
from app.services.diagnostics import DiagnosticsService, Report, updates_check
from app.services.seed import seed
from app.sync import credentials
from hub.app import create_app
from hub.server import hub_identity, start_in_thread
from hub.storage import open_store
from tests.services.helpers import FAST_LOG_N, PASSWORD, FakeClock, Staff, draft
from tests.tls_hub import TlsHub, running_tls_hub

GB = 1_000_000_000


def free_space(free: int) -> object:
    """``shutil.disk_usage``'s answer for a drive with ``free`` bytes left."""
    return lambda _path: SimpleNamespace(free=free, total=500 * GB, used=500 * GB - free)


@pytest.fixture
def tls_hub(tmp_path: Path) -> Iterator[TlsHub]:
    with running_tls_hub(tmp_path) as hub:
        yield hub


def enrolled(services: Services, hub: TlsHub) -> None:
    services.sync.enrol(None, hub.token("HWC Kheri"))


def run(services: Services, **kwargs: object) -> Report:
    return services.diagnostics.run(**kwargs)  # type: ignore[arg-type]


# -- folders -------------------------------------------------------------------------------------


def test_a_folder_with_no_database_is_reported_and_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    report = DiagnosticsService(folder, None, disk_usage=free_space(50 * GB)).run()
    assert [c.key for c in report.checks] == list(CHECK_KEYS)
    assert report.check("disk").verdict is Verdict.OK
    assert report.check("database").code == "doctor.db_none"
    assert report.check("encryption").code == "doctor.enc_new"
    assert report.check("enrolment").code == "doctor.not_enrolled"
    assert report.check("hub").verdict is Verdict.UNKNOWN
    assert report.check("versions").params["app"]
    assert report.exit_code == rules.EXIT_WARNING
    assert list(folder.iterdir()) == []  # nothing made


def test_a_folder_that_does_not_exist_says_so_and_measures_its_drive(tmp_path: Path) -> None:
    report = DiagnosticsService(tmp_path / "not" / "there", None).run()
    disk = report.check("disk")
    assert disk.code == "doctor.folder_missing" and disk.verdict is Verdict.WARNING
    assert disk.data["free_bytes"] > 0
    assert not (tmp_path / "not").exists()


@pytest.mark.parametrize(
    ("free", "verdict", "code"),
    [
        (499_000_000, Verdict.PROBLEM, "doctor.disk_very_low"),
        (1_500_000_000, Verdict.WARNING, "doctor.disk_low"),
        (2_000_000_000, Verdict.OK, "doctor.disk_ok"),
    ],
)
def test_free_disk_thresholds(services: Services, free: int, verdict: Verdict, code: str) -> None:
    service = DiagnosticsService(
        services.store.path.parent, services.store, disk_usage=free_space(free)
    )
    disk = service.run(offline=True).check("disk")
    assert (disk.verdict, disk.code) == (verdict, code)
    assert disk.data["free_bytes"] == free
    assert disk.params["free"] in ("499 MB", "1.5 GB", "2.0 GB")


def test_a_healthy_plaintext_folder_passes_its_integrity_check(
    services: Services, staff: Staff
) -> None:
    services.patients.register(staff.paramedic, draft())
    report = run(services, offline=True)
    db = report.check("database")
    assert db.verdict is Verdict.OK and db.code == "doctor.db_ok"
    assert db.data["schema_version"] >= 5
    assert report.check("encryption").code == "doctor.enc_off"  # signs in: encrypted then
    assert report.check("hub").code == "doctor.hub_not_enrolled"


def damage_an_index(db_path: Path) -> None:
    """Overwrite the root page of an index the app does not read at start-up."""
    conn = sqlite3.connect(db_path)
    try:
        root = conn.execute(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'idx_patients_phone'"
        ).fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    with open(db_path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * 64)


def test_a_damaged_page_is_a_problem_with_sqlites_words(data_dir: Path) -> None:
    with Services.open(data_dir, password_log_n=FAST_LOG_N) as services:
        seed(services, patients=300, cases=5)
    damage_an_index(data_dir / "spoke.sqlite3")
    with Services.open(data_dir, password_log_n=FAST_LOG_N) as services:
        report = run(services, offline=True)
    db = report.check("database")
    assert db.verdict is Verdict.PROBLEM and db.code == "doctor.db_damaged"
    assert db.advice_code == "doctor.advice.restore_backup"
    assert "Page" in db.params["first_error"]
    assert report.exit_code == rules.EXIT_PROBLEM


def test_the_integrity_check_stops_when_cancelled_and_says_so(data_dir: Path) -> None:
    with Services.open(data_dir, password_log_n=FAST_LOG_N) as services:
        seed(services, patients=300, cases=5)
        cancel = threading.Event()
        cancel.set()
        db = run(services, offline=True, cancel=cancel).check("database")
        assert (db.verdict, db.code) == (Verdict.UNKNOWN, "doctor.db_check_stopped")
        # The connection it used is back in the pool without the stop: reads work.
        assert services.store.read(lambda d: d.execute("SELECT count(*) FROM patients").fetchone())
        again = run(services, offline=True).check("database")
        assert again.code == "doctor.db_ok"


def test_a_database_that_would_not_open_is_a_problem(data_dir: Path) -> None:
    error = type("Damaged", (Exception,), {"code": "store.corrupt"})()
    (data_dir / "spoke.sqlite3").write_bytes(b"not a database at all" * 300)
    report = DiagnosticsService(data_dir, None, open_error=error).run()
    db = report.check("database")
    assert (db.verdict, db.params["error_code"]) == (Verdict.PROBLEM, "store.corrupt")
    assert report.check("sync").code == "doctor.no_database"


# -- encryption -----------------------------------------------------------------------------------


@pytest.fixture
def encrypted_folder(data_dir: Path) -> Path:
    with Services.open(data_dir, encrypted=True, password_log_n=FAST_LOG_N) as services:
        services.auth.create_first_admin("admin", "Field IT", PASSWORD)
        assert services.keys is not None
        services.keys.recovery_key_shown()
    return data_dir


def test_a_locked_folder_gives_what_it_can_and_asks_for_a_sign_in(encrypted_folder: Path) -> None:
    with Services.open(encrypted_folder, encrypted=True, password_log_n=FAST_LOG_N) as services:
        assert services.store.is_locked
        report = run(services)
    enc = report.check("encryption")
    assert (enc.verdict, enc.code) == (Verdict.WARNING, "doctor.enc_locked")
    assert enc.params == {"users": "1"} and enc.data["sqlcipher"] is True
    for key in ("database", "enrolment", "hub", "clock", "sync"):
        assert report.check(key).code == "doctor.locked", key
        assert report.check(key).advice_code == "doctor.advice.unlock"
    assert report.check("devices").code == "doctor.devices_ports_only"
    assert report.check("disk").verdict is not Verdict.UNKNOWN
    assert report.exit_code >= rules.EXIT_WARNING


def test_an_unlocked_encrypted_folder_checks_everything(encrypted_folder: Path) -> None:
    with Services.open(encrypted_folder, encrypted=True, password_log_n=FAST_LOG_N) as services:
        services.auth.login("admin", PASSWORD)
        report = run(services, offline=True)
    enc = report.check("encryption")
    assert (enc.verdict, enc.code) == (Verdict.OK, "doctor.enc_on")
    assert enc.data == {
        "key_file": True,
        "password_slots": 1,
        "recovery_slot": True,
        "recovery_key_shown": True,
        "sqlcipher": True,
        "locked": False,
    }
    assert report.check("database").code == "doctor.db_ok"


def test_a_recovery_key_nobody_has_seen_is_a_warning(data_dir: Path) -> None:
    with Services.open(data_dir, encrypted=True, password_log_n=FAST_LOG_N) as services:
        services.auth.create_first_admin("admin", "Field IT", PASSWORD)
        enc = run(services, offline=True).check("encryption")
    assert enc.code == "doctor.enc_recovery_not_shown"
    assert enc.advice_code == "doctor.advice.show_recovery_key"


def test_a_damaged_key_file_is_a_problem(encrypted_folder: Path) -> None:
    (encrypted_folder / "keyslots.json").write_text("{ not json", encoding="utf-8")
    enc = DiagnosticsService(encrypted_folder, None).run().check("encryption")
    assert (enc.verdict, enc.code) == (Verdict.PROBLEM, "doctor.enc_key_file_damaged")


# -- the hub and the clock -----------------------------------------------------------------------


def test_an_enrolled_pc_reaches_its_hub_over_the_pinned_certificate(
    services: Services, tls_hub: TlsHub
) -> None:
    enrolled(services, tls_hub)
    report = run(services)
    enrolment = report.check("enrolment")
    assert enrolment.verdict is Verdict.OK
    assert enrolment.params["hub"] == tls_hub.url and enrolment.params["facility"] == "HWC Kheri"
    assert enrolment.data["pinned_certificate"] is True
    hub = report.check("hub")
    assert (hub.verdict, hub.code) == (Verdict.OK, "doctor.hub_ok")
    clock = report.check("clock")
    assert (clock.verdict, clock.code) == (Verdict.OK, "doctor.clock_ok")
    assert clock.data["live"] is True
    secret = credentials.load(services.store).secret  # type: ignore[union-attr]
    assert secret not in str(report.to_dict()) and secret not in report.to_text()


def test_a_hub_that_is_down_is_unreachable_not_a_certificate_problem(
    services: Services, tls_hub: TlsHub
) -> None:
    enrolled(services, tls_hub)
    tls_hub.server.stop()
    report = run(services)
    hub = report.check("hub")
    assert (hub.verdict, hub.code) == (Verdict.PROBLEM, "doctor.hub_unreachable")
    assert hub.params["error_code"] == "hub.unreachable"
    assert hub.advice_code == "doctor.advice.check_link"
    assert report.check("clock").code == "doctor.clock_unknown"  # never synced: no figure
    assert report.exit_code == rules.EXIT_PROBLEM


def test_another_certificate_at_the_hubs_address_is_a_tls_problem(
    services: Services, tls_hub: TlsHub, tmp_path: Path
) -> None:
    enrolled(services, tls_hub)
    other = open_store(f"sqlite:///{tmp_path / 'impostor.sqlite3'}")
    try:
        impostor = hub_identity(other, "127.0.0.1:0")
    finally:
        other.close()
    creds = credentials.load(services.store)
    assert creds is not None
    credentials.save(services.store, dataclasses.replace(creds, anchor_pem=impostor.anchor_pem))
    hub = run(services).check("hub")
    assert (hub.verdict, hub.code) == (Verdict.PROBLEM, "doctor.hub_tls")
    assert hub.advice_code == "doctor.advice.tls"


def test_a_clock_three_hours_off_the_hubs_is_a_problem(services: Services, tls_hub: TlsHub) -> None:
    enrolled(services, tls_hub)
    tls_hub.server.stop()
    ahead = lambda: datetime.now(UTC) + timedelta(hours=3)  # noqa: E731
    tls_hub.server = start_in_thread(
        create_app(tls_hub.store, clock=ahead), port=tls_hub.server.port, identity=tls_hub.identity
    )
    clock = run(services).check("clock")
    assert (clock.verdict, clock.code) == (Verdict.PROBLEM, "doctor.clock_behind")
    assert clock.params["offset"].startswith(("2 h 59 min", "3 h"))
    assert clock.advice_code == "doctor.advice.set_clock"


def test_offline_skips_the_hub_and_uses_the_last_syncs_clock(
    services: Services, tls_hub: TlsHub
) -> None:
    enrolled(services, tls_hub)
    services.sync.run_once()
    report = run(services, offline=True)
    assert report.check("hub").code == "doctor.hub_skipped"
    clock = report.check("clock")
    # The services' clock is fixed in 2025 (FakeClock): the last sync measured it, far behind.
    assert clock.data["live"] is False and clock.code == "doctor.clock_behind"
    assert clock.params["measured"] == "2025-06-02 06:30 UTC"
    assert report.check("sync").code == "doctor.sync_clear"


def test_a_hub_that_never_answers_is_a_problem_within_the_timeouts(services: Services) -> None:
    # A hub address that never answers: a listening socket that never accepts.
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(0)
        port = silent.getsockname()[1]
        credentials.save(
            services.store,
            credentials.HubCredentials(f"https://127.0.0.1:{port}", "spoke-1", "s" * 40),
        )
        service = DiagnosticsService(
            services.store.path.parent, services.store, hub_timeout=(0.5, 0.5)
        )
        hub = service.run().check("hub")
    assert hub.verdict is Verdict.PROBLEM
    assert hub.code in ("doctor.hub_timeout", "doctor.hub_unreachable")


# -- sync backlog and devices --------------------------------------------------------------------


def test_the_backlog_grows_from_fine_to_a_problem(
    services: Services, staff: Staff, clock: FakeClock
) -> None:
    services.patients.register(staff.paramedic, draft())
    fresh = run(services, offline=True).check("sync")
    assert fresh.verdict is Verdict.OK and fresh.code == "doctor.sync_never"
    clock.advance(2 * 86400)
    day_old = run(services, offline=True).check("sync")
    assert day_old.verdict is Verdict.WARNING
    assert day_old.advice_code == "doctor.advice.enrol"  # not enrolled: that first
    clock.advance(6 * 86400)
    week_old = run(services, offline=True).check("sync")
    assert week_old.verdict is Verdict.PROBLEM
    assert week_old.data["pending_records"] >= 1
    assert week_old.data["oldest_pending_at"] is not None


def test_a_device_on_a_pseudo_terminal_is_present_though_not_enumerated(
    services: Services, staff: Staff
) -> None:
    # The demo's simulated devices speak over pseudo-terminals, which no port list shows.
    controller, device = os.openpty()
    try:
        pair_oximeter(services, staff.admin, os.ttyname(device))
        service = DiagnosticsService(
            services.store.path.parent, services.store, list_ports=lambda: []
        )
        devices = service.run(offline=True).check("devices")
        assert (devices.verdict, devices.code) == (Verdict.OK, "doctor.devices_ok")
    finally:
        os.close(controller)
        os.close(device)
    devices = service.run(offline=True).check("devices")  # closed: the path is gone
    assert devices.code == "doctor.device_port_missing"


def pair_oximeter(services: Services, admin: User, port: str) -> None:
    services.devices.pair(admin, "cms50", "Oximeter (CMS50D+)", port, {})


def test_a_paired_serial_device_whose_port_is_gone_is_a_warning(
    services: Services, staff: Staff
) -> None:
    pair_oximeter(services, staff.admin, "/dev/ttyUSB7")
    ports = [SimpleNamespace(device="/dev/ttyS0", description="built-in", adapter=None)]
    service = DiagnosticsService(
        services.store.path.parent, services.store, list_ports=lambda: ports
    )
    devices = service.run(offline=True).check("devices")
    assert (devices.verdict, devices.code) == (Verdict.WARNING, "doctor.device_port_missing")
    assert devices.params == {"name": "Oximeter (CMS50D+)", "port": "/dev/ttyUSB7"}
    ports.append(SimpleNamespace(device="/dev/ttyUSB7", description="CP2102", adapter="CP210x"))
    devices = service.run(offline=True).check("devices")
    assert (devices.verdict, devices.code) == (Verdict.OK, "doctor.devices_ok")
    (paired,) = devices.data["paired"]  # type: ignore[misc]
    assert paired == {
        "kind": "cms50",
        "name": "Oximeter (CMS50D+)",
        "address": "/dev/ttyUSB7",
        "last_reading_at": None,
    }


def test_a_check_that_breaks_does_not_stop_the_others(services: Services) -> None:
    def broken() -> list[object]:
        raise RuntimeError("no ports today")

    service = DiagnosticsService(services.store.path.parent, services.store, list_ports=broken)
    report = service.run(offline=True)
    assert report.check("devices").code == "doctor.devices_unknown"
    assert report.check("versions").verdict is Verdict.OK


def test_the_updates_check_reads_the_launchers_state(tmp_path: Path) -> None:
    from app import __version__
    from app.updates import launch

    major, minor, patch = launch.parse_version(__version__) or (0, 0, 0)
    newer, older = f"{major}.{minor}.{patch + 1}", f"{major}.{minor}.{max(patch - 1, 0)}"
    assert updates_check(tmp_path, enabled=False).code == "doctor.updates_off"  # from source
    assert updates_check(tmp_path, enabled=True).code == "doctor.updates_current"  # no state yet
    launch.write_state(tmp_path, launch.State(current=__version__, candidate=newer))
    staged = updates_check(tmp_path, enabled=True)
    assert (staged.verdict, staged.code, staged.params["staged"]) == (
        Verdict.OK,
        "doctor.updates_staged",
        newer,
    )
    launch.write_state(tmp_path, launch.State(current=__version__, bad=(older,)))
    assert updates_check(tmp_path, enabled=True).code == "doctor.updates_current"  # replaced
    launch.write_state(tmp_path, launch.State(current=__version__, bad=(older, newer)))
    bad = updates_check(tmp_path, enabled=True)
    assert (bad.verdict, bad.code, bad.params["bad"]) == (
        Verdict.WARNING,
        "doctor.updates_bad",
        newer,
    )
    assert bad.advice_code == "doctor.advice.bad_version"
    (tmp_path / launch.STATE_FILE).write_text("{not json", encoding="utf-8")
    damaged = updates_check(tmp_path, enabled=True)
    assert (damaged.verdict, damaged.code) == (Verdict.WARNING, "doctor.updates_state")


# -- the rules ------------------------------------------------------------------------------------


def test_unknown_counts_as_nothing_for_the_exit_code() -> None:
    ok = rules.finding(
        "versions",
        Verdict.OK,
        "doctor.versions",
        params=dict.fromkeys(("app", "python", "qt", "sqlite", "sqlcipher", "os"), "1"),
    )
    skipped = rules.finding("hub", Verdict.UNKNOWN, "doctor.hub_skipped")
    warn = rules.finding("enrolment", Verdict.WARNING, "doctor.not_enrolled")
    assert rules.exit_code([ok, skipped]) == 0
    assert rules.exit_code([ok, skipped, warn]) == 1


@pytest.mark.parametrize(
    ("offset", "verdict"),
    [(0.0, Verdict.OK), (119.0, Verdict.OK), (-121.0, Verdict.WARNING), (3601.0, Verdict.PROBLEM)],
)
def test_clock_thresholds(offset: float, verdict: Verdict) -> None:
    assert rules.clock_verdict(offset) is verdict
