"""Pairing devices, and device readings offered to the open case (accepted or not)."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.devices.simulators.serial_sims import OximeterSimulator
from app.domain.errors import DomainError, PermissionDenied
from app.domain.models import ObservationSource
from app.domain.vitals import PULSE, SPO2
from app.services.container import Services
from app.services.devices import ConnectionState, DeviceKind
from tests.services.helpers import Staff, draft


def wait_for(predicate, timeout: float = 10.0, what: str = "condition"):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def case_id(services: Services, staff: Staff):
    patient = services.patients.register(staff.paramedic, draft())
    return services.cases.start(staff.paramedic, patient.id).id


QUICK = {"steady_seconds": "1", "protocol": "legacy"}  # defaults are covered by driver tests


@pytest.fixture
def oximeter():
    sim = OximeterSimulator(spo2=96, pulse=78, jitter=False)
    sim.start()
    yield sim
    sim.stop()


def test_field_it_pairs_and_the_pairing_is_kept(services: Services, staff: Staff) -> None:
    d = services.devices.pair(staff.admin, DeviceKind.CMS50, " Oximeter  1 ", "/dev/ttyUSB0")
    assert d.name == "Oximeter 1"
    assert [p.id for p in services.devices.paired()] == [d.id]
    assert services.devices.paired()[0].paired_by == staff.admin.id


def test_a_paramedic_may_not_pair_or_forget(services: Services, staff: Staff) -> None:
    with pytest.raises(PermissionDenied):
        services.devices.pair(staff.paramedic, DeviceKind.SCALE, "Scale", "/dev/ttyUSB1")
    d = services.devices.pair(staff.admin, DeviceKind.SCALE, "Scale", "/dev/ttyUSB1")
    with pytest.raises(PermissionDenied):
        services.devices.forget(staff.paramedic, d.id)
    assert len(services.devices.paired()) == 1


def test_the_same_port_cannot_be_paired_twice(services: Services, staff: Staff) -> None:
    services.devices.pair(staff.admin, DeviceKind.CMS50, "Oximeter", "/dev/ttyUSB0")
    with pytest.raises(DomainError) as err:
        services.devices.pair(staff.admin, DeviceKind.CMS50, "Other", "/dev/ttyUSB0")
    assert (err.value.code, err.value.field) == ("device.already_paired", "address")


@pytest.mark.parametrize(
    ("kind", "name", "address", "code"),
    [
        ("toaster", "X", "/dev/x", "device.kind_unknown"),
        (DeviceKind.CMS50, "  ", "/dev/x", "device.name_required"),
        (DeviceKind.CMS50, "X", " ", "device.address_required"),
    ],
)
def test_pairing_input_is_checked(services, staff, kind, name, address, code) -> None:
    with pytest.raises(DomainError) as err:
        services.devices.pair(staff.admin, kind, name, address)
    assert err.value.code == code
    assert services.devices.paired() == []


def test_rename_repoint_and_forget(services: Services, staff: Staff) -> None:
    d = services.devices.pair(staff.admin, DeviceKind.CMS50, "Oximeter", "/dev/ttyUSB0")
    services.devices.update(staff.admin, d.id, name="Oximeter (OPD)", address="/dev/ttyUSB3")
    (again,) = services.devices.paired()
    assert (again.name, again.address, again.paired_at) == (
        "Oximeter (OPD)",
        "/dev/ttyUSB3",
        d.paired_at,
    )
    services.devices.forget(staff.admin, d.id)
    assert services.devices.paired() == []
    with pytest.raises(DomainError) as err:
        services.devices.forget(staff.admin, d.id)
    assert err.value.code == "device.not_found"


def _pending(services: Services, case_id) -> list:
    return services.devices.pending(case_id)


def test_an_oximeter_reading_reaches_the_open_case_and_is_kept_with_its_bytes(
    services: Services, staff: Staff, case_id, oximeter
) -> None:
    d = services.devices.pair(staff.admin, DeviceKind.CMS50, "Oximeter", oximeter.port, QUICK)
    services.devices.set_target(case_id)
    services.devices.start()
    try:
        wait_for(lambda: _pending(services, case_id), what="a steady oximeter reading")
        status = services.devices.statuses()[0]
        assert status.state is ConnectionState.CONNECTED
        (p,) = _pending(services, case_id)
        assert dict((c, v) for c, v, _ in p.values) == {SPO2: 96, PULSE: 78}
        assert p.device_name == "Oximeter"
        assert services.cases.detail(staff.paramedic, case_id).observations == []

        recorded = services.devices.accept(staff.paramedic, p.id)
        assert {r.observation.code for r in recorded} == {SPO2, PULSE}
        for r in services.cases.detail(staff.paramedic, case_id).observations:
            o = r.observation
            assert (o.source, o.device_id) == (ObservationSource.DEVICE, d.id)
            assert len(o.raw) == 5 and o.raw[0] & 0x80  # one CMS50 live frame, as received
            assert o.parser_version
        assert _pending(services, case_id) == []
        (stored,) = services.devices.paired()
        assert isinstance(stored.last_reading_at, datetime)
    finally:
        services.devices.stop()


def test_a_rejected_reading_is_never_stored(services, staff, case_id, oximeter) -> None:
    services.devices.pair(staff.admin, DeviceKind.CMS50, "Oximeter", oximeter.port, QUICK)
    services.devices.set_target(case_id)
    services.devices.start()
    try:
        (p,) = wait_for(lambda: _pending(services, case_id), what="a reading")
        services.devices.reject(staff.paramedic, p.id)
        assert _pending(services, case_id) == []
        assert services.cases.detail(staff.paramedic, case_id).observations == []
        with pytest.raises(DomainError) as err:
            services.devices.accept(staff.paramedic, p.id)
        assert err.value.code == "reading.not_found"
    finally:
        services.devices.stop()


def test_a_reading_taken_before_the_case_was_opened_joins_it(
    services, staff, case_id, oximeter
) -> None:
    services.devices.pair(staff.admin, DeviceKind.CMS50, "Oximeter", oximeter.port, QUICK)
    services.devices.start()
    try:
        wait_for(lambda: services.devices.paired()[0].last_reading_at, what="a reading")
        assert _pending(services, case_id) == []
        services.devices.set_target(case_id)
        assert len(_pending(services, case_id)) == 1
    finally:
        services.devices.stop()


def test_an_impossible_device_value_is_refused_like_a_typed_one(
    services, staff, case_id, oximeter
) -> None:
    oximeter.set_values(spo2=99, pulse=15)  # a pulse of 15 is below the hard limit
    services.devices.pair(staff.admin, DeviceKind.CMS50, "Oximeter", oximeter.port, QUICK)
    services.devices.set_target(case_id)
    services.devices.start()
    try:
        (p,) = wait_for(lambda: _pending(services, case_id), what="a reading")
        assert [e.code for e in p.refusals] == ["vital.below_limit"]
        with pytest.raises(DomainError):
            services.devices.accept(staff.paramedic, p.id)
        assert services.cases.detail(staff.paramedic, case_id).observations == []
        assert len(_pending(services, case_id)) == 1  # still there, to be discarded
    finally:
        services.devices.stop()


def test_a_missing_port_shows_an_error_and_nothing_else(services, staff, tmp_path) -> None:
    services.devices.pair(staff.admin, DeviceKind.CMS50, "Oximeter", str(tmp_path / "ttyUSB9"))
    services.devices.start()
    try:
        status = wait_for(
            lambda: next(
                (s for s in services.devices.statuses() if s.state is ConnectionState.ERROR),
                None,
            ),
            what="an error state",
        )
        assert "ttyUSB9" in status.detail
    finally:
        services.devices.stop()


def test_a_bluetooth_monitor_found_by_a_scan_is_paired_and_its_reading_kept(
    services: Services, staff: Staff, case_id, monkeypatch
) -> None:
    from app.devices.simulators.ble_sim import BleSimPeripheral
    from app.domain.vitals import DIASTOLIC, SYSTOLIC

    with BleSimPeripheral("bp", name="UA-651BLE") as bp:
        monkeypatch.setenv("HWC_SPOKE_BLE_SIM", bp.endpoint)
        with pytest.raises(PermissionDenied):
            services.devices.scan_bluetooth(staff.paramedic, timeout=2.0)
        (found,) = services.devices.scan_bluetooth(staff.admin, timeout=2.0)
        assert (found.address, found.name) == (bp.address, "UA-651BLE")
        d = services.devices.pair(staff.admin, DeviceKind.BLE, "BP monitor", found.address)
        assert d.options == {"sim": bp.endpoint, "measures": "blood_pressure"}
        services.devices.set_target(case_id)
        services.devices.start()
        try:
            wait_for(
                lambda: any(
                    s.state is ConnectionState.CONNECTED for s in services.devices.statuses()
                ),
                what="the BP monitor to connect",
            )
            bp.measure(systolic=142, diastolic=91, pulse=77).result(10)
            (p,) = wait_for(lambda: _pending(services, case_id), what="the cuff reading")
            assert {c: v for c, v, _ in p.values} == {SYSTOLIC: 142, DIASTOLIC: 91, PULSE: 77}
            services.devices.accept(staff.paramedic, p.id)
            stored = services.cases.detail(staff.paramedic, case_id).observations
            assert sorted(r.observation.code for r in stored) == sorted(
                [SYSTOLIC, DIASTOLIC, PULSE]
            )
            assert all(r.observation.device_time is not None for r in stored)
        finally:
            services.devices.stop()


def test_a_reading_from_the_device_memory_is_marked_as_measured_earlier(
    services: Services, staff: Staff, case_id, clock, monkeypatch
) -> None:
    from datetime import timedelta

    from app.devices.simulators.ble_sim import BleSimPeripheral

    local_now = clock().astimezone().replace(tzinfo=None, microsecond=0)
    two_hours_ago = local_now - timedelta(hours=2)
    device_clock = [two_hours_ago]
    with BleSimPeripheral("bp", clock=lambda: device_clock[0]) as bp:
        bp.measure(systolic=131, diastolic=85, pulse=70).result(10)  # stored: nobody connected
        monkeypatch.setenv("HWC_SPOKE_BLE_SIM", bp.endpoint)
        (found,) = services.devices.scan_bluetooth(staff.admin, timeout=2.0)
        services.devices.pair(staff.admin, DeviceKind.BLE, "BP monitor", found.address)
        services.devices.set_target(case_id)
        services.devices.start()
        try:
            (old,) = wait_for(lambda: _pending(services, case_id), what="the stored reading")
            assert old.measured_earlier is not None
            assert old.measured_earlier == two_hours_ago.astimezone()
            device_clock[0] = local_now
            bp.measure(systolic=120, diastolic=80, pulse=72).result(10)
            wait_for(lambda: len(_pending(services, case_id)) == 2, what="the new reading")
            readings = _pending(services, case_id)
        finally:
            services.devices.stop()
    assert [p.measured_earlier is None for p in readings] == [False, True]
