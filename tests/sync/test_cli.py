"""The headless commands as field IT run them: seed --queued, enrol, sync --once, hub stats."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli import run_main
from tests.sync.conftest import TlsHub


def main_py(*args: str) -> subprocess.CompletedProcess[str]:
    return run_main(*args, timeout=300)


def test_seed_enrol_and_sync_once_deliver_every_case_once(tls_hub: TlsHub, tmp_path: Path) -> None:
    hub = tls_hub
    spoke = str(tmp_path / "clinic")
    seeded = main_py("seed", "--data-dir", spoke, "--patients", "30", "--cases", "12", "--queued")
    assert seeded.returncode == 0, seeded.stderr

    not_yet = main_py("sync", "--once", "--data-dir", spoke)
    assert not_yet.returncode == 2
    assert "not enrolled" in not_yet.stderr

    bad = main_py("enrol", "--data-dir", spoke, "--token", "no-slash")
    assert bad.returncode == 2 and "HOST:PORT/" in bad.stderr

    token = hub.token("HWC Kheri")
    enrolled = main_py("enrol", "--data-dir", spoke, "--token", token)
    assert enrolled.returncode == 0, enrolled.stderr
    (made,) = hub.store.stats()["per_spoke"]
    assert made["id"] in enrolled.stdout and "HWC Kheri" in enrolled.stdout

    used = main_py("enrol", "--data-dir", str(tmp_path / "other"), "--token", token)
    assert used.returncode == 2 and "used" in used.stderr

    first = main_py("sync", "--once", "--data-dir", spoke)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["ok"] and report["pending"] == 0
    # A patient.create each, a case.queue each, and the enrolment's audit entry.
    assert report["pushed"]["applied"] == 30 + 12 + 1

    again = json.loads(main_py("sync", "--once", "--data-dir", spoke).stdout)
    assert again["ok"] and again["pushed"]["applied"] == 0

    stats = hub.store.stats()
    assert (stats["patients"], stats["cases"]) == (30, 12)


def test_sync_once_reports_failure_with_its_exit_code_when_the_hub_is_down(
    tls_hub: TlsHub, tmp_path: Path
) -> None:
    hub = tls_hub
    spoke = str(tmp_path / "clinic")
    assert (
        main_py(
            "seed", "--data-dir", spoke, "--patients", "5", "--cases", "2", "--queued"
        ).returncode
        == 0
    )
    assert main_py("enrol", "--data-dir", spoke, "--token", hub.token()).returncode == 0
    hub.server.stop()
    down = main_py("sync", "--once", "--data-dir", spoke)
    assert down.returncode == 1
    report = json.loads(down.stdout)
    assert not report["ok"] and report["pending"] == 5 + 2 + 1  # + the enrolment's audit entry
    assert report["error_code"].startswith("hub.")
