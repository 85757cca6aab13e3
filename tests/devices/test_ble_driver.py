"""BleHealthDriver end to end: the real BleakScanner/BleakClient, BleLink and decoders, with
only the bleak backends swapped for the simulator's (loopback TCP, port 0).

Waits poll with deadlines; nothing asserts on elapsed time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bleak.backends.scanner import AdvertisementDataCallback, BaseBleakScanner
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason

from app.devices import decode
from app.devices.driver import ConnectionState, DeviceKind, DeviceReading, DeviceSpec
from app.devices.drivers.ble_health import BleHealthDriver, dedupe_key
from app.devices.parsers.ble import MEAN_ARTERIAL_PRESSURE
from app.devices.simulators.ble_sim import BleSimPeripheral, encode_blood_pressure
from app.devices.transports.ble_link import NO_ADAPTER
from app.domain.vitals import DIASTOLIC, GLUCOSE_RANDOM, PULSE, SPO2, SYSTOLIC, TEMPERATURE, WEIGHT

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


class Sink:
    """Records what a driver reports, from its thread; waits poll with a deadline."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # predicates read the lists while wait() holds it
        self._changed = threading.Condition(self._lock)
        self.readings: list[DeviceReading] = []
        self.states: list[tuple[ConnectionState, str]] = []
        self.problems: list[str] = []

    def reading(self, reading: DeviceReading) -> None:
        with self._changed:
            self.readings.append(reading)
            self._changed.notify_all()

    def state(self, device_id: str, state: ConnectionState, detail: str = "") -> None:
        with self._changed:
            self.states.append((state, detail))
            self._changed.notify_all()

    def problem(self, device_id: str, message: str) -> None:
        with self._changed:
            self.problems.append(message)
            self._changed.notify_all()

    def finals(self) -> list[DeviceReading]:
        with self._lock:
            return [r for r in self.readings if r.final]

    def live(self) -> list[DeviceReading]:
        with self._lock:
            return [r for r in self.readings if not r.final]

    def count(self, state: ConnectionState) -> int:
        with self._lock:
            return sum(1 for s, _ in self.states if s is state)

    def wait(self, predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
        """Until ``predicate()``; it is also checked every 10 ms, as some conditions (the
        simulator's) change without a sink call."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; states={self.states}")
                self._changed.wait(min(left, 0.01))


class RaisingSink(Sink):
    def reading(self, reading: DeviceReading) -> None:
        super().reading(reading)
        raise RuntimeError("a sink bug")


def no_adapter_scanner() -> type[BaseBleakScanner]:
    class NoAdapter(BaseBleakScanner):
        def __init__(
            self,
            detection_callback: AdvertisementDataCallback | None,
            service_uuids: list[str] | None,
            *args: Any,
            **kwargs: Any,
        ) -> None:
            super().__init__(detection_callback, service_uuids)

        async def start(self) -> None:
            raise BleakBluetoothNotAvailableError(
                "No Bluetooth adapters found.", BleakBluetoothNotAvailableReason.NO_BLUETOOTH
            )

        async def stop(self) -> None:
            pass

    return NoAdapter


@pytest.fixture
def drivers() -> Iterator[list[BleHealthDriver]]:
    started: list[BleHealthDriver] = []
    yield started
    for driver in started:
        driver.stop()


def run_driver(
    drivers: list[BleHealthDriver],
    sim: BleSimPeripheral,
    sink: Sink,
    device_id: str = "bp-1",
) -> BleHealthDriver:
    spec = DeviceSpec(device_id, DeviceKind.BLE, sim.name, sim.address, {"sim": sim.endpoint})
    driver = BleHealthDriver(spec, sink, lambda: T0)
    drivers.append(driver)
    driver.start()
    sink.wait(lambda: sim.connected and sink.count(ConnectionState.CONNECTED) >= 1, "connect")
    return driver


def values(reading: DeviceReading) -> dict[str, Decimal | None]:
    return {r.code: r.exact for r in reading.measurement.readings}


@pytest.fixture
def bp() -> Iterator[BleSimPeripheral]:
    with BleSimPeripheral("bp", pace=0.0, seed=4) as sim:
        yield sim


def test_one_bp_measurement_live_cuff_then_one_final(
    bp: BleSimPeripheral, drivers: list[BleHealthDriver]
) -> None:
    sink = Sink()
    run_driver(drivers, bp, sink)
    assert sink.states[:2] == [
        (ConnectionState.CONNECTING, f"looking for {bp.address}"),
        (ConnectionState.CONNECTED, f"connected to {bp.name}"),
    ]

    payload = bp.measure(systolic=128, diastolic=82, pulse=71).result(5)

    # measure() resolves once the indication is confirmed, after the driver's callback ran
    (final,) = sink.finals()
    assert final.device_id == "bp-1"
    assert values(final) == {
        SYSTOLIC: Decimal(128),
        DIASTOLIC: Decimal(82),
        MEAN_ARTERIAL_PRESSURE: Decimal(97),
        PULSE: Decimal(71),
    }
    assert final.raw == payload
    assert final.received_at == T0
    assert final.measurement.taken_at is not None
    assert final.dedupe_key == dedupe_key(decode("ble:2a35", payload)) is not None
    live = sink.live()
    assert 1 <= len(live) < 8  # eight cuff frames arrived at once: throttled
    assert all(r.measurement.protocol == "ble:2a36" and r.dedupe_key is None for r in live)
    assert "cuff_pressure" in live[0].measurement.info
    assert sink.problems == []


def test_reconnect_gives_the_stored_burst_with_the_same_keys(
    bp: BleSimPeripheral, drivers: list[BleHealthDriver]
) -> None:
    earlier = bp.measure(systolic=121, diastolic=79, pulse=64).result(5)  # stored, no client
    sink = Sink()
    run_driver(drivers, bp, sink)
    sink.wait(lambda: len(sink.finals()) == 1, "the stored reading on connect")
    bp.measure(systolic=133, diastolic=88, pulse=77).result(5)
    first_keys = [r.dedupe_key for r in sink.finals()]
    assert len(first_keys) == 2 and len(set(first_keys)) == 2
    assert sink.finals()[0].raw == earlier

    bp.drop_connection()
    sink.wait(lambda: sink.count(ConnectionState.DISCONNECTED) >= 1, "the loss to be seen")
    assert sink.states[2][1].startswith("connection lost")
    sink.wait(lambda: len(sink.finals()) == 4, "the burst after reconnecting", timeout=8)

    assert sink.count(ConnectionState.CONNECTED) == 2
    assert [r.dedupe_key for r in sink.finals()[2:]] == first_keys
    assert sink.problems == []


def test_malformed_indication_is_a_problem_and_the_driver_goes_on(
    bp: BleSimPeripheral, drivers: list[BleHealthDriver]
) -> None:
    sink = Sink()
    run_driver(drivers, bp, sink)

    assert bp.send_raw("2a35", b"\x1e\x8a\x00").result(5)
    assert sink.problems == ["ble:2a35: 3 bytes, but at least 7 are needed"]
    assert bp.send_raw("2a35", encode_blood_pressure(1, 2, 3)[:5] + b"\x00\x00").result(5)

    bp.measure(systolic=140, diastolic=90, pulse=80).result(5)
    assert [values(r)[SYSTOLIC] for r in sink.finals()] == [Decimal(1), Decimal(140)]
    assert sink.finals()[0].dedupe_key is None  # no device time: no identity
    assert sink.count(ConnectionState.DISCONNECTED) == 0


def test_glucose_stored_records_come_through_racp(drivers: list[BleHealthDriver]) -> None:
    with BleSimPeripheral("glucometer", seed=5) as meter:
        for mg_dl in (95, 110, 142):
            meter.measure(glucose=mg_dl).result(5)
        sink = Sink()
        run_driver(drivers, meter, sink, "glucose-1")
        sink.wait(lambda: len(sink.finals()) == 3, "three stored records")
        assert [values(r)[GLUCOSE_RANDOM] for r in sink.finals()] == [95, 110, 142]
        keys = [r.dedupe_key for r in sink.finals()]
        assert keys == [("ble:2a18", 1), ("ble:2a18", 2), ("ble:2a18", 3)]

        meter.measure(glucose=120).result(5)  # notified at once while connected
        sink.wait(lambda: len(sink.finals()) == 4, "the new record")

        meter.drop_connection()
        sink.wait(lambda: len(sink.finals()) == 8, "all records again", timeout=8)
        assert [r.dedupe_key for r in sink.finals()[4:]] == [*keys, ("ble:2a18", 4)]
        assert sink.problems == []


@pytest.mark.parametrize(
    ("kind", "given", "code", "expected"),
    [
        ("thermometer", {"temperature": "36.8"}, TEMPERATURE, Decimal("36.8")),
        ("scale", {"weight": "72.35"}, WEIGHT, Decimal("72.35")),
        ("oximeter", {"spo2": 97, "pulse": 68}, SPO2, Decimal(97)),
    ],
)
def test_other_kinds_give_their_final_reading(
    drivers: list[BleHealthDriver],
    kind: str,
    given: dict[str, Any],
    code: str,
    expected: Decimal,
) -> None:
    with BleSimPeripheral(kind, pace=0.0) as sim:
        sink = Sink()
        run_driver(drivers, sim, sink, kind)
        sim.measure(**given).result(5)
        (final,) = sink.finals()
        assert values(final)[code] == expected
        assert final.dedupe_key is not None
        if kind == "oximeter":
            sink.wait(lambda: len(sink.live()) >= 1, "live PLX values")
            assert sink.live()[0].measurement.protocol == "ble:2a5f"


def test_stop_returns_after_disconnecting(
    bp: BleSimPeripheral, drivers: list[BleHealthDriver]
) -> None:
    sink = Sink()
    driver = run_driver(drivers, bp, sink)
    driver.stop()
    # stop() waited for the driver's task to end: its last word is already there
    assert sink.states[-1] == (ConnectionState.DISCONNECTED, "stopped")
    sink.wait(lambda: not bp.connected, "the simulator to see the disconnect")
    driver.stop()  # idempotent
    assert sink.states.count((ConnectionState.DISCONNECTED, "stopped")) == 1


def test_stop_while_looking_for_an_absent_device(drivers: list[BleHealthDriver]) -> None:
    sink = Sink()
    sim = BleSimPeripheral("bp").start()
    spec = DeviceSpec("gone", DeviceKind.BLE, "BP", sim.address, {"sim": sim.endpoint})
    sim.stop()
    driver = BleHealthDriver(spec, sink, lambda: T0, scan_timeout=0.2)
    drivers.append(driver)
    driver.start()
    sink.wait(lambda: sink.count(ConnectionState.DISCONNECTED) >= 1, "not found")
    assert "not found nearby" in sink.states[-1][1]
    driver.stop()
    assert sink.states[-1] == (ConnectionState.DISCONNECTED, "stopped")


def test_no_adapter_is_an_error_state(drivers: list[BleHealthDriver]) -> None:
    sink = Sink()
    spec = DeviceSpec("bp-9", DeviceKind.BLE, "BP", "02:00:00:00:00:09")
    driver = BleHealthDriver(spec, sink, lambda: T0, scanner_backend=no_adapter_scanner())
    drivers.append(driver)
    driver.start()
    sink.wait(lambda: sink.count(ConnectionState.ERROR) >= 1, "the error state")
    assert (ConnectionState.ERROR, NO_ADAPTER) in sink.states
    driver.stop()
    assert sink.states[-1] == (ConnectionState.DISCONNECTED, "stopped")


def test_a_raising_sink_does_not_stop_the_driver(
    bp: BleSimPeripheral, drivers: list[BleHealthDriver]
) -> None:
    sink = RaisingSink()
    run_driver(drivers, bp, sink)
    bp.measure(systolic=120, diastolic=80, pulse=60).result(5)
    bp.measure(systolic=122, diastolic=81, pulse=61).result(5)
    assert len(sink.finals()) == 2


def test_bad_sim_endpoint_is_an_error_state(drivers: list[BleHealthDriver]) -> None:
    sink = Sink()
    spec = DeviceSpec("bp-8", DeviceKind.BLE, "BP", "02:00:00:00:00:08", {"sim": "nowhere"})
    driver = BleHealthDriver(spec, sink, lambda: T0)
    drivers.append(driver)
    driver.start()
    sink.wait(lambda: sink.count(ConnectionState.ERROR) >= 1, "the error state")
    assert "not host:port" in sink.states[-1][1]


_DISABLED = """
import json, threading
from datetime import UTC, datetime
from app.devices.driver import ConnectionState, DeviceKind, DeviceSpec
from app.devices.drivers.ble_health import BleHealthDriver

states, errored = [], threading.Event()

class Sink:
    def reading(self, reading): pass
    def problem(self, device_id, message): pass
    def state(self, device_id, state, detail=""):
        states.append([str(state), detail])
        if state is ConnectionState.ERROR:
            errored.set()

spec = DeviceSpec("bp", DeviceKind.BLE, "BP", "02:00:00:00:00:01", {"sim": "127.0.0.1:9"})
driver = BleHealthDriver(spec, Sink(), lambda: datetime.now(UTC))
driver.start()
errored.wait(20)
driver.stop()
print(json.dumps(states))
"""


def test_simulators_disabled_is_an_error_state_not_a_crash() -> None:
    env = {k: v for k, v in os.environ.items() if k != "HWC_SPOKE_SIMULATORS"}
    done = subprocess.run(
        [sys.executable, "-c", _DISABLED],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    states = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(states) == 1
    state, detail = states[0]
    assert state == "error"
    assert "simulated device unavailable" in detail and "demo mode" in detail
