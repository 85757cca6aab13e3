"""``main.py backup``, ``backup-verify`` and ``restore`` as subprocesses, on a real encrypted
data folder."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from app.domain.models import Role
from app.services.container import DB_FILE, Services
from tests.cli import run_main
from tests.services.helpers import draft

PASSWORD = "admin-pass-1"
ASHA = ("asha", "asha-pass-1")


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, str]:
    data_dir = tmp_path / "clinic"
    # A small scrypt cost, stored in the slots: the commands read it from there.
    with Services.open(data_dir, encrypted=True, password_log_n=4) as services:
        admin = services.auth.create_first_admin("admin", "Field IT", PASSWORD)
        secret = services.keys.pending_recovery  # type: ignore[union-attr]
        services.keys.recovery_key_shown()  # type: ignore[union-attr]
        services.auth.create_user(admin, *ASHA[:1], "Asha", Role.PARAMEDIC, ASHA[1])
        asha = services.auth.login(*ASHA)
        services.patients.register(asha, draft("Zorawar Clisingh"))
    assert secret
    return data_dir, secret


run = run_main


def _backup(data_dir: Path, usb: Path, **env: str) -> subprocess.CompletedProcess[str]:
    usb.mkdir(exist_ok=True)
    return run("backup", "--to", str(usb), "--data-dir", str(data_dir), **env)


def test_backup_then_restore_round_trip(folder: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, _secret = folder
    usb = tmp_path / "usb"
    made = _backup(data_dir, usb, HWC_SPOKE_USER="admin", HWC_SPOKE_PASSWORD=PASSWORD)
    assert made.returncode == 0, made.stderr
    [file] = list(usb.glob("hwc-spoke-backup-*.hwcbak"))
    assert f"Backup written: {file}" in made.stdout
    assert "1 patients, 0 cases" in made.stdout

    checked = run("backup-verify", str(file))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("whole:")

    target = tmp_path / "new-pc"
    restored = run(
        "restore", str(file), "--data-dir", str(target),
        HWC_SPOKE_USER=ASHA[0], HWC_SPOKE_PASSWORD=ASHA[1],
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    assert "It opens and checks ok: 1 patients, 0 cases" in restored.stdout
    assert (target / DB_FILE).is_file()

    again = run("restore", str(file), "--data-dir", str(target), HWC_SPOKE_USER="admin",
                HWC_SPOKE_PASSWORD=PASSWORD)  # fmt: skip
    assert again.returncode == 2
    assert "already holds a clinic database" in again.stderr

    replaced = run("restore", str(file), "--data-dir", str(target), "--replace",
                   HWC_SPOKE_USER="admin", HWC_SPOKE_PASSWORD=PASSWORD)  # fmt: skip
    assert replaced.returncode == 0, replaced.stderr
    [aside] = list(tmp_path.glob("new-pc.before-restore-*"))
    assert (aside / DB_FILE).is_file()


def test_backup_with_the_recovery_key(folder: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, secret = folder
    made = _backup(data_dir, tmp_path / "usb", HWC_SPOKE_RECOVERY_KEY=secret)
    assert made.returncode == 0, made.stderr
    shown = run("audit", "show", "--last", "1", "--data-dir", str(data_dir),
                HWC_SPOKE_RECOVERY_KEY=secret)  # fmt: skip
    assert "backup" in shown.stdout and "by=recovery_key" in shown.stdout


def test_a_paramedic_cannot_back_up(folder: tuple[Path, str], tmp_path: Path) -> None:
    made = _backup(folder[0], tmp_path / "usb", HWC_SPOKE_USER=ASHA[0], HWC_SPOKE_PASSWORD=ASHA[1])
    assert made.returncode == 2
    assert "may not do this" in made.stderr
    assert list((tmp_path / "usb").iterdir()) == []


def test_backup_needs_credentials_on_a_locked_folder(
    folder: tuple[Path, str], tmp_path: Path
) -> None:
    made = _backup(folder[0], tmp_path / "usb")
    assert made.returncode == 2
    assert "HWC_SPOKE_USER" in made.stderr and "Traceback" not in made.stderr


def test_backup_verify_refuses_a_damaged_file(folder: tuple[Path, str], tmp_path: Path) -> None:
    made = _backup(folder[0], tmp_path / "usb", HWC_SPOKE_USER="admin", HWC_SPOKE_PASSWORD=PASSWORD)
    assert made.returncode == 0, made.stderr
    [file] = list((tmp_path / "usb").iterdir())
    cut = tmp_path / "cut.hwcbak"
    cut.write_bytes(file.read_bytes()[:-200])
    result = run("backup-verify", str(cut))
    assert result.returncode == 1
    assert "is damaged" in result.stderr
    with zipfile.ZipFile(file) as zf:
        assert "manifest.json" in zf.namelist()
