"""The support bundle: what it holds, and that none of the clinic's patients, its hub secret or
its database key is in any byte of it (a seeded, enrolled, encrypted folder with a log)."""

from __future__ import annotations

import errno
import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import logfile
from app.domain.audit import Action
from app.domain.errors import DomainError
from app.domain.models import Role, Sex
from app.security import keyslots
from app.services.container import Services
from app.services.seed import seed
from app.store import audit
from app.sync import credentials
from app.updates import launch
from tests.services.helpers import FAST_LOG_N, PASSWORD, draft
from tests.tls_hub import TlsHub, running_tls_hub

EXPECTED_MEMBERS = {
    "README.txt",
    "diagnostics.json",
    "diagnostics.txt",
    "versions.json",
    "preferences.json",
    "settings.json",
    "sync.json",
    "audit.json",
}


@pytest.fixture
def tls_hub(tmp_path: Path) -> Iterator[TlsHub]:
    with running_tls_hub(tmp_path) as hub:
        yield hub


@pytest.fixture
def logged(data_dir: Path) -> Iterator[Path]:
    """The data folder's log, as the app writes it, for the length of the test."""
    path = logfile.setup(data_dir)
    root = logging.getLogger()
    added = root.handlers[-1]
    try:
        yield path
    finally:
        root.removeHandler(added)
        added.close()


class Clinic:
    def __init__(self, services: Services, recovery: str) -> None:
        self.services = services
        self.recovery = recovery


@pytest.fixture
def clinic(data_dir: Path, tls_hub: TlsHub, logged: Path) -> Iterator[Clinic]:
    services = Services.open(data_dir, encrypted=True, password_log_n=FAST_LOG_N)
    try:
        assert services.keys is not None and services.keys.pending_recovery
        recovery = services.keys.pending_recovery
        admin = services.auth.create_first_admin("admin", "Field IT", PASSWORD)
        services.keys.recovery_key_shown()
        services.preferences.set_language("hi")
        seed(services, patients=120, cases=8, queued=True)
        services.sync.enrol(None, tls_hub.token("HWC Kheri"))
        # A half-typed registration: kept in the settings table, patient data all the same.
        paramedic = services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD)
        services.patients.save_form_draft(
            paramedic, draft("Bhagwati Prasad Chaurasia", phone="9123456780", sex=Sex.MALE)
        )
        logging.getLogger("hwc_spoke.test").info("a line in the clinic's log")
        yield Clinic(services, recovery)
    finally:
        services.close()


def secrets_of(clinic: Clinic) -> list[bytes]:
    """Every byte string that must not be in the bundle."""
    services = clinic.services
    rows = services.store.read(
        lambda db: db.execute(
            "SELECT name, name_alt, guardian_name, phone, abha_number FROM patients"
        ).fetchall()
    )
    needles: set[str] = {"Bhagwati Prasad Chaurasia", "9123456780"}
    for row in rows:
        needles.update(str(v) for v in row if v and len(str(v)) >= 6)
    creds = credentials.load(services.store)
    assert creds is not None
    needles.add(creds.secret)
    needles.add(clinic.recovery)
    key = keyslots.load(services.store.path.parent / "keyslots.json").unlock_with_recovery(
        clinic.recovery
    )
    found = [n.encode("utf-8") for n in needles]
    return [*found, key, key.hex().encode(), key.hex().upper().encode()]


