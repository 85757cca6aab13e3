"""Headless commands on a locked (encrypted) data folder: a clear refusal without credentials,
and the command runs with HWC_SPOKE_USER / HWC_SPOKE_PASSWORD or HWC_SPOKE_RECOVERY_KEY."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.services.container import Services
from tests.cli import run_main

PASSWORD = "admin-pass-1"


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, str]:
    data_dir = tmp_path / "clinic"
    # A small scrypt cost, stored in the slots: the command reads it from there.
    with Services.open(data_dir, encrypted=True, password_log_n=4) as services:
        services.auth.create_first_admin("admin", "Field IT", PASSWORD)
        secret = services.keys.pending_recovery  # type: ignore[union-attr]
        services.keys.recovery_key_shown()  # type: ignore[union-attr]
    assert secret
    return data_dir, secret


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_main(*args, "--data-dir", str(data_dir), **env)


@pytest.mark.parametrize("command", [("sync", "--once"), ("audit", "verify")])
def test_locked_folder_without_credentials_says_how(
    folder: tuple[Path, str], command: tuple[str, ...]
) -> None:
    result = run(folder[0], *command)
    assert result.returncode == 2  # not 1: that is "the chain is broken" for audit verify
    assert "The clinic database is locked" in result.stderr
    assert "HWC_SPOKE_USER" in result.stderr and "HWC_SPOKE_RECOVERY_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_audit_verify_with_a_staff_password(folder: tuple[Path, str]) -> None:
    result = run(folder[0], "audit", "verify", HWC_SPOKE_USER="admin", HWC_SPOKE_PASSWORD=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("intact:")


def test_sync_once_with_a_staff_password_runs(folder: tuple[Path, str]) -> None:
    result = run(folder[0], "sync", "--once", HWC_SPOKE_USER="admin", HWC_SPOKE_PASSWORD=PASSWORD)
    # Not enrolled: the round itself refuses, after reading the opened database.
    assert result.returncode == 2
    assert result.stderr.strip() == "sync: This PC is not enrolled with a hub yet."


def test_audit_show_with_the_recovery_key(folder: tuple[Path, str]) -> None:
    result = run(folder[0], "audit", "show", HWC_SPOKE_RECOVERY_KEY=folder[1])
    assert result.returncode == 0, result.stderr


def test_wrong_password_is_refused_clearly(folder: tuple[Path, str]) -> None:
    result = run(
        folder[0], "audit", "verify", HWC_SPOKE_USER="admin", HWC_SPOKE_PASSWORD="nope-nope"
    )
    assert result.returncode == 2
    assert "cannot unlock the clinic database: Wrong username or password." in result.stderr


def test_the_app_starts_on_a_locked_pc_and_shows_the_login(
    folder: tuple[Path, str], tmp_path: Path
) -> None:
    # A clinic PC's every start after its first: encrypted, with accounts, locked until a
    # sign-in. Nothing may read the database before that (device drivers included).
    data_dir, _secret = folder
    shot = tmp_path / "login.png"
    done = run(data_dir, "--screenshot", str(shot), QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 1000
