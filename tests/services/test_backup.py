"""Backups of an encrypted data folder and restoring them (app.services.backup): real files,
real SQLCipher, no Qt."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.domain.errors import DomainError
from app.domain.models import Role, User
from app.services.backup import RECOVERY_KEY_HOLDER, BackupResult, restore, verify
from app.services.container import DB_FILE, Services
from app.store import audit, outbox
from app.store.errors import StoreError
from tests.services.helpers import FAST_LOG_N, draft

ADMIN_PASSWORD = "admin-pass-1"
ASHA_PASSWORD = "asha-pass-1"
# What must never be readable in a backup file.
SECRETS = [
    ("Zorawar Backupsingh", "9876501234", "71-2345-6789-0123"),
    ("Kamlesh Quicksave", "9123409876", ""),
]


def _open(folder: Path) -> Services:
    return Services.open(folder, encrypted=True, password_log_n=FAST_LOG_N)


@dataclass
class Clinic:
    folder: Path
    recovery: str
    patients: int
    cases: int
    pending: int
    attachments: dict[str, bytes]  # sha256 -> plain bytes


@pytest.fixture
def clinic(tmp_path: Path) -> Clinic:
    """An encrypted folder: an administrator and a paramedic with slots, two patients with a
    case each and an attachment, closed."""
    folder = tmp_path / "clinic"
    with _open(folder) as services:
        admin = services.auth.create_first_admin("admin", "Field IT", ADMIN_PASSWORD)
        recovery = services.keys.pending_recovery  # type: ignore[union-attr]
        assert recovery
        services.keys.recovery_key_shown()  # type: ignore[union-attr]
        services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, ASHA_PASSWORD)
        asha = services.auth.login("asha", ASHA_PASSWORD)  # her first sign-in gives her a slot
        attachments: dict[str, bytes] = {}
        for i, (name, phone, abha) in enumerate(SECRETS):
            patient = services.patients.register(asha, draft(name, phone=phone, abha=abha))
            case = services.cases.start(asha, patient.id)
            picture = tmp_path / f"photo{i}.png"
            Image.effect_noise((64, 48), 30 + i).convert("RGB").save(picture)
            attachment = services.cases.add_attachment(asha, case.id, picture, "arm")
            attachments[attachment.sha256] = services.blobs.get(attachment.sha256)
        services.preferences.set_language("hi")
        pending = services.pending_sync_count()
    return Clinic(folder, recovery, 2, 2, pending, attachments)


@pytest.fixture
def admin_services(clinic: Clinic) -> Iterator[tuple[Services, User]]:
    services = _open(clinic.folder)
    try:
        yield services, services.auth.login("admin", ADMIN_PASSWORD)
    finally:
        services.close()


def _backup(clinic: Clinic, target: Path) -> BackupResult:
    target.mkdir(exist_ok=True)
    with _open(clinic.folder) as services:
        admin = services.auth.login("admin", ADMIN_PASSWORD)
        return services.backup.create(admin, target)


def _counts(services: Services) -> tuple[int, int, int]:
    return services.store.read(
        lambda db: (
            db.execute("SELECT count(*) FROM patients").fetchone()[0],
            db.execute("SELECT count(*) FROM cases").fetchone()[0],
            outbox.pending_count(db, except_op=audit.OP_APPEND),
        )
    )


# -- making one --------------------------------------------------------------------------------


def test_backup_holds_the_folder_and_a_manifest_of_counts(clinic: Clinic, tmp_path: Path) -> None:
    result = _backup(clinic, tmp_path / "usb")
    assert result.path.parent == tmp_path / "usb"
    assert result.path.name.startswith("hwc-spoke-backup-") and result.path.suffix == ".hwcbak"
    assert result.size == result.path.stat().st_size > 0
    assert [p.name for p in (tmp_path / "usb").iterdir()] == [result.path.name]
    with zipfile.ZipFile(result.path) as zf:
        names = zf.namelist()
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        manifest = json.loads(zf.read("manifest.json"))
    expected = {"manifest.json", "spoke.sqlite3", "keyslots.json", "preferences.json"}
    assert expected | {"blobs/.encrypted"} <= set(names)
    assert sum(n.endswith(".hwcb") for n in names) == len(clinic.attachments)
    assert manifest["counts"] == {
        "patients": clinic.patients,
        "cases": clinic.cases,
        "pending_sync": clinic.pending,
    }
    assert manifest["file_count"] == len(names) - 1 == len(manifest["files"])
    assert result.info.patients == clinic.patients


def test_backup_file_shows_no_patient_data(clinic: Clinic, tmp_path: Path) -> None:
    data = _backup(clinic, tmp_path / "usb").path.read_bytes()
    for name, phone, abha in SECRETS:
        for needle in (name, name.split()[0], phone, abha, abha.replace("-", "")):
            if needle:
                assert needle.encode() not in data
                assert needle.lower().encode() not in data.lower()
    for plain in clinic.attachments.values():
        assert plain[:64] not in data  # the photos are stored encrypted


def test_backup_is_recorded_in_the_audit_trail(
    admin_services: tuple[Services, User], tmp_path: Path
) -> None:
    services, admin = admin_services
    result = services.backup.create(admin, tmp_path)
    entry = services.store.read(lambda db: audit.recent(db, 1))[0]
    assert (entry.action, entry.actor_id, entry.entity, entry.entity_id) == (
        "backup",
        admin.id,
        "backup",
        result.path.name,
    )
    assert str(tmp_path) not in entry.detail and "patients=2" in entry.detail


def test_recovery_key_holder_may_back_up_recorded_with_no_actor(
    clinic: Clinic, tmp_path: Path
) -> None:
    with _open(clinic.folder) as services:
        services.keys.unlock_with_recovery(clinic.recovery)  # type: ignore[union-attr]
        result = services.backup.create(RECOVERY_KEY_HOLDER, tmp_path)
        entry = services.store.read(lambda db: audit.recent(db, 1))[0]
    assert result.path.is_file()
    assert (entry.action, entry.actor_id) == ("backup", "")
    assert entry.detail.endswith("by=recovery_key")


@pytest.mark.parametrize("who", ["asha"])
def test_a_paramedic_may_not_back_up(clinic: Clinic, tmp_path: Path, who: str) -> None:
    with _open(clinic.folder) as services:
        user = services.auth.login(who, ASHA_PASSWORD)
        with pytest.raises(DomainError) as err:
            services.backup.create(user, tmp_path)
    assert err.value.code == "permission.denied"
    assert list(tmp_path.glob("*.hwcbak")) == []


def test_an_unencrypted_folder_is_not_backed_up(tmp_path: Path) -> None:
    with Services.open(tmp_path / "plain", password_log_n=FAST_LOG_N) as services:
        admin = services.auth.create_first_admin("admin", "Field IT", ADMIN_PASSWORD)
        assert not services.backup.available
        with pytest.raises(DomainError) as err:
            services.backup.create(admin, tmp_path)
    assert err.value.code == "backup.not_encrypted"
    assert list(tmp_path.glob("*.hwcbak")) == []


@pytest.mark.parametrize("phase", ["database", "files"])
def test_cancelled_backup_leaves_no_file(
    admin_services: tuple[Services, User], tmp_path: Path, phase: str
) -> None:
    services, admin = admin_services
    usb = tmp_path / "usb"
    usb.mkdir()
    cancel = threading.Event()
    seen: list[str] = []

    def progress(step: str, done: int, total: int) -> None:
        seen.append(step)
        if step == phase:
            cancel.set()

    with pytest.raises(DomainError) as err:
        services.backup.create(admin, usb, progress=progress, cancel=cancel)
    assert err.value.code == "backup.cancelled"
    assert phase in seen
    assert list(usb.iterdir()) == []
    assert not list(clinic_dir(services).glob(".backup-snapshot-*"))


def clinic_dir(services: Services) -> Path:
    return services.store.path.parent


def test_disk_full_while_writing_gives_disk_full_and_no_file(
    admin_services: tuple[Services, User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, admin = admin_services
    usb = tmp_path / "usb"
    usb.mkdir()
    real_write = os.write
    written = {"bytes": 0}

    def write(fd: int, data: bytes) -> int:
        # Only the backup's own file on the USB folder fills up, after 20 KB.
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(usb)):
            if written["bytes"] > 20_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            written["bytes"] += len(data)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(DomainError) as err:
        services.backup.create(admin, usb)
    monkeypatch.undo()
    assert err.value.code == "backup.disk_full"
    assert err.value.params["folder"] == str(usb)
    assert written["bytes"] > 20_000  # the failure came from the write, not before it
    assert list(usb.iterdir()) == []
    assert not list(clinic_dir(services).glob(".backup-snapshot-*"))


def test_a_missing_folder_is_refused(admin_services: tuple[Services, User], tmp_path: Path) -> None:
    services, admin = admin_services
    with pytest.raises(DomainError) as err:
        services.backup.create(admin, tmp_path / "gone")
    assert err.value.code == "backup.folder_missing"


def test_progress_covers_pages_then_files(
    admin_services: tuple[Services, User], tmp_path: Path
) -> None:
    services, admin = admin_services
    steps: list[tuple[str, int, int]] = []
    services.backup.create(admin, tmp_path, progress=lambda *a: steps.append(a))
    phases = [s[0] for s in steps]
    assert phases == sorted(phases)  # "database" before "files"
    db_steps = [s for s in steps if s[0] == "database"]
    file_steps = [s for s in steps if s[0] == "files"]
    assert db_steps[-1][1] == db_steps[-1][2] > 0
    assert [s[1] for s in file_steps] == list(range(1, file_steps[-1][2] + 1))


# -- restoring ---------------------------------------------------------------------------------


@pytest.fixture
def backup_file(clinic: Clinic, tmp_path: Path) -> Path:
    return _backup(clinic, tmp_path / "usb").path


def _check_restored(folder: Path, clinic: Clinic, login: str | None) -> None:
    with _open(folder) as services:
        assert services.store.is_locked
        if login is None:
            services.keys.unlock_with_recovery(clinic.recovery)  # type: ignore[union-attr]
        else:
            services.auth.login(login, ADMIN_PASSWORD if login == "admin" else ASHA_PASSWORD)
        assert _counts(services) == (clinic.patients, clinic.cases, clinic.pending)
        assert services.store.read(lambda db: db.execute("PRAGMA integrity_check").fetchone()[0])
        for sha, plain in clinic.attachments.items():
            assert services.blobs.get(sha) == plain


@pytest.mark.parametrize("login", ["admin", "asha", None])
def test_restore_into_an_empty_folder_opens_with_every_secret_of_its_time(
    clinic: Clinic, backup_file: Path, tmp_path: Path, login: str | None
) -> None:
    target = tmp_path / "new-pc" / "clinic"
    result = restore(backup_file, target)
    assert result.data_dir == target and result.moved_aside is None
    assert result.info.patients == clinic.patients
    assert not list(target.parent.glob(".clinic.restoring-*"))
    _check_restored(target, clinic, login)


def test_restored_folder_refuses_a_wrong_password(backup_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "new-pc"
    restore(backup_file, target)
    with _open(target) as services:
        with pytest.raises(DomainError) as err:
            services.auth.login("admin", "not-the-password")
        assert err.value.code == "auth.bad_credentials"
        assert services.store.is_locked


def test_restore_refuses_a_folder_with_a_database_and_replace_moves_it_aside(
    clinic: Clinic, backup_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "pc"
    target.mkdir()
    (target / DB_FILE).write_bytes(b"the database in use")
    (target / "logs").mkdir()
    with pytest.raises(DomainError) as err:
        restore(backup_file, target)
    assert err.value.code == "backup.target_not_empty"
    assert (target / DB_FILE).read_bytes() == b"the database in use"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clinic", "pc", "photo0.png",
                                                         "photo1.png", "usb"]  # fmt: skip

    result = restore(backup_file, target, replace=True)
    assert result.moved_aside is not None
    assert result.moved_aside.name.startswith("pc.before-restore-")
    assert (result.moved_aside / DB_FILE).read_bytes() == b"the database in use"
    assert (result.moved_aside / "logs").is_dir()
    _check_restored(target, clinic, "admin")


def test_cancelled_restore_leaves_nothing(backup_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "pc"
    cancel = threading.Event()
    with pytest.raises(DomainError) as err:
        restore(backup_file, target, progress=lambda *_a: cancel.set(), cancel=cancel)
    assert err.value.code == "backup.cancelled"
    assert not target.exists()
    assert not list(tmp_path.glob(".pc.restoring-*"))


# -- damaged files -----------------------------------------------------------------------------


def _rewrite(
    source: Path,
    target: Path,
    change: dict[str, bytes | None],
    manifest: dict[str, Any] | None = None,
) -> None:
    """Copy the zip ``source`` to ``target``, replacing (or dropping, None) members."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            if info.filename in change:
                data = change.pop(info.filename)
                if data is not None:
                    zout.writestr(info.filename, data)
            elif info.filename == "manifest.json" and manifest is not None:
                zout.writestr("manifest.json", json.dumps(manifest))
            else:
                zout.writestr(info, zin.read(info.filename))
        for name, data in change.items():
            if data is not None:
                zout.writestr(name, data)


