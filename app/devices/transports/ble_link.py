"""``BleLink``: the app's small seam over bleak, plus scanning for BLE health devices.

What: scan for devices that advertise a health service (blood pressure 0x1810, thermometer
0x1809, pulse oximeter 0x1822, weight scale 0x181D, glucose 0x1808, heart rate 0x180D), find
one by address, and hold one connection: subscribe (notify and indicate alike), read, write,
disconnect, and hear about a lost link. Everything goes through bleak's public API
(``BleakScanner``, ``BleakClient``); only the bleak *backend* classes are passed in, None
meaning bleak's platform default, so tests and the demo swap the radio and nothing else.

Why: drivers should not know bleak's exception zoo or its keyword drift between versions.
Every failure leaves here as ``BleLinkError`` with a sentence an operator can read, and
``unavailable`` set when Bluetooth itself is missing (no adapter, switched off, denied)
rather than one device being away.

Threading: ``BleLink`` methods and the ``*_async`` functions run on the shared device loop
(``app.devices.transports.aio.shared_loop``), and callbacks are called on that loop.
``scan`` and ``start_scan`` are for callers on other threads (worker threads, never the GUI
thread: ``scan`` blocks).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from bleak import BleakClient, BleakScanner
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakCharacteristicNotFoundError,
    BleakDBusError,
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
)
from bleak.uuids import normalize_uuid_16, normalize_uuid_str

from app.devices.transports.aio import shared_loop

__all__ = [
    "HEALTH_SERVICES",
    "NO_ADAPTER",
    "BleLink",
    "BleLinkError",
    "FoundDevice",
    "find_async",
    "link_error",
    "scan",
    "scan_async",
    "short_uuid",
    "start_scan",
]

log = logging.getLogger(__name__)

HEALTH_SERVICES: Mapping[str, str] = {
    normalize_uuid_16(0x1810): "blood_pressure",
    normalize_uuid_16(0x1809): "thermometer",
    normalize_uuid_16(0x1822): "pulse_oximeter",
    normalize_uuid_16(0x181D): "weight_scale",
    normalize_uuid_16(0x1808): "glucose",
    normalize_uuid_16(0x180D): "heart_rate",
}

NO_ADAPTER = "no Bluetooth adapter found"
CONNECT_TIMEOUT_S = 20.0
DISCONNECT_TIMEOUT_S = 2.0

ValueCallback = Callable[[bytes], None]

_NOT_AVAILABLE = {
    BleakBluetoothNotAvailableReason.NO_BLUETOOTH: NO_ADAPTER,
    BleakBluetoothNotAvailableReason.NO_BLE_CENTRAL_ROLE: (
        "the Bluetooth adapter cannot connect to Bluetooth LE devices"
    ),
    BleakBluetoothNotAvailableReason.POWERED_OFF: "Bluetooth is switched off",
    BleakBluetoothNotAvailableReason.DENIED_BY_USER: "Bluetooth access was denied",
    BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM: "Bluetooth access was denied",
    BleakBluetoothNotAvailableReason.DENIED_BY_UNKNOWN: "Bluetooth access was denied",
    BleakBluetoothNotAvailableReason.UNKNOWN: "Bluetooth is not available",
}
# BlueZ is not running (ServiceUnknown) or has no such adapter: to the operator, no adapter.
_DBUS_NO_ADAPTER = (
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.bluez.Error.NotReady",
)


class BleLinkError(Exception):
    """A Bluetooth failure in words an operator can read.

    ``unavailable`` is True when Bluetooth itself cannot be used on this computer, as opposed
    to one device being out of range or refusing.
    """

    def __init__(self, message: str, *, unavailable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unavailable = unavailable


def short_uuid(uuid: str) -> str:
    """``"00002a35-0000-1000-8000-00805f9b34fb"`` -> ``"2a35"`` (SIG base UUIDs only)."""
    full = normalize_uuid_str(uuid)
    return full[4:8] if full.endswith("-0000-1000-8000-00805f9b34fb") else full


def link_error(exc: BaseException) -> BleLinkError:
    """The plain-words ``BleLinkError`` for what bleak or the OS raised."""
    if isinstance(exc, BleLinkError):
        return exc
    if isinstance(exc, BleakBluetoothNotAvailableError):
        return BleLinkError(_NOT_AVAILABLE.get(exc.reason, NO_ADAPTER), unavailable=True)
    if isinstance(exc, BleakDBusError):
        if exc.dbus_error in _DBUS_NO_ADAPTER:
            return BleLinkError(NO_ADAPTER, unavailable=True)
        return BleLinkError(f"Bluetooth error: {exc.dbus_error_details or exc.dbus_error}")
    if isinstance(exc, BleakDeviceNotFoundError):
        return BleLinkError(f"device {exc.identifier} not found (switched off or out of range?)")
    if isinstance(exc, BleakCharacteristicNotFoundError):
        return BleLinkError(f"the device has no characteristic {exc.char_specifier}")
    if isinstance(exc, BleakGATTProtocolError):
        reason = exc.code.name.replace("_", " ").lower()
        return BleLinkError(f"the device refused the request ({reason}, 0x{int(exc.code):02X})")
    if isinstance(exc, BleakError):
        text = str(exc)
        if "adapter" in text.lower() and "not found" in text.lower():
            return BleLinkError(NO_ADAPTER, unavailable=True)
        if "unsupported backend" in text.lower():
            return BleLinkError("Bluetooth is not supported on this computer", unavailable=True)
        return BleLinkError(f"Bluetooth error: {text}")
    if isinstance(exc, TimeoutError):
        return BleLinkError("the device did not answer in time")
    # On Linux, no D-Bus system bus at all (a container, a minimal install) surfaces as the
    # socket path missing or refusing: there is no Bluetooth stack to talk to.
    if isinstance(exc, FileNotFoundError | ConnectionRefusedError):
        return BleLinkError(NO_ADAPTER, unavailable=True)
    if isinstance(exc, PermissionError):
        return BleLinkError("Bluetooth access was denied", unavailable=True)
    if isinstance(exc, ImportError):  # a platform backend's OS bindings are not installed
        return BleLinkError("Bluetooth support is missing on this computer", unavailable=True)
    return BleLinkError(f"Bluetooth error: {type(exc).__name__}: {exc}")


_ERRORS = (BleakError, OSError, TimeoutError, ImportError)


@dataclass(frozen=True, slots=True)
class FoundDevice:
    """A device seen while scanning; ``kinds`` are the health services it advertises."""

    address: str
    name: str | None
    rssi: int
    kinds: tuple[str, ...]
    device: BLEDevice = field(compare=False, repr=False)  # what bleak connects to


def _found(device: BLEDevice, adv: AdvertisementData) -> FoundDevice:
    kinds = tuple(
        dict.fromkeys(
            HEALTH_SERVICES[u]
            for u in map(normalize_uuid_str, adv.service_uuids)
            if u in HEALTH_SERVICES
        )
    )
    return FoundDevice(device.address, adv.local_name or device.name, adv.rssi, kinds, device)


def _scanner_args(scanner_backend: type[BaseBleakScanner] | None) -> dict[str, Any]:
    return {} if scanner_backend is None else {"backend": scanner_backend}


async def scan_async(
    timeout: float, *, scanner_backend: type[BaseBleakScanner] | None = None
) -> list[FoundDevice]:
    """Devices advertising a health service, strongest signal first."""
    try:
        seen = await BleakScanner.discover(
            timeout,
            return_adv=True,
            service_uuids=list(HEALTH_SERVICES),
            **_scanner_args(scanner_backend),
        )
    except _ERRORS as exc:
        raise link_error(exc) from exc
    found = [_found(device, adv) for device, adv in seen.values()]
    return sorted(found, key=lambda f: f.rssi, reverse=True)


async def find_async(
    address: str, timeout: float, *, scanner_backend: type[BaseBleakScanner] | None = None
) -> FoundDevice | None:
    """The device with this address once it advertises, or None after ``timeout`` seconds.

    Not filtered by service: a paired device is known by its address, and some only put the
    health service in their advertisement while in pairing mode.
    """
    wanted = address.lower()
    adverts: dict[str, AdvertisementData] = {}

    def match(device: BLEDevice, adv: AdvertisementData) -> bool:
        if device.address.lower() != wanted:
            return False
        adverts[device.address] = adv
        return True

    try:
        device = await BleakScanner.find_device_by_filter(
            match, timeout=timeout, **_scanner_args(scanner_backend)
        )
    except _ERRORS as exc:
        raise link_error(exc) from exc
    return None if device is None else _found(device, adverts[device.address])


def start_scan(
    timeout: float, *, scanner_backend: type[BaseBleakScanner] | None = None
) -> Future[list[FoundDevice]]:
    """``scan_async`` on the shared device loop, from any thread."""
    return shared_loop().submit(scan_async(timeout, scanner_backend=scanner_backend))


def scan(
    timeout: float, *, scanner_backend: type[BaseBleakScanner] | None = None
) -> list[FoundDevice]:
    """Scan for ``timeout`` seconds and return what was found; blocks (worker threads only).

    Raises ``BleLinkError``.
    """
    loop = shared_loop()
    if loop.in_loop_thread():
        raise RuntimeError("scan() blocks; on the device loop, await scan_async() instead")
    future = start_scan(timeout, scanner_backend=scanner_backend)
    try:
        return future.result(timeout + CONNECT_TIMEOUT_S)
    except TimeoutError as exc:
        future.cancel()
        raise BleLinkError("the Bluetooth scan did not finish") from exc


class BleLink:
    """One connection to one peripheral, over bleak.

    ``on_disconnect`` is called (on the device loop) when the link drops without our asking.
    Characteristics are named by UUID in any form bleak accepts ("2a35" or 128-bit).
    """

    def __init__(
        self,
        *,
        client_backend: type[BaseBleakClient] | None = None,
        on_disconnect: Callable[[], None] | None = None,
        timeout: float = CONNECT_TIMEOUT_S,
    ) -> None:
        self._backend = client_backend
        self._on_disconnect = on_disconnect
        self._timeout = timeout
        self._client: BleakClient | None = None
        self._closing = False
        self._lost: asyncio.Event | None = None

    @property
    def is_connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    @property
    def name(self) -> str:
        return "" if self._client is None else self._client.name

    @property
    def characteristics(self) -> frozenset[str]:
        """The 128-bit UUIDs of every characteristic the device offers (after connect)."""
        if self._client is None:
            return frozenset()
        return frozenset(c.uuid for c in self._client.services.characteristics.values())

    def properties(self, uuid: str) -> tuple[str, ...]:
        """The GATT properties of a characteristic ("read", "notify", "indicate", ...)."""
        char = self._characteristic(uuid)
        return tuple(char.properties)

    async def connect(self, device: FoundDevice | BLEDevice) -> None:
        """Connect and discover the GATT table. Raises ``BleLinkError``."""
        if self._client is not None:
            raise RuntimeError("BleLink.connect: already connected; disconnect first")
        target = device.device if isinstance(device, FoundDevice) else device
        self._closing = False
        self._lost = asyncio.Event()
        try:
            client = BleakClient(
                target,
                disconnected_callback=self._disconnected,
                timeout=self._timeout,
                backend=self._backend,
            )
            # bleak has its own timeout; this one guards against a backend that ignores it
            async with asyncio.timeout(self._timeout + 5):
                await client.connect()
        except _ERRORS as exc:
            self._lost.set()
            raise link_error(exc) from exc
        self._client = client

    def _disconnected(self, client: BleakClient) -> None:
        if self._lost is not None:
            self._lost.set()
        if self._closing or self._on_disconnect is None:
            return  # BlueZ reports our own disconnects too
        try:
            self._on_disconnect()
        except Exception:
            log.exception("on_disconnect callback failed")

    async def wait_disconnected(self) -> None:
        """Return once the link is down (at once when it never came up)."""
        if self._lost is not None:
            await self._lost.wait()

    def _connected(self) -> BleakClient:
        if self._client is None or not self._client.is_connected:
            raise BleLinkError("not connected")
        return self._client

    def _characteristic(self, uuid: str) -> BleakGATTCharacteristic:
        char = self._connected().services.get_characteristic(normalize_uuid_str(uuid))
        if char is None:
            raise BleLinkError(f"the device has no characteristic {short_uuid(uuid)}")
        return char

    async def subscribe(self, uuid: str, callback: ValueCallback) -> None:
        """Notifications or indications (whichever the characteristic has) to ``callback``."""
        char = self._characteristic(uuid)

        def deliver(_: object, data: bytearray) -> None:
            callback(bytes(data))

        try:
            await self._connected().start_notify(char, deliver)
        except _ERRORS as exc:
            raise link_error(exc) from exc

    async def read(self, uuid: str) -> bytes:
        try:
            return bytes(await self._connected().read_gatt_char(self._characteristic(uuid)))
        except _ERRORS as exc:
            raise link_error(exc) from exc

    async def write(self, uuid: str, data: bytes, response: bool = True) -> None:
        char = self._characteristic(uuid)
        try:
            await self._connected().write_gatt_char(char, data, response=response)
        except _ERRORS as exc:
            raise link_error(exc) from exc

    async def disconnect(self) -> None:
        """Close the link; idempotent, never raises, bounded in time."""
        client, self._client = self._client, None
        self._closing = True
        if self._lost is not None:
            self._lost.set()
        if client is None:
            return
        try:
            async with asyncio.timeout(DISCONNECT_TIMEOUT_S):
                await client.disconnect()
        except _ERRORS as exc:  # the link is being dropped anyway; the device will notice
            log.debug("disconnect from %s: %r", client.address, exc)
