"""``main.py doctor`` and ``main.py support-bundle`` as field IT (and CI's smoke test) run them:
real subprocesses, no terminal on stdin, real data folders, a real hub over HTTPS on loopback.
Exit codes: 0 fine, 1 a warning, 2 a problem."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.domain.diagnostics import CHECK_KEYS
from app.services.container import Services
from tests.cli import run_main
from tests.tls_hub import TlsHub, running_tls_hub

PASSWORD = "admin-pass-1"
EXIT_FOR = {"ok": 0, "warning": 1, "problem": 2}


main_py = run_main  # no display, as for the frozen app's smoke test


def doctor_json(folder: Path, *extra: str, **env: str) -> tuple[int, dict[str, Any]]:
    done = main_py("doctor", "--data-dir", str(folder), "--json", *extra, **env)
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    return done.returncode, report


def codes(report: dict[str, Any]) -> dict[str, str]:
    return {c["key"]: c["code"] for c in report["checks"]}


@pytest.fixture
def tls_hub(tmp_path: Path) -> Iterator[TlsHub]:
    with running_tls_hub(tmp_path) as hub:
        yield hub


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    folder = tmp_path / "clinic"
    with Services.open(folder, encrypted=True, password_log_n=4) as services:
        services.auth.create_first_admin("admin", "Field IT", PASSWORD)
        assert services.keys is not None
        services.keys.recovery_key_shown()
    return folder


def test_a_new_folder_gives_a_full_report_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "never-used"
    code, report = doctor_json(folder, "--offline")
    assert code == EXIT_FOR[report["worst"]] == report["exit_code"]
    assert code >= 1  # no database here, not enrolled: warnings at least
    assert codes(report)["database"] == "doctor.db_none"
    assert codes(report)["disk"] in ("doctor.folder_missing", "doctor.disk_very_low")
    assert [c["key"] for c in report["checks"]] == list(CHECK_KEYS)  # every check, in order
    assert codes(report)["updates"] == "doctor.updates_off"  # run from source
    assert not folder.exists()


def test_the_text_report_says_each_verdict_in_words(tmp_path: Path) -> None:
    done = main_py("doctor", "--data-dir", str(tmp_path), "--offline")
    assert done.returncode in (1, 2), done.stderr
    assert "[WARNING] Clinic database" in done.stdout
    assert "What to do:" in done.stdout
    assert f"exit code {done.returncode}" in done.stdout


def test_an_enrolled_pc_with_its_hub_up_then_down(encrypted: Path, tls_hub: TlsHub) -> None:
    signed_in = {"HWC_SPOKE_USER": "admin", "HWC_SPOKE_PASSWORD": PASSWORD}
    enrolled = main_py(
        "enrol", "--data-dir", str(encrypted), "--token", tls_hub.token(), **signed_in
    )
    assert enrolled.returncode == 0, enrolled.stderr

    code, report = doctor_json(encrypted, **signed_in)
    found = codes(report)
    assert found["hub"] == "doctor.hub_ok" and found["clock"] == "doctor.clock_ok"
    assert found["encryption"] == "doctor.enc_on" and found["database"] == "doctor.db_ok"
    assert found["enrolment"] == "doctor.enrolled"
    assert code == EXIT_FOR[report["worst"]]

    tls_hub.server.stop()
    code, report = doctor_json(encrypted, **signed_in)
    assert codes(report)["hub"] == "doctor.hub_unreachable"
    assert code == 2


def test_a_locked_folder_without_credentials_reports_what_it_can(encrypted: Path) -> None:
    code, report = doctor_json(encrypted, "--offline")
    found = codes(report)
    assert found["encryption"] == "doctor.enc_locked"
    assert found["database"] == found["hub"] == found["sync"] == "doctor.locked"
    assert found["versions"] == "doctor.versions"
    assert code == EXIT_FOR[report["worst"]] and code >= 1


def test_wrong_credentials_are_reported_and_the_rest_still_runs(encrypted: Path) -> None:
    done = main_py(
        "doctor",
        "--data-dir",
        str(encrypted),
        "--offline",
        HWC_SPOKE_USER="admin",
        HWC_SPOKE_PASSWORD="not-the-password",
    )
    assert "cannot unlock the clinic database" in done.stderr
    assert "Encryption at rest" in done.stdout and done.returncode >= 1


def test_support_bundle_writes_a_zip_and_refuses_a_missing_folder(
    encrypted: Path, tmp_path: Path
) -> None:
    signed_in = {"HWC_SPOKE_USER": "admin", "HWC_SPOKE_PASSWORD": PASSWORD}
    out = tmp_path / "bundle.zip"
    done = main_py(
        "support-bundle", str(out), "--data-dir", str(encrypted), "--offline", **signed_in
    )
    assert done.returncode == 0, done.stderr
    assert "Support bundle written" in done.stdout
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert "diagnostics.txt" in names and "settings.json" in names
        assert not any(n.endswith(("keyslots.json", ".sqlite3")) for n in names)

    missing = main_py(
        "support-bundle", str(tmp_path / "no" / "such" / "b.zip"), "--data-dir", str(encrypted)
    )
    assert missing.returncode == 1
    assert "is not there" in missing.stderr and "Traceback" not in missing.stderr