def _manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        data: dict[str, Any] = json.loads(zf.read("manifest.json"))
    return data


def _refused(path: Path, tmp_path: Path, code: str) -> None:
    with pytest.raises(DomainError) as err:
        verify(path)
    assert err.value.code == code
    target = tmp_path / "restored"
    with pytest.raises(DomainError) as err:
        restore(path, target)
    assert err.value.code == code
    assert not target.exists()
    assert not list(tmp_path.glob(".restored.restoring-*"))


def test_verify_accepts_the_backup_as_written(backup_file: Path) -> None:
    info = verify(backup_file)
    assert info.path == backup_file and info.size == backup_file.stat().st_size
    assert info.patients == 2 and info.schema_version > 0 and info.app_version


def test_truncated_backup_is_damaged(backup_file: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.hwcbak"
    cut.write_bytes(backup_file.read_bytes()[: backup_file.stat().st_size // 2])
    _refused(cut, tmp_path, "backup.damaged")


def test_edited_member_is_damaged(backup_file: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.hwcbak"
    with zipfile.ZipFile(backup_file) as zf:
        slots = zf.read("keyslots.json")
    _rewrite(backup_file, edited, {"keyslots.json": slots.replace(b'"v"', b'"w"')})
    _refused(edited, tmp_path, "backup.damaged")


def test_flipped_byte_in_the_database_is_damaged(backup_file: Path, tmp_path: Path) -> None:
    flipped = tmp_path / "flipped.hwcbak"
    with zipfile.ZipFile(backup_file) as zf:
        db = bytearray(zf.read("spoke.sqlite3"))
    db[5000] ^= 0x01
    _rewrite(backup_file, flipped, {"spoke.sqlite3": bytes(db)})
    _refused(flipped, tmp_path, "backup.damaged")


def test_missing_member_is_damaged(backup_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.hwcbak"
    blob = next(n for n in zipfile.ZipFile(backup_file).namelist() if n.endswith(".hwcb"))
    _rewrite(backup_file, missing, {blob: None})
    _refused(missing, tmp_path, "backup.damaged")


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "blobs/../../evil", "logs/spoke.log"])
def test_path_traversal_or_stray_member_is_refused(
    backup_file: Path, tmp_path: Path, name: str
) -> None:
    bad = tmp_path / "bad.hwcbak"
    manifest = _manifest(backup_file)
    data = b"owned"
    manifest["files"].append(
        {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    )
    manifest["file_count"] += 1
    _rewrite(backup_file, bad, {name: data}, manifest)
    _refused(bad, tmp_path, "backup.unexpected_file")
    assert not (tmp_path / "evil.txt").exists()


def test_unknown_format_version_is_refused(backup_file: Path, tmp_path: Path) -> None:
    future = tmp_path / "future.hwcbak"
    manifest = _manifest(backup_file)
    manifest["version"] = 2
    _rewrite(backup_file, future, {}, manifest)
    _refused(future, tmp_path, "backup.unknown_format")


def test_a_zip_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("holiday.jpg", b"...")
    _refused(other, tmp_path, "backup.unknown_format")


def test_a_missing_backup_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as err:
        verify(tmp_path / "nowhere.hwcbak")
    assert err.value.code == "backup.not_found"


def test_a_locked_folder_is_not_backed_up(clinic: Clinic, tmp_path: Path) -> None:
    with _open(clinic.folder) as services:
        assert services.store.is_locked and services.backup.available
        with pytest.raises(StoreError) as err:
            services.backup.create(RECOVERY_KEY_HOLDER, tmp_path)
    assert err.value.code == "store.key_needed"
    assert list(tmp_path.glob("*.hwcbak")) == []
