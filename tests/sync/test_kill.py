"""kill -9 of the spoke at every step of a round: after each, a clean round delivers every
case to the hub exactly once and the spoke loses nothing.

The spoke is a real ``main.py sync --once`` process talking to the real hub through the
fault proxy; the proxy's hook sends SIGKILL at the chosen moment: with a push on its way (the
hub still commits it), right after the hub's answer reached the spoke (before or while it
stores the acks), and with a pull on its way.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.services.container import Services
from app.sync import credentials
from app.sync.credentials import HubCredentials
from tests.sync.conftest import Hub
from tests.sync.proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
PATIENTS, CASES = 12, 6


def main_py(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("stage", "path"),
    [
        ("request", "/v1/sync/push"),  # killed mid-request: the hub commits, nobody hears it
        ("response", "/v1/sync/push"),  # killed after the answer, before the acks are stored
        ("request", "/v1/sync/pull"),  # killed mid-pull
        ("response", "/v1/sync/pull"),  # killed after a pull page arrived, before it is applied
    ],
)
def test_a_killed_sync_loses_and_duplicates_nothing(
    hub: Hub, tmp_path: Path, stage: str, path: str
) -> None:
    spoke = tmp_path / "clinic"
    seeded = main_py(
        "seed", "--data-dir", str(spoke), "--patients", str(PATIENTS), "--cases", str(CASES),
        "--queued",
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    killed = threading.Event()
    proc: list[subprocess.Popen[str]] = []

    def hook(when: str, _method: str, seen: str) -> None:
        if when == stage and seen.startswith(path) and not killed.is_set() and proc:
            os.kill(proc[0].pid, signal.SIGKILL)
            killed.set()

    with FaultProxy("127.0.0.1", int(hub.url.rsplit(":", 1)[1]), hook=hook) as proxy:
        proxy.drop_responses("/nothing", 0)  # HTTP-aware forwarding, so the hook sees paths
        point_at(spoke, proxy.url, hub)
        proc.append(
            subprocess.Popen(
                [sys.executable, str(ROOT / "main.py"), "sync", "--once", "--data-dir", str(spoke)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        proc[0].communicate(timeout=120)
    assert killed.is_set(), "the round never reached the step to kill at"
    assert proc[0].returncode == -signal.SIGKILL

    # The next round goes straight to the hub: nothing lost, nothing twice.
    point_at(spoke, hub.url, hub)
    after = main_py("sync", "--once", "--data-dir", str(spoke))
    assert after.returncode == 0, after.stdout + after.stderr
    report = json.loads(after.stdout)
    assert report["pending"] == 0 and report["needs_attention"] == 0

    stats = hub.store.stats()
    assert (stats["patients"], stats["cases"]) == (PATIENTS, CASES)
    with sqlite3.connect(spoke / "spoke.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        states = dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        statuses = {r[0] for r in db.execute("SELECT status FROM cases WHERE status != 'draft'")}
    assert states == {"acked": PATIENTS + CASES}
    assert statuses <= {"at_hub"}, statuses


def point_at(spoke: Path, url: str, hub: Hub) -> None:
    """Enrol the data folder with ``hub`` at ``url``. The proxy must read plain HTTP to see
    request paths, so these credentials are written directly: enrolment by token is HTTPS
    only and has tests of its own (test_enrolment.py)."""
    with Services.open(spoke, password_log_n=4) as services:
        credentials.save(services.store, HubCredentials(url, hub.spoke_id, hub.secret))
