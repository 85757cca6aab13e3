"""The contract between drivers and the device manager.

A *driver* owns one paired device: it runs its transport on the driver's own thread (a serial
reader thread, the shared asyncio loop for BLE and TCP), frames and decodes what arrives, and
reports to a ``DriverSink``. Drivers never touch the store, the clock of the PC beyond
``received_at``, or the GUI: the manager decides what a reading means for the open case.

Rules every driver keeps:

* ``start()`` returns at once; ``stop()`` returns within its timeout, closes the transport and
  joins or cancels the driver's work. Both are idempotent and safe from any thread.
* Sink calls come from the driver's thread. A sink method raising must not kill the driver
  (drivers catch, log and go on).
* A malformed frame is reported through ``sink.problem`` (with the ``DecodeError`` text) and
  dropped; the driver keeps reading. A lost port or link is ``ConnectionState.ERROR`` or
  ``DISCONNECTED`` and the driver retries on its own with backoff until stopped.
* ``DeviceReading.final`` is False for live values shown while measuring (cuff pressure while
  inflating, an unsteady scale, the oximeter's running values) and True for a value the
  operator is offered to keep. Live readings are throttled by the driver to at most ~5 a second.
* ``dedupe_key`` identifies a final reading across re-sends (a BLE stored-record burst on each
  reconnect, an HL7 resend with the same control id): equal keys from one device are one
  reading. None means "no identity" and the manager falls back to the values and a time window.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from app.devices.measurement import PARSER_VERSION, Measurement


class DeviceKind(StrEnum):
    """Which driver runs a paired device."""

    BLE = "ble"  # a Bluetooth LE health device (BP, thermometer, oximeter, scale, glucometer)
    CMS50 = "cms50"  # Contec CMS50 pulse oximeter on a USB-serial cable
    SCALE = "scale"  # RS-232 weighing scale streaming ST,GS lines
    HL7 = "hl7"  # a bedside monitor sending HL7 v2 ORU over MLLP to our TCP listener


class ConnectionState(StrEnum):
    DISCONNECTED = "disconnected"  # not running, or waiting to retry
    CONNECTING = "connecting"
    CONNECTED = "connected"  # port open / BLE connected / listener bound
    ERROR = "error"  # the detail says what (port gone, permission denied, address in use)


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """A paired device as stored: what to open and how to call it."""

    device_id: str  # our id for the pairing (uuid), stored with each observation
    kind: DeviceKind
    name: str  # the operator's label, e.g. "BP monitor (A&D UA-651)"
    address: str  # serial port path / BLE address / "host:port" to listen on
    options: Mapping[str, str] = field(default_factory=dict)  # baud, services, sender ...


@dataclass(frozen=True, slots=True)
class DeviceReading:
    device_id: str
    measurement: Measurement
    raw: bytes  # the frame(s) exactly as received, kept for re-parsing after a fix
    received_at: datetime  # PC time (aware UTC) when the frame arrived
    final: bool = True
    dedupe_key: Hashable | None = None
    parser_version: str = PARSER_VERSION


class DriverSink(Protocol):
    def reading(self, reading: DeviceReading) -> None: ...

    def state(self, device_id: str, state: ConnectionState, detail: str = "") -> None: ...

    def problem(self, device_id: str, message: str) -> None: ...


class Driver(Protocol):
    spec: DeviceSpec

    def start(self) -> None: ...

    def stop(self, timeout: float = 2.0) -> None: ...


Now = Callable[[], datetime]  # the clock drivers stamp ``received_at`` with (aware UTC)
