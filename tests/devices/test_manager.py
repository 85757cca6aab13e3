"""The device manager: driver lifecycle, state, dropping re-sends, event order.

Drivers here are scripted stand-ins that report from their own thread, as real ones do; the
manager's own logic is what runs for real. The drivers themselves are tested against real
pseudo-terminals, sockets and the bleak backend seam in their own files.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest

from app.devices.driver import (
    ConnectionState,
    DeviceKind,
    DeviceReading,
    DeviceSpec,
    DriverSink,
    Now,
)
from app.devices.manager import (
    DeviceManager,
    DeviceProblem,
    Event,
    FinalReading,
    LiveReading,
    StatusChanged,
)
from app.devices.measurement import Measurement, Reading
from app.domain.vitals import PULSE, SPO2

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def clock() -> datetime:
    return T0


class ScriptedDriver:
    instances: ClassVar[list[ScriptedDriver]] = []

    def __init__(self, spec: DeviceSpec, sink: DriverSink, now: Now) -> None:
        self.spec = spec
        self.sink = sink
        self.started = threading.Event()
        self.stopped = threading.Event()
        ScriptedDriver.instances.append(self)

    def start(self) -> None:
        self.started.set()
        self.sink.state(self.spec.device_id, ConnectionState.CONNECTED, "port open")

    def stop(self, timeout: float = 2.0) -> None:
        self.stopped.set()

    def emit(self, *readings: DeviceReading) -> None:
        def run() -> None:
            for r in readings:
                self.sink.reading(r)

        t = threading.Thread(target=run)
        t.start()
        t.join()


def spec(device_id: str = "oxi", address: str = "/dev/ttyUSB0") -> DeviceSpec:
    return DeviceSpec(device_id, DeviceKind.CMS50, "Oximeter", address)


def reading(
    device_id: str = "oxi",
    spo2: float = 97,
    *,
    final: bool = True,
    key: object = None,
    taken_at: datetime | None = None,
    received_at: datetime = T0,
) -> DeviceReading:
    m = Measurement(
        "cms50:live",
        (Reading(SPO2, spo2, "%"), Reading(PULSE, 76, "/min")),
        taken_at=taken_at,
    )
    raw = b"\xc5\x40\x06\x4c\x61"
    return DeviceReading(device_id, m, raw, received_at, final=final, dedupe_key=key)


@pytest.fixture
def manager():
    ScriptedDriver.instances.clear()
    m = DeviceManager(ScriptedDriver, clock)
    events: list[Event] = []
    m.add_listener(events.append)
    m.events = events  # type: ignore[attr-defined]
    yield m
    m.close()


def finals(events: list[Event]) -> list[DeviceReading]:
    return [e.reading for e in events if isinstance(e, FinalReading)]


def test_apply_starts_drivers_and_reports_their_state(manager) -> None:
    manager.apply([spec()])
    assert manager.flush()
    (driver,) = ScriptedDriver.instances
    assert driver.started.is_set()
    status = manager.status("oxi")
    assert status is not None
    assert status.state is ConnectionState.CONNECTED
    assert status.detail == "port open"
    states = [e.status.state for e in manager.events if isinstance(e, StatusChanged)]
    assert states == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]


def test_applying_the_same_specs_again_keeps_the_running_driver(manager) -> None:
    manager.apply([spec()])
    manager.apply([spec()])
    assert manager.flush()
    assert len(ScriptedDriver.instances) == 1
    assert not ScriptedDriver.instances[0].stopped.is_set()


def test_a_changed_address_restarts_the_driver(manager) -> None:
    manager.apply([spec()])
    manager.apply([spec(address="/dev/ttyUSB1")])
    assert manager.flush()
    first, second = ScriptedDriver.instances
    assert first.stopped.is_set()
    assert not second.stopped.is_set()
    assert second.spec.address == "/dev/ttyUSB1"


def test_forgotten_devices_are_stopped_and_their_late_reports_ignored(manager) -> None:
    manager.apply([spec()])
    assert manager.flush()
    (driver,) = ScriptedDriver.instances
    manager.apply([])
    driver.emit(reading())
    driver.sink.state("oxi", ConnectionState.ERROR, "late")
    assert manager.flush()
    assert driver.stopped.is_set()
    assert manager.statuses() == []
    assert finals(manager.events) == []


def test_a_resend_with_the_same_key_is_dropped(manager) -> None:
    manager.apply([spec()])
    (driver,) = ScriptedDriver.instances
    driver.emit(reading(key=("2a35", 1)), reading(key=("2a35", 1)), reading(key=("2a35", 2)))
    assert manager.flush()
    assert [r.dedupe_key for r in finals(manager.events)] == [("2a35", 1), ("2a35", 2)]


def test_without_a_key_the_device_time_and_values_identify_a_reading(manager) -> None:
    manager.apply([spec()])
    (driver,) = ScriptedDriver.instances
    t = datetime(2026, 11, 26, 15, 0)
    driver.emit(reading(taken_at=t), reading(taken_at=t), reading(spo2=98, taken_at=t))
    assert manager.flush()
    assert [r.measurement.readings[0].value for r in finals(manager.events)] == [97, 98]


def test_with_no_identity_the_same_values_within_a_minute_are_one_reading(manager) -> None:
    manager.apply([spec()])
    (driver,) = ScriptedDriver.instances
    later = T0 + timedelta(seconds=61)
    driver.emit(
        reading(),
        reading(),  # a re-send after a cable hiccup
        reading(spo2=95),  # a new value
        reading(spo2=95, received_at=later),  # the same value a minute later: measured again
    )
    assert manager.flush()
    assert [(r.measurement.readings[0].value, r.received_at) for r in finals(manager.events)] == [
        (97, T0),
        (95, T0),
        (95, later),
    ]


def test_the_same_key_from_two_devices_is_two_readings(manager) -> None:
    manager.apply([spec("a", "/dev/a"), spec("b", "/dev/b")])
    a, b = ScriptedDriver.instances
    a.emit(reading("a", key=1))
    b.emit(reading("b", key=1))
    assert manager.flush()
    assert sorted(r.device_id for r in finals(manager.events)) == ["a", "b"]


def test_live_readings_are_never_deduplicated_or_final(manager) -> None:
    manager.apply([spec()])
    (driver,) = ScriptedDriver.instances
    driver.emit(reading(final=False, key=1), reading(final=False, key=1))
    assert manager.flush()
    live = [e for e in manager.events if isinstance(e, LiveReading)]
    assert len(live) == 2
    assert finals(manager.events) == []
    status = manager.status("oxi")
    assert status is not None and status.last is not None and not status.last.final


def test_problems_are_reported_and_kept_on_the_status(manager) -> None:
    manager.apply([spec()])
    (driver,) = ScriptedDriver.instances
    driver.sink.problem("oxi", "cms50:live: byte 3 has bit 7 set")
    assert manager.flush()
    assert DeviceProblem("oxi", "cms50:live: byte 3 has bit 7 set") in manager.events
    status = manager.status("oxi")
    assert status is not None and "bit 7" in status.problem


def test_a_failing_listener_does_not_stop_the_others(manager) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("listener bug")

    manager.add_listener(broken)
    seen: list[Event] = []
    manager.add_listener(seen.append)
    manager.apply([spec()])
    (driver,) = ScriptedDriver.instances
    driver.emit(reading(key=5))
    assert manager.flush()
    assert any(isinstance(e, FinalReading) for e in seen)


def test_a_driver_that_cannot_be_created_shows_an_error_state() -> None:
    def factory(spec: DeviceSpec, sink: DriverSink, now: Now) -> ScriptedDriver:
        raise ValueError("unknown option 'baud=fast'")

    m = DeviceManager(factory, clock)
    try:
        m.apply([spec()])
        assert m.flush()
        status = m.status("oxi")
        assert status is not None
        assert status.state is ConnectionState.ERROR
        assert "baud=fast" in status.detail
    finally:
        m.close()


def test_close_stops_every_driver_and_ignores_later_applies(manager) -> None:
    manager.apply([spec("a", "/dev/a"), spec("b", "/dev/b")])
    manager.close()
    assert all(d.stopped.is_set() for d in ScriptedDriver.instances)
    manager.apply([spec("c", "/dev/c")])
    assert len(ScriptedDriver.instances) == 2
