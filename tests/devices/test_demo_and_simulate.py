"""Demo mode's devices and ``main.py simulate``: real processes, real ptys and sockets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial

from app.devices import decode
from app.devices.framing import Cms50Framer
from app.domain.vitals import PULSE, SPO2
from app.services.container import Services
from app.services.devices import ConnectionState, DeviceKind
from app.services.seed import seed_demo_users

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import main as entry  # noqa: E402  (the composition root, as the app runs it)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_demo_mode_pairs_its_devices_and_they_all_connect(data_dir: Path) -> None:
    with Services.open(data_dir, password_log_n=4) as services:
        accounts = seed_demo_users(services)
        address = f"127.0.0.1:{_free_port()}"
        demo = entry.start_demo_devices(services, accounts, address)
        try:
            paired = services.devices.paired()
            assert sorted(d.kind for d in paired) == ["ble", "ble", "cms50", "hl7", "scale"]
            services.devices.start()
            _wait(
                lambda: (
                    [s.state for s in services.devices.statuses()]
                    == [ConnectionState.CONNECTED] * 5
                ),
                what="every demo device connected",
            )
        finally:
            services.devices.stop()
            demo.stop()
        # The next start gets new ptys and ports: the same pairings are pointed at them.
        again = entry.start_demo_devices(services, accounts, address)
        try:
            repaired = {d.id: d for d in services.devices.paired()}
            assert set(repaired) == {d.id for d in paired}
            oximeter = next(d for d in repaired.values() if d.kind == DeviceKind.CMS50)
            assert oximeter.address == again.oximeter.port
        finally:
            again.stop()


def _main(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_simulate_refuses_outside_demo_mode_and_tests() -> None:
    env = {k: v for k, v in os.environ.items() if k != "HWC_SPOKE_SIMULATORS"}
    proc = _main("simulate", "oximeter", env=env)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "only in demo mode and tests" in err
    assert out == ""


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs pseudo-terminals")
def test_simulate_oximeter_streams_real_cms50_frames() -> None:
    env = {k: v for k, v in os.environ.items() if k != "HWC_SPOKE_SIMULATORS"}
    proc = _main("simulate", "oximeter", "--demo", env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "CMS50 oximeter streaming on " in first
        port = first.split(" on ", 1)[1].split(" ", 1)[0]
        with serial.Serial(port, 19200, parity=serial.PARITY_ODD, timeout=0.2) as link:
            framer, frames = Cms50Framer(), []
            deadline = time.monotonic() + 10
            while len(frames) < 30 and time.monotonic() < deadline:
                frames += framer.feed(link.read(256))
        readings = [decode("cms50:live", f) for f in frames]
        assert len(readings) >= 30
        last = readings[-1]
        assert last.reading(SPO2) is not None and last.reading(PULSE) is not None
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_simulate_monitor_sends_oru_messages_to_a_listener_until_stopped(capsys) -> None:
    import threading

    from app.devices.parsers.hl7 import build_ack
    from app.devices.simulators.cli import run_simulator
    from app.devices.transports.mllp_server import MllpServer

    received: list[bytes] = []

    def on_message(message: bytes, peer: tuple[str, int]) -> bytes:
        received.append(message)
        return build_ack(message)

    server = MllpServer("127.0.0.1", 0, on_message, lambda state, detail: None)
    server.start()
    stop = threading.Event()
    try:
        _wait(lambda: server.listening, what="the listener")
        to = f"127.0.0.1:{server.port}"
        worker = threading.Thread(
            target=run_simulator, args=("monitor",), kwargs={"to": to, "every": 0.3, "stop": stop}
        )
        worker.start()
        _wait(lambda: len(received) >= 2, what="two monitor messages")
        stop.set()
        worker.join(10)
        assert not worker.is_alive()
    finally:
        stop.set()
        server.stop()
    readings = [decode("hl7v2:oru", m) for m in received]
    assert all(r.reading(SPO2) is not None for r in readings)
    assert f"HL7 monitor sending ORU^R01 over MLLP to {to}" in capsys.readouterr().out


def _demo_services(folder: Path) -> Services:
    services = Services.open(folder, encrypted=True)
    services.auth.login("it.admin", "demo-pass-3")  # unlocks the store with that slot
    return services


def test_the_demo_app_starts_and_pairs_its_simulated_devices(tmp_path: Path) -> None:
    # As a newcomer runs it: no simulator flag in the environment, only --demo.
    env = {k: v for k, v in os.environ.items() if k != "HWC_SPOKE_SIMULATORS"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    folder, shot = tmp_path / "demo", tmp_path / "shot.png"
    proc = _main("--demo", "--data-dir", str(folder), "--screenshot", str(shot), env=env)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Demo devices are not available" not in err
    assert shot.stat().st_size > 10_000
    from app.store.db import SQLITE_HEADER
    from app.sync import credentials

    # The demo's data is encrypted like a clinic's: a demo account's password opens it.
    assert (folder / "spoke.sqlite3").read_bytes()[:16] != SQLITE_HEADER
    with _demo_services(folder) as services:
        kinds = sorted(d.kind for d in services.devices.paired())
        first = credentials.load(services.store)
    assert kinds == ["ble", "ble", "cms50", "hl7", "scale"]
    # Demo mode also runs an embedded hub on loopback (HTTPS, its own CA) and enrols this PC
    # with it by a token, pinning the hub's certificate.
    assert first is not None and first.hub_url.startswith("https://127.0.0.1:")
    assert "BEGIN CERTIFICATE" in first.anchor_pem

    proc = _main("--demo", "--data-dir", str(folder), "--screenshot", str(shot), env=env)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    with _demo_services(folder) as services:
        again = credentials.load(services.store)
    assert again is not None and again.spoke_id == first.spoke_id  # same spoke, new port
    assert again.anchor_pem == first.anchor_pem