def test_the_bundle_holds_what_support_needs_and_no_patient_data_or_key(
    clinic: Clinic, tmp_path: Path
) -> None:
    services = clinic.services
    target = tmp_path / "out" / "support.zip"
    target.parent.mkdir()
    path = services.diagnostics.support_bundle(target, offline=True)
    assert path == target and target.is_file()
    assert [p.name for p in target.parent.iterdir()] == ["support.zip"]  # no temp file left

    raw = target.read_bytes()
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        contents = {name: zf.read(name) for name in names}
    assert names >= EXPECTED_MEMBERS
    assert any(n.startswith("logs/spoke.log") for n in names)
    assert not any(n.endswith((".sqlite3", "keyslots.json")) or "blobs" in n for n in names)

    needles = secrets_of(clinic)
    assert len(needles) > 100  # names, phones, ABHA numbers of 120 patients, and the rest
    for name, content in [*contents.items(), ("(the zip file)", raw)]:
        for needle in needles:
            assert needle not in content, f"{needle!r} found in {name}"

    settings_doc = json.loads(contents["settings.json"])
    assert settings_doc["settings"]["sync.spoke_id"]
    assert settings_doc["settings"]["sync.facility"] == "HWC Kheri"
    assert "sync.secret" not in settings_doc["settings"]
    assert settings_doc["settings_left_out"] >= 2  # the secret and the form draft
    sync_doc = json.loads(contents["sync.json"])
    assert sync_doc["outbox_by_op"]["patient.create"]["pending"] == 120
    assert sync_doc["outbox_by_op"]["case.queue"]["pending"] == 8
    audit_doc = json.loads(contents["audit.json"])
    assert audit_doc["chain_intact"] is True and audit_doc["by_action"]["enrol"] == 1
    report = json.loads(contents["diagnostics.json"])
    assert report["checks"][0]["key"] == "disk"
    assert json.loads(contents["preferences.json"]) == {"language": "hi"}
    assert b"a line in the clinic's log" in b"".join(
        v for k, v in contents.items() if k.startswith("logs/")
    )

    last = services.store.read(lambda db: audit.recent(db, 1))[0]
    assert (last.action, last.entity) == (Action.EXPORT.value, "support_bundle")


def test_a_locked_folder_gives_a_bundle_without_the_databases_parts(
    data_dir: Path, tmp_path: Path
) -> None:
    with Services.open(data_dir, encrypted=True, password_log_n=FAST_LOG_N) as services:
        services.auth.create_first_admin("admin", "Field IT", PASSWORD)
    with Services.open(data_dir, encrypted=True, password_log_n=FAST_LOG_N) as services:
        assert services.store.is_locked
        target = services.diagnostics.support_bundle(tmp_path / "locked.zip")
    with zipfile.ZipFile(target) as zf:
        assert "not_included" in json.loads(zf.read("settings.json"))
        report = json.loads(zf.read("diagnostics.json"))
    assert {c["key"]: c["code"] for c in report["checks"]}["encryption"] == "doctor.enc_locked"


def test_the_update_launchers_log_and_state_go_in(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    updates = tmp_path / "updates"
    updates.mkdir()
    (updates / launch.LOG_FILE).write_text("trial 0.2.0 marked bad: exit 1\n", encoding="utf-8")
    (updates / launch.STATE_FILE).write_text('{"current": "0.1.0"}', encoding="utf-8")
    monkeypatch.setenv(launch.ENV_ROOT, str(updates))
    target = services.diagnostics.support_bundle(tmp_path / "b.zip", offline=True)
    with zipfile.ZipFile(target) as zf:
        assert b"marked bad" in zf.read(f"updates/{launch.LOG_FILE}")
        assert json.loads(zf.read(f"updates/{launch.STATE_FILE}")) == {"current": "0.1.0"}


def test_a_missing_folder_is_refused_clearly(services: Services, tmp_path: Path) -> None:
    with pytest.raises(DomainError) as caught:
        services.diagnostics.support_bundle(tmp_path / "usb" / "gone" / "b.zip", offline=True)
    assert caught.value.code == "bundle.folder_missing"
    assert caught.value.params["folder"] == str(tmp_path / "usb" / "gone")


def test_a_path_that_cannot_be_written_is_refused_and_leaves_nothing(
    services: Services, tmp_path: Path
) -> None:
    taken = tmp_path / "taken.zip"
    taken.mkdir()  # a folder of that name: the rename cannot replace it
    with pytest.raises(DomainError) as caught:
        services.diagnostics.support_bundle(taken, offline=True)
    assert caught.value.code == "bundle.write_failed"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "spoke-data") == ["taken.zip"]


def test_a_full_drive_is_its_own_message_and_leaves_nothing(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []

    def full(self: zipfile.ZipFile, name: object, data: object, *args: object) -> None:
        written.append(str(name))
        if len(written) > 2:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", full)
    with pytest.raises(DomainError) as caught:
        services.diagnostics.support_bundle(tmp_path / "b.zip", offline=True)
    assert caught.value.code == "bundle.disk_full"
    assert not any(p.suffix in (".zip", ".part") for p in tmp_path.iterdir())
