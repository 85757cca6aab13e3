"""BleLink and scanning, through bleak's real BleakScanner/BleakClient with the simulator's
backends (loopback TCP, port 0), and the mapping of bleak/OS failures to plain words."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from bleak.backends.scanner import AdvertisementDataCallback, BaseBleakScanner
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
)

from app.devices.simulators.ble_sim import BleSimPeripheral, SimClientBackend, SimScannerBackend
from app.devices.transports.aio import shared_loop
from app.devices.transports.ble_link import (
    NO_ADAPTER,
    BleLink,
    BleLinkError,
    FoundDevice,
    find_async,
    link_error,
    scan,
    scan_async,
    short_uuid,
    start_scan,
)

T = TypeVar("T")


def on_loop(coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
    """Run on the shared device loop, as the drivers do."""
    return shared_loop().submit(coro).result(timeout)


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    event = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        event.wait(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def bp() -> Iterator[BleSimPeripheral]:
    with BleSimPeripheral("bp", pace=0.0, seed=3) as sim:
        yield sim


def failing_scanner(exc: BaseException) -> type[BaseBleakScanner]:
    class Failing(BaseBleakScanner):
        def __init__(
            self,
            detection_callback: AdvertisementDataCallback | None,
            service_uuids: list[str] | None,
            *args: Any,
            **kwargs: Any,
        ) -> None:
            super().__init__(detection_callback, service_uuids)

        async def start(self) -> None:
            raise exc

        async def stop(self) -> None:
            pass

    return Failing


class RefusingClient(SimClientBackend):
    async def connect(self, pair: bool, **kwargs: Any) -> None:
        raise BleakBluetoothNotAvailableError(
            "No powered Bluetooth adapters found.", BleakBluetoothNotAvailableReason.POWERED_OFF
        )


def test_scan_finds_the_simulated_bp_monitor(bp: BleSimPeripheral) -> None:
    dead = "127.0.0.1:1"  # nothing listens there: skipped, not an error
    backend = SimScannerBackend.for_endpoints([dead, bp.endpoint])
    found = scan(0.3, scanner_backend=backend)
    assert found == [
        FoundDevice(bp.address, bp.name, bp.rssi, ("blood_pressure",), found[0].device)
    ]
    assert start_scan(0.3, scanner_backend=backend).result(5)[0].address == bp.address


def test_scan_lists_several_kinds_strongest_first() -> None:
    with (
        BleSimPeripheral("thermometer", rssi=-80) as far,
        BleSimPeripheral("oximeter", rssi=-40) as near,
    ):
        backend = SimScannerBackend.for_endpoints([far.endpoint, near.endpoint])
        found = scan(0.3, scanner_backend=backend)
    assert [(f.address, f.kinds) for f in found] == [
        (near.address, ("pulse_oximeter",)),
        (far.address, ("thermometer",)),
    ]


def test_scan_refuses_to_block_the_device_loop() -> None:
    async def inside() -> None:
        scan(0.1, scanner_backend=SimScannerBackend.for_endpoints([]))

    with pytest.raises(RuntimeError, match="scan_async"):
        on_loop(inside())


def test_link_connect_read_subscribe_write_and_lost(bp: BleSimPeripheral) -> None:
    scanner = SimScannerBackend.for_endpoints(bp.endpoint)
    lost = threading.Event()
    cuff: list[bytes] = []
    link = BleLink(client_backend=SimClientBackend, on_disconnect=lost.set)

    async def connect() -> None:
        found = await find_async(bp.address, 3, scanner_backend=scanner)
        assert found is not None
        await link.connect(found)
        await link.subscribe("2a36", cuff.append)

    on_loop(connect())
    assert link.is_connected and link.name == bp.name
    assert {"2a35", "2a36", "2a49", "2a29"} <= {short_uuid(u) for u in link.characteristics}
    assert link.properties("2a35") == ("indicate",)
    assert on_loop(link.read("2a49")) == b"\x00\x00"
    on_loop(link.write("2a49", b"\x01\x00", response=False))  # not writable: no reply awaited
    with pytest.raises(BleLinkError, match="refused"):
        on_loop(link.write("2a49", b"\x01\x00"))
    with pytest.raises(BleLinkError, match="no characteristic 2a5e"):
        on_loop(link.read("2a5e"))

    bp.measure(systolic=130, diastolic=85, pulse=75).result(5)
    wait_until(lambda: len(cuff) == 8, "eight cuff pressures")
    assert cuff[0][0] == 0x00  # flags: mmHg, nothing optional

    bp.drop_connection()
    assert lost.wait(5)
    on_loop(link.wait_disconnected())
    assert not link.is_connected
    with pytest.raises(BleLinkError, match="not connected"):
        on_loop(link.read("2a49"))
    on_loop(link.disconnect())  # idempotent after a loss


def test_own_disconnect_is_not_reported_as_lost(bp: BleSimPeripheral) -> None:
    lost = threading.Event()
    link = BleLink(client_backend=SimClientBackend, on_disconnect=lost.set)

    async def scenario() -> None:
        found = await find_async(
            bp.address, 3, scanner_backend=SimScannerBackend.for_endpoints(bp.endpoint)
        )
        assert found is not None
        await link.connect(found)
        await link.disconnect()
        await link.disconnect()
        await link.wait_disconnected()

    on_loop(scenario())
    wait_until(lambda: not bp.connected, "the simulator to see the disconnect")
    assert not lost.is_set()


def test_find_gives_none_when_nobody_advertises() -> None:
    backend = SimScannerBackend.for_endpoints([])
    assert on_loop(find_async("02:00:00:00:00:01", 0.2, scanner_backend=backend)) is None


def test_connect_to_a_vanished_device_is_a_plain_error(bp: BleSimPeripheral) -> None:
    scanner = SimScannerBackend.for_endpoints(bp.endpoint)
    found = on_loop(find_async(bp.address, 3, scanner_backend=scanner))
    assert found is not None
    bp.stop()
    with pytest.raises(BleLinkError, match="not found") as failed:
        on_loop(BleLink(client_backend=SimClientBackend, timeout=2).connect(found))
    assert not failed.value.unavailable


@pytest.mark.parametrize(
    "exc",
    [
        BleakBluetoothNotAvailableError(
            "No Bluetooth adapters found.", BleakBluetoothNotAvailableReason.NO_BLUETOOTH
        ),
        BleakDBusError("org.freedesktop.DBus.Error.ServiceUnknown", ["bluez not running"]),
        BleakError("adapter 'hci0' not found"),
        FileNotFoundError(2, "No such file or directory"),  # no D-Bus system bus at all
    ],
)
def test_missing_adapter_is_said_plainly(exc: BaseException) -> None:
    with pytest.raises(BleLinkError) as failed:
        scan(0.2, scanner_backend=failing_scanner(exc))
    assert failed.value.message == NO_ADAPTER
    assert failed.value.unavailable
    with pytest.raises(BleLinkError, match=NO_ADAPTER):
        on_loop(find_async("02:00:00:00:00:01", 0.2, scanner_backend=failing_scanner(exc)))


def test_connect_errors_are_mapped(bp: BleSimPeripheral) -> None:
    found = on_loop(
        find_async(bp.address, 3, scanner_backend=SimScannerBackend.for_endpoints(bp.endpoint))
    )
    assert found is not None
    with pytest.raises(BleLinkError, match="switched off") as failed:
        on_loop(BleLink(client_backend=RefusingClient).connect(found))
    assert failed.value.unavailable


@pytest.mark.parametrize(
    ("exc", "text", "unavailable"),
    [
        (BleakDeviceNotFoundError("AA:BB"), "device AA:BB not found", False),
        (BleakGATTProtocolError(0x05), "insufficient authentication", False),
        (TimeoutError(), "did not answer in time", False),
        (PermissionError(), "denied", True),
        (ImportError("winrt"), "missing on this computer", True),
        (BleakError("Unsupported backend: x"), "not supported", True),
        (
            BleakBluetoothNotAvailableError("x", BleakBluetoothNotAvailableReason.DENIED_BY_USER),
            "denied",
            True,
        ),
        (BleakError("something odd"), "Bluetooth error: something odd", False),
    ],
)
def test_link_error_words(exc: BaseException, text: str, unavailable: bool) -> None:
    error = link_error(exc)
    assert text in error.message
    assert error.unavailable is unavailable


def _no_system_bus() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("DBUS_SYSTEM_BUS_ADDRESS"):
        return False
    return not any(
        Path(p).exists() for p in ("/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket")
    )


@pytest.mark.skipif(
    not _no_system_bus(), reason="only deterministic on Linux without a D-Bus system bus"
)
def test_bleak_default_backend_without_bluetooth_says_no_adapter() -> None:
    with pytest.raises(BleLinkError) as failed:
        on_loop(scan_async(0.5))
    assert failed.value.message == NO_ADAPTER
