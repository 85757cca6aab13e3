"""Simulated Bluetooth LE health peripherals, and the bleak backends that reach them.

What: ``BleSimPeripheral`` plays a BLE blood-pressure monitor, thermometer, pulse oximeter,
weighing scale or glucometer. It advertises a name, an address and its health service, serves
a GATT table, and sends the real characteristic bytes (built by the encoders below, which
decode back to the same values through ``app.devices.decode``). ``SimClientBackend`` and
``SimScannerBackend`` are bleak *backends*: the app's real code path (``BleakScanner``,
``BleakClient``, ``BleLink``, the driver) runs unchanged and only the radio is replaced.

Why a socket: the peripheral must also run as its own process (the demo starts one per
device), so the backends talk to it over loopback TCP, never through shared objects.

Scanners find simulators through explicit endpoints (``SimScannerBackend.for_endpoints``) or
the environment variable ``HWC_SPOKE_BLE_SIM="127.0.0.1:5001,127.0.0.1:5002"``.

Wire protocol ``hwc-ble-sim/1`` (the peripheral is the TCP server)
------------------------------------------------------------------
Every message is one frame: a 4-byte big-endian length, then that many bytes of a UTF-8 JSON
object (at most 64 KiB). Attribute values travel as lowercase hex strings. UUIDs are bleak's
normalised 128-bit strings. Requests carry an ``id`` that the reply echoes.

The first frame of a connection says what it is for::

    scanner -> {"op": "advertise", "v": 1}
    sim     -> {"op": "advertisement", "address": "02:48:..", "name": "..",
                "services": ["00001810-0000-1000-8000-00805f9b34fb"], "rssi": -60}
               or {"op": "silent"} while a central is connected (a connected peripheral
               stops advertising, as real ones do); the sim then closes the socket.
    client  -> {"op": "connect", "v": 1, "id": 1}
    sim     -> {"op": "result", "id": 1, "ok": true, "name": .., "address": .., "mtu": 247,
                "services": [{"uuid": .., "handle": 1, "characteristics": [{"uuid": ..,
                "handle": 2, "properties": ["indicate"], "descriptors": [{"uuid":
                "00002902-0000-1000-8000-00805f9b34fb", "handle": 3}]}]}]}
               or {"op": "result", "id": 1, "ok": false, "error": "busy"} (one central only).

On a connected link (the client sends requests one after another, as ATT does)::

    {"op": "read", "id": n, "handle": h}                        -> result with "value"
    {"op": "write", "id": n, "handle": h, "value": hex, "response": true}  -> result
        ("response": false is a write command: no result is sent)
    {"op": "read_descriptor", "id": n, "handle": h}             -> result with "value"
    {"op": "write_descriptor", "id": n, "handle": h, "value": hex}  -> result
        (the CCCD: "0100" notify, "0200" indicate, "0000" off)
    {"op": "disconnect", "id": n}                                -> result, then the sim closes
    a failure: {"op": "result", "id": n, "ok": false, "error": text, "att": code}
        with the ATT error code (0x01 invalid handle, 0x02 read / 0x03 write not permitted,
        0x0D bad length, 0xFD CCCD improperly configured, 0xFE procedure in progress)

    sim -> {"op": "value", "handle": h, "value": hex, "indicate": false}   a notification
    sim -> {"op": "value", "handle": h, "value": hex, "indicate": true, "seq": k}
    client -> {"op": "confirm", "seq": k}   once its callback has run. As in ATT, the sim
        sends the next indication only after the confirmation (10 s, then it drops the link).

A closed socket is a lost link. ``drop_connection()`` aborts it to test reconnects.

Device behaviour: enabling indications on a final measurement (0x2A35, 0x2A1C, 0x2A5E, 0x2A9D)
sends the stored records again, oldest first, as BP monitors do on every connect. Glucose
records go out through the Record Access Control Point 0x2A52 (report stored records: all,
first, last, >= sequence number; report number of records; abort); a new glucose record is
also notified at once when a client has 0x2A18 notifications on.

Threading: each peripheral runs on its own asyncio loop thread; its public methods are safe
from any thread and return ``concurrent.futures.Future`` where the work takes time. The bleak
backends run on whatever loop bleak is used from (the shared device loop in the app).
"""

from __future__ import annotations

# isort: off
import app.devices.simulators  # noqa: F401  (first: refuses to load outside demo mode and tests)

# isort: on
import asyncio
import contextlib
import itertools
import json
import logging
import os
import random
import struct
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar, cast

from bleak.args import SizedBuffer
from bleak.assigned_numbers import CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from bleak.uuids import normalize_uuid_16, normalize_uuid_str

from app.devices.parsers.ieee11073 import Special
from app.devices.transports.aio import LoopThread

__all__ = [
    "ENV_ENDPOINTS",
    "KINDS",
    "BleSimPeripheral",
    "ProtocolError",
    "SimClientBackend",
    "SimDetails",
    "SimScannerBackend",
    "encode_blood_pressure",
    "encode_date_time",
    "encode_float32",
    "encode_glucose",
    "encode_intermediate_cuff_pressure",
    "encode_plx_continuous",
    "encode_plx_spot_check",
    "encode_sfloat",
    "encode_temperature",
    "encode_weight",
    "endpoints_from_env",
    "split_endpoint",
]

log = logging.getLogger(__name__)

ENV_ENDPOINTS = "HWC_SPOKE_BLE_SIM"
PROTOCOL_VERSION = 1
MAX_FRAME = 64 * 1024
MTU = 247
CONFIRM_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 10.0  # the ATT transaction timeout is 30 s; a loopback peer is faster
CCCD = normalize_uuid_16(0x2902)

Number = Decimal | int | float | str
T = TypeVar("T")
Message = dict[str, Any]

# ATT error codes the simulator answers with (Core spec Vol 3 Part F 3.4.1.1, and CSS for 0xFD/FE).
ATT_INVALID_HANDLE = 0x01
ATT_READ_NOT_PERMITTED = 0x02
ATT_WRITE_NOT_PERMITTED = 0x03
ATT_INVALID_LENGTH = 0x0D
ATT_CCCD_IMPROPER = 0xFD
ATT_IN_PROGRESS = 0xFE


# --- encoders: values -> the characteristic bytes (device reference 1.0-1.5) ----------------


def _decimal(value: Number) -> Decimal:
    # str() first, so 36.6 stays 36.6 and does not become the float's binary expansion
    result = value if isinstance(value, Decimal) else Decimal(str(value))
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def _mantissa_exponent(value: Number, mantissa_bits: int, exponent_bits: int) -> tuple[int, int]:
    """The exact (mantissa, exponent) for an IEEE-11073 number, or ValueError.

    The top three and bottom three mantissa patterns are the special values, so the usable
    mantissa range is +-(2^(bits-1) - 3). The exponent is shifted only where that is exact.
    """
    exact = _decimal(value)
    sign, digits, exponent = exact.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    magnitude = int("".join(map(str, digits)) or "0")
    limit = (1 << (mantissa_bits - 1)) - 3
    low, high = -(1 << (exponent_bits - 1)), (1 << (exponent_bits - 1)) - 1
    if magnitude == 0:
        return 0, min(max(exponent, low), high)
    while (magnitude > limit or exponent < low) and magnitude % 10 == 0:
        magnitude //= 10
        exponent += 1
    while exponent > high and magnitude * 10 <= limit:
        magnitude *= 10
        exponent -= 1
    if magnitude > limit or not low <= exponent <= high:
        raise ValueError(f"{value} cannot be sent exactly in {mantissa_bits + exponent_bits} bits")
    return (-magnitude if sign else magnitude), exponent


_SFLOAT_SPECIAL = {
    Special.NAN: 0x07FF,
    Special.NRES: 0x0800,
    Special.POS_INF: 0x07FE,
    Special.NEG_INF: 0x0802,
    Special.RESERVED: 0x0801,
}
_FLOAT_SPECIAL = {
    Special.NAN: 0x007FFFFF,
    Special.NRES: 0x00800000,
    Special.POS_INF: 0x007FFFFE,
    Special.NEG_INF: 0x00800002,
    Special.RESERVED: 0x00800001,
}


def encode_sfloat(value: Number | Special) -> bytes:
    """16-bit SFLOAT, little-endian: 4-bit two's-complement exponent, 12-bit mantissa."""
    if isinstance(value, Special):
        raw = _SFLOAT_SPECIAL[value]
    else:
        mantissa, exponent = _mantissa_exponent(value, 12, 4)
        raw = (exponent & 0x0F) << 12 | (mantissa & 0x0FFF)
    return raw.to_bytes(2, "little")


def encode_float32(value: Number | Special) -> bytes:
    """32-bit FLOAT, little-endian: 8-bit two's-complement exponent, 24-bit mantissa."""
    if isinstance(value, Special):
        raw = _FLOAT_SPECIAL[value]
    else:
        mantissa, exponent = _mantissa_exponent(value, 24, 8)
        raw = (exponent & 0xFF) << 24 | (mantissa & 0x00FFFFFF)
    return raw.to_bytes(4, "little")


def encode_date_time(when: datetime) -> bytes:
    return struct.pack(
        "<HBBBBB", when.year, when.month, when.day, when.hour, when.minute, when.second
    )


def _steps(value: Number, step: Decimal, what: str) -> int:
    """``value`` as a whole number of ``step``s (a fixed-resolution field), or ValueError."""
    count = _decimal(value) / step
    if count != count.to_integral_value():
        raise ValueError(f"{what} {value} is not a multiple of {step}")
    return int(count)


def _bp(
    first: Number | Special,
    second: Number | Special,
    third: Number | Special,
    *,
    pulse: Number | Special | None,
    taken_at: datetime | None,
    user_id: int | None,
    status: int | None,
    kpa: bool,
) -> bytes:
    flags = (
        (0x01 if kpa else 0)
        | (0x02 if taken_at is not None else 0)
        | (0x04 if pulse is not None else 0)
        | (0x08 if user_id is not None else 0)
        | (0x10 if status is not None else 0)
    )
    out = bytearray([flags])
    out += encode_sfloat(first) + encode_sfloat(second) + encode_sfloat(third)
    if taken_at is not None:
        out += encode_date_time(taken_at)
    if pulse is not None:
        out += encode_sfloat(pulse)
    if user_id is not None:
        out.append(user_id)
    if status is not None:
        out += status.to_bytes(2, "little")
    return bytes(out)


def encode_blood_pressure(
    systolic: Number | Special,
    diastolic: Number | Special,
    mean_arterial: Number | Special,
    *,
    pulse: Number | Special | None = None,
    taken_at: datetime | None = None,
    user_id: int | None = None,
    status: int | None = None,
    kpa: bool = False,
) -> bytes:
    """0x2A35 Blood Pressure Measurement (reference 1.1)."""
    return _bp(
        systolic,
        diastolic,
        mean_arterial,
        pulse=pulse,
        taken_at=taken_at,
        user_id=user_id,
        status=status,
        kpa=kpa,
    )


def encode_intermediate_cuff_pressure(
    cuff: Number | Special,
    *,
    pulse: Number | Special | None = None,
    taken_at: datetime | None = None,
    kpa: bool = False,
) -> bytes:
    """0x2A36 Intermediate Cuff Pressure: the diastolic and MAP slots carry NaN."""
    return _bp(
        cuff,
        Special.NAN,
        Special.NAN,
        pulse=pulse,
        taken_at=taken_at,
        user_id=None,
        status=None,
        kpa=kpa,
    )


def encode_temperature(
    value: Number | Special,
    *,
    fahrenheit: bool = False,
    taken_at: datetime | None = None,
    site: int | None = None,
) -> bytes:
    """0x2A1C Temperature Measurement (reference 1.2); ``site`` is the Temperature Type."""
    flags = (
        (0x01 if fahrenheit else 0)
        | (0x02 if taken_at is not None else 0)
        | (0x04 if site is not None else 0)
    )
    out = bytearray([flags]) + encode_float32(value)
    if taken_at is not None:
        out += encode_date_time(taken_at)
    if site is not None:
        out.append(site)
    return bytes(out)


def encode_plx_spot_check(
    spo2: Number | Special,
    pulse: Number | Special,
    *,
    taken_at: datetime | None = None,
    measurement_status: int | None = None,
    clock_not_set: bool = False,
) -> bytes:
    """0x2A5E PLX Spot-Check Measurement (reference 1.3)."""
    flags = (
        (0x01 if taken_at is not None else 0)
        | (0x02 if measurement_status is not None else 0)
        | (0x10 if clock_not_set else 0)
    )
    out = bytearray([flags]) + encode_sfloat(spo2) + encode_sfloat(pulse)
    if taken_at is not None:
        out += encode_date_time(taken_at)
    if measurement_status is not None:
        out += measurement_status.to_bytes(2, "little")
    return bytes(out)


def encode_plx_continuous(
    spo2: Number | Special,
    pulse: Number | Special,
    *,
    measurement_status: int | None = None,
) -> bytes:
    """0x2A5F PLX Continuous Measurement, SpO2PR-Normal only (reference 1.3)."""
    flags = 0x04 if measurement_status is not None else 0
    out = bytearray([flags]) + encode_sfloat(spo2) + encode_sfloat(pulse)
    if measurement_status is not None:
        out += measurement_status.to_bytes(2, "little")
    return bytes(out)


_KG_STEP = Decimal("0.005")
_LB_STEP = Decimal("0.01")
_TENTH = Decimal("0.1")


def encode_weight(
    weight: Number | None,
    *,
    pounds: bool = False,
    taken_at: datetime | None = None,
    user_id: int | None = None,
    bmi: Number | None = None,
    height: Number | None = None,
) -> bytes:
    """0x2A9D Weight Measurement (reference 1.4): kg in 0.005 kg steps (lb in 0.01 lb); None
    is 0xFFFF "measurement unsuccessful". ``height`` is in cm (in), 0.1 per step, with ``bmi``.
    """
    if (bmi is None) != (height is None):
        raise ValueError("BMI and height are sent together or not at all")
    flags = (
        (0x01 if pounds else 0)
        | (0x02 if taken_at is not None else 0)
        | (0x04 if user_id is not None else 0)
        | (0x08 if bmi is not None else 0)
    )
    raw = 0xFFFF if weight is None else _steps(weight, _LB_STEP if pounds else _KG_STEP, "weight")
    if not 0 <= raw <= 0xFFFF:
        raise ValueError(f"weight {weight} is out of range")
    out = bytearray([flags]) + raw.to_bytes(2, "little")
    if taken_at is not None:
        out += encode_date_time(taken_at)
    if user_id is not None:
        out.append(user_id)
    if bmi is not None and height is not None:
        out += _steps(bmi, _TENTH, "BMI").to_bytes(2, "little")
        out += _steps(height, _TENTH, "height").to_bytes(2, "little")
    return bytes(out)


def encode_glucose(
    sequence: int,
    concentration: Number | Special,
    *,
    taken_at: datetime,
    mmol: bool = False,
    sample_type: int = 1,
    location: int = 1,
    time_offset_minutes: int | None = None,
    sensor_status: int | None = None,
) -> bytes:
    """0x2A18 Glucose Measurement (reference 1.5): ``concentration`` in mg/dL (mmol/L when
    ``mmol``), sent as kg/L (mol/L) the way meters do: 95 mg/dL is mantissa 95, exponent -5.
    Type 1 capillary whole blood and location 1 finger are the defaults."""
    flags = (
        (0x01 if time_offset_minutes is not None else 0)
        | 0x02
        | (0x04 if mmol else 0)
        | (0x08 if sensor_status is not None else 0)
    )
    out = bytearray([flags]) + sequence.to_bytes(2, "little") + encode_date_time(taken_at)
    if time_offset_minutes is not None:
        out += time_offset_minutes.to_bytes(2, "little", signed=True)
    if isinstance(concentration, Special):
        out += encode_sfloat(concentration)
    else:
        out += encode_sfloat(_decimal(concentration).scaleb(-3 if mmol else -5))
    out.append((location & 0x0F) << 4 | (sample_type & 0x0F))
    if sensor_status is not None:
        out += sensor_status.to_bytes(2, "little")
    return bytes(out)


# --- the wire protocol ---------------------------------------------------------------------


class ProtocolError(Exception):
    """A frame that does not follow hwc-ble-sim/1."""


def encode_frame(message: Message) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()
    if len(body) > MAX_FRAME:
        raise ProtocolError(f"frame of {len(body)} bytes exceeds {MAX_FRAME}")
    return len(body).to_bytes(4, "big") + body


async def read_frame(reader: asyncio.StreamReader) -> Message:
    """The next message; ``asyncio.IncompleteReadError`` at the end of the stream."""
    size = int.from_bytes(await reader.readexactly(4), "big")
    if size > MAX_FRAME:
        raise ProtocolError(f"frame of {size} bytes exceeds {MAX_FRAME}")
    try:
        message = json.loads(await reader.readexactly(size))
    except ValueError as exc:  # JSON or UTF-8
        raise ProtocolError(f"frame is not JSON: {exc}") from exc
    if not isinstance(message, dict) or not isinstance(message.get("op"), str):
        raise ProtocolError("frame is not an object with an 'op'")
    return message


def split_endpoint(endpoint: str) -> tuple[str, int]:
    """``"127.0.0.1:5001"`` -> ("127.0.0.1", 5001); ValueError otherwise."""
    host, sep, port = endpoint.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise ValueError(f"simulator endpoint {endpoint!r} is not host:port")
    return host.strip("[]"), int(port)


def endpoints_from_env() -> tuple[str, ...]:
    """The endpoints listed in ``HWC_SPOKE_BLE_SIM`` (comma-separated host:port)."""
    raw = os.environ.get(ENV_ENDPOINTS, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


# What ends a link: the socket closing or failing, a silent peer, or a frame with bad fields
# (hex, handle types), as a garbled ATT PDU would.
_LINK_ENDED = (OSError, ProtocolError, TimeoutError, EOFError, LookupError, TypeError, ValueError)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):  # never CancelledError: a stop must stay a stop
        await writer.wait_closed()


async def _advertisement(endpoint: str, timeout: float) -> Message | None:
    """The peripheral's advertisement, or None when it is gone, connected or not a simulator."""
    try:
        host, port = split_endpoint(endpoint)
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
    except (OSError, ValueError, TimeoutError):
        return None
    try:
        writer.write(encode_frame({"op": "advertise", "v": PROTOCOL_VERSION}))
        async with asyncio.timeout(timeout):
            reply = await read_frame(reader)
    except (OSError, ProtocolError, TimeoutError, asyncio.IncompleteReadError):
        return None
    finally:
        await _close(writer)
    return reply if reply["op"] == "advertisement" else None


# --- the simulated peripheral ----------------------------------------------------------------

Kind = Literal["bp", "thermometer", "oximeter", "scale", "glucometer"]

_BP_SERVICE, _THERMO_SERVICE, _PLX_SERVICE = 0x1810, 0x1809, 0x1822
_WEIGHT_SERVICE, _GLUCOSE_SERVICE = 0x181D, 0x1808
_BPM, _ICP, _BP_FEATURE = 0x2A35, 0x2A36, 0x2A49
_TEMPERATURE, _TEMPERATURE_TYPE = 0x2A1C, 0x2A1D
_SPOT, _CONTINUOUS, _PLX_FEATURES = 0x2A5E, 0x2A5F, 0x2A60
_WEIGHT, _WEIGHT_FEATURE = 0x2A9D, 0x2A9E
_GLUCOSE, _GLUCOSE_CONTEXT, _GLUCOSE_FEATURE, _RACP = 0x2A18, 0x2A34, 0x2A51, 0x2A52

_ARMPIT = 1
# Weight Scale Feature: time stamp supported (bit 0), weight resolution 7 = 0.005 kg (bits 3-6).
_WEIGHT_FEATURE_VALUE = (0x01 | 7 << 3).to_bytes(4, "little")

Profile = tuple[int, tuple[tuple[int, tuple[CharacteristicPropertyName, ...], bytes], ...]]

_PROFILES: dict[str, Profile] = {
    "bp": (
        _BP_SERVICE,
        (
            (_BPM, ("indicate",), b""),
            (_ICP, ("notify",), b""),
            (_BP_FEATURE, ("read",), b"\x00\x00"),
        ),
    ),
    "thermometer": (
        _THERMO_SERVICE,
        ((_TEMPERATURE, ("indicate",), b""), (_TEMPERATURE_TYPE, ("read",), bytes([_ARMPIT]))),
    ),
    "oximeter": (
        _PLX_SERVICE,
        (
            (_SPOT, ("indicate",), b""),
            (_CONTINUOUS, ("notify",), b""),
            (_PLX_FEATURES, ("read",), b"\x00\x00"),
        ),
    ),
    "scale": (
        _WEIGHT_SERVICE,
        ((_WEIGHT, ("indicate",), b""), (_WEIGHT_FEATURE, ("read",), _WEIGHT_FEATURE_VALUE)),
    ),
    "glucometer": (
        _GLUCOSE_SERVICE,
        (
            (_GLUCOSE, ("notify",), b""),
            (_GLUCOSE_CONTEXT, ("notify",), b""),
            (_GLUCOSE_FEATURE, ("read",), b"\x00\x00"),
            (_RACP, ("write", "indicate"), b""),
        ),
    ),
}
KINDS: tuple[str, ...] = tuple(_PROFILES)

_NAMES = {
    "bp": "HWC-Sim BP",
    "thermometer": "HWC-Sim Thermo",
    "oximeter": "HWC-Sim SpO2",
    "scale": "HWC-Sim Scale",
    "glucometer": "HWC-Sim Glucose",
}
_VALUES: dict[str, tuple[str, ...]] = {
    "bp": ("systolic", "diastolic", "mean_arterial", "pulse"),
    "thermometer": ("temperature",),
    "oximeter": ("spo2", "pulse"),
    "scale": ("weight",),
    "glucometer": ("glucose",),
}
# Final measurements that a device keeps and indicates again whenever a client subscribes.
_BURST = (_BPM, _TEMPERATURE, _SPOT, _WEIGHT)

_serial = itertools.count(1)

# RACP (reference 1.5 and the Glucose Service): op codes, operators, response codes.
_RACP_REPORT, _RACP_ABORT, _RACP_COUNT = 0x01, 0x03, 0x04
_RACP_COUNT_RESPONSE, _RACP_RESPONSE = 0x05, 0x06
_OP_ALL, _OP_AT_LEAST, _OP_FIRST, _OP_LAST = 0x01, 0x03, 0x05, 0x06
_RC_SUCCESS, _RC_NOT_SUPPORTED, _RC_INVALID_OPERATOR = 0x01, 0x02, 0x03
_RC_OPERATOR_NOT_SUPPORTED, _RC_INVALID_OPERAND, _RC_NO_RECORDS = 0x04, 0x05, 0x06
_FILTER_SEQUENCE = 0x01


@dataclass(slots=True)
class _Char:
    uuid: str
    handle: int
    properties: tuple[CharacteristicPropertyName, ...]
    value: bytes
    cccd: int | None  # the handle of its Client Characteristic Configuration, if it has one


@dataclass(slots=True)
class _Service:
    uuid: str
    handle: int
    chars: list[_Char]


def _gatt_table(kind: str, model: str) -> list[_Service]:
    service_uuid, chars = _PROFILES[kind]
    layout: list[tuple[int, tuple[tuple[int, tuple[CharacteristicPropertyName, ...], bytes], ...]]]
    layout = [
        (service_uuid, chars),
        (
            0x180A,  # Device Information: manufacturer and model number, as real devices show
            (
                (0x2A29, ("read",), b"HWC Spoke simulator"),
                (0x2A24, ("read",), model.encode()),
            ),
        ),
        (0x180F, ((0x2A19, ("read",), bytes([95])),)),  # Battery Level, percent
    ]
    handles = itertools.count(1)
    services: list[_Service] = []
    for uuid16, members in layout:
        service = _Service(normalize_uuid_16(uuid16), next(handles), [])
        for char_uuid, properties, value in members:
            handle = next(handles)
            notifies = "notify" in properties or "indicate" in properties
            cccd = next(handles) if notifies else None
            service.chars.append(
                _Char(normalize_uuid_16(char_uuid), handle, properties, value, cccd)
            )
        services.append(service)
    return services


def _table_message(services: Sequence[_Service]) -> list[Message]:
    return [
        {
            "uuid": s.uuid,
            "handle": s.handle,
            "characteristics": [
                {
                    "uuid": c.uuid,
                    "handle": c.handle,
                    "properties": list(c.properties),
                    "descriptors": [] if c.cccd is None else [{"uuid": CCCD, "handle": c.cccd}],
                }
                for c in s.chars
            ],
        }
        for s in services
    ]


class _AttError(Exception):
    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code


@dataclass(eq=False)
class _Link:
    """One connected central, as the peripheral sees it."""

    writer: asyncio.StreamWriter
    cccd: dict[int, int] = field(default_factory=dict)  # characteristic handle -> 0/1/2
    confirms: dict[int, asyncio.Future[None]] = field(default_factory=dict)
    sequence: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    indicating: asyncio.Lock = field(default_factory=asyncio.Lock)
    racp_busy: bool = False
    racp_abort: bool = False
    closed: bool = False

    def send(self, message: Message) -> None:
        if not self.closed:
            self.writer.write(encode_frame(message))

    def close(self, abort: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        for waiter in self.confirms.values():
            if not waiter.done():
                waiter.set_exception(ConnectionError("link closed"))
        self.confirms.clear()
        if abort:
            self.writer.transport.abort()
        else:
            self.writer.close()


class BleSimPeripheral:
    """A simulated BLE health device listening on ``host:port`` (port 0 picks a free one).

    ``measure(**values)`` takes a measurement (random realistic values unless given): the
    BP monitor's values are ``systolic``, ``diastolic``, ``mean_arterial`` and ``pulse`` (mmHg,
    /min); the thermometer's ``temperature`` (Cel); the oximeter's ``spo2`` and ``pulse``; the
    scale's ``weight`` (kg, 0.005 kg steps); the glucometer's ``glucose`` (mg/dL).
    """

    def __init__(
        self,
        kind: Kind | str = "bp",
        host: str = "127.0.0.1",
        port: int = 0,
        name: str | None = None,
        address: str | None = None,
        *,
        stored: int = 5,
        rssi: int = -60,
        pace: float = 0.1,
        seed: int | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if kind not in _PROFILES:
            raise ValueError(f"unknown simulator kind {kind!r}; known: {', '.join(KINDS)}")
        self.kind = kind
        self.host = host
        self.name = name or _NAMES[kind]
        number = next(_serial)
        self.address = (
            address
            or f"02:48:57:{KINDS.index(kind):02X}:{number >> 8 & 0xFF:02X}:{number & 0xFF:02X}"
        )
        self.rssi = rssi
        self.pace = pace
        self._port = port
        self._rng = random.Random(seed)
        self._clock = clock or (lambda: datetime.now().replace(microsecond=0))
        self._services = _gatt_table(kind, f"SIM-{kind.upper()}")
        self._by_handle = {c.handle: c for s in self._services for c in s.chars}
        self._by_cccd = {c.cccd: c for c in self._by_handle.values() if c.cccd is not None}
        self._stored: dict[int, deque[bytes]] = {uuid: deque(maxlen=stored) for uuid in _BURST}
        self._glucose: list[tuple[int, bytes]] = []
        self._glucose_sequence = itertools.count(1)
        self._thread: LoopThread | None = None
        self._server: asyncio.Server | None = None
        self._link: _Link | None = None
        self._tasks: set[asyncio.Task[Any]] = set()  # measurements, bursts, RACP procedures
        self._serving: set[asyncio.Task[Any]] = set()  # one per open socket
        self._writers: set[asyncio.StreamWriter] = set()

    # --- any thread -------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """``"host:port"`` to give scanners (valid once started)."""
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        return f"{self.host}:{self._port}"

    @property
    def connected(self) -> bool:
        return self._link is not None

    def start(self) -> BleSimPeripheral:
        if self._thread is not None:
            return self
        self._thread = LoopThread(name=f"ble-sim-{self.kind}")
        self._thread.submit(self._listen()).result(5)
        return self

    def stop(self, timeout: float = 2.0) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        with contextlib.suppress(Exception):
            thread.submit(self._shutdown()).result(timeout)
        thread.stop(timeout)
        self._server = None

    def __enter__(self) -> BleSimPeripheral:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def measure(self, *, pace: float | None = None, **values: Number) -> Future[bytes]:
        """Take one measurement; the future gives the final record's bytes once it was sent
        (indications confirmed) or stored while no client was connected."""
        unknown = set(values) - set(_VALUES[self.kind])
        if unknown:
            raise ValueError(f"{self.kind} takes {', '.join(_VALUES[self.kind])}, not {unknown}")
        coro = self._measure(values, self.pace if pace is None else pace)
        return self._loop().submit(self._tracked(coro))

    def send_raw(self, uuid: str | int, data: bytes) -> Future[bool]:
        """Notify or indicate ``data`` as it is, e.g. a malformed frame; True when delivered."""
        char = self._char(uuid)
        return self._loop().submit(self._tracked(self._send(char, bytes(data))))

    def drop_connection(self, timeout: float = 2.0) -> None:
        """Lose the link as if the device went out of range (the socket is aborted)."""

        async def drop() -> None:
            link, self._link = self._link, None
            if link is not None:
                link.close(abort=True)

        self._loop().submit(drop()).result(timeout)

    # --- internals (the peripheral's loop thread) ---------------------------------------------

    def _loop(self) -> LoopThread:
        if self._thread is None:
            raise RuntimeError("the simulator is not started")
        return self._thread

    def _char(self, uuid: str | int) -> _Char:
        wanted = normalize_uuid_16(uuid) if isinstance(uuid, int) else normalize_uuid_str(uuid)
        for char in self._by_handle.values():
            if char.uuid == wanted:
                return char
        raise ValueError(f"the {self.kind} simulator has no characteristic {uuid}")

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tracked(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` as a task that ``stop()`` cancels, so none is left pending."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return await task

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self._port)
        self._port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        link, self._link = self._link, None
        if link is not None:
            link.close(abort=True)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # Socket handlers are not cancelled (asyncio's server logs that as an error): their
        # sockets are aborted, and they end on their own.
        for writer in list(self._writers):
            writer.transport.abort()
        if self._serving:
            await asyncio.wait(self._serving, timeout=1.0)

    def _advertisement(self) -> Message:
        if self._link is not None:
            return {"op": "silent"}
        return {
            "op": "advertisement",
            "address": self.address,
            "name": self.name,
            "services": [self._services[0].uuid],
            "rssi": self.rssi,
        }

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._serving.add(task := cast("asyncio.Task[Any]", asyncio.current_task()))
        self._writers.add(writer)
        link: _Link | None = None
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                first = await read_frame(reader)
            if first["op"] == "advertise":
                writer.write(encode_frame(self._advertisement()))
                await writer.drain()
                return
            if first["op"] != "connect":
                return
            if self._link is not None:
                writer.write(encode_frame(_failure(first, "busy: another central is connected")))
                await writer.drain()
                return
            link = self._link = _Link(writer)
            link.send(
                {
                    "op": "result",
                    "id": first.get("id"),
                    "ok": True,
                    "name": self.name,
                    "address": self.address,
                    "mtu": MTU,
                    "services": _table_message(self._services),
                }
            )
            while not link.closed:
                if not self._request(link, await read_frame(reader)):
                    break
        except _LINK_ENDED as exc:
            log.debug("%s: link ended: %r", self.name, exc)
        finally:
            self._serving.discard(task)
            self._writers.discard(writer)
            if link is not None:
                if self._link is link:
                    self._link = None
                link.close()
            await _close(writer)

    def _request(self, link: _Link, message: Message) -> bool:
        """Answer one request; False when the client asked to disconnect."""
        op = message["op"]
        if op == "confirm":
            waiter = link.confirms.pop(message.get("seq", -1), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            return True
        if op == "disconnect":
            link.send({"op": "result", "id": message.get("id"), "ok": True})
            return False
        try:
            reply = self._attribute(link, op, message)
        except _AttError as exc:
            if op == "write" and not message.get("response", True):
                log.debug("%s: write command dropped: %s", self.name, exc)  # ATT: no reply
            else:
                link.send(_failure(message, str(exc), exc.code))
            return True
        if reply is not None:
            link.send({"op": "result", "id": message.get("id"), "ok": True, **reply})
        return True

    def _attribute(self, link: _Link, op: str, message: Message) -> Message | None:
        handle = message.get("handle")
        value = bytes.fromhex(str(message.get("value", "")))
        if op in ("read", "write"):
            char = self._by_handle.get(handle) if isinstance(handle, int) else None
            if char is None:
                raise _AttError(ATT_INVALID_HANDLE, f"no characteristic with handle {handle}")
            if op == "read":
                if "read" not in char.properties:
                    raise _AttError(ATT_READ_NOT_PERMITTED, f"{char.uuid} cannot be read")
                return {"value": char.value.hex()}
            return self._write(link, char, value, bool(message.get("response", True)))
        if op in ("read_descriptor", "write_descriptor"):
            owner = self._by_cccd.get(handle) if isinstance(handle, int) else None
            if owner is None:
                raise _AttError(ATT_INVALID_HANDLE, f"no descriptor with handle {handle}")
            if op == "read_descriptor":
                return {"value": link.cccd.get(owner.handle, 0).to_bytes(2, "little").hex()}
            self._configure(link, owner, value)
            return {}
        raise _AttError(ATT_INVALID_HANDLE, f"unknown request {op!r}")

    def _write(self, link: _Link, char: _Char, value: bytes, response: bool) -> Message | None:
        allowed = "write" if response else "write-without-response"
        if allowed not in char.properties:
            raise _AttError(ATT_WRITE_NOT_PERMITTED, f"{char.uuid} does not take this write")
        if char.uuid == normalize_uuid_16(_RACP):
            if not link.cccd.get(char.handle, 0) & 0x02:
                raise _AttError(ATT_CCCD_IMPROPER, "RACP indications are not enabled")
            if not value:
                raise _AttError(ATT_INVALID_LENGTH, "empty RACP request")
            if value[0] == _RACP_ABORT:  # the one request allowed while another runs
                link.racp_abort = True
                self._spawn(self._send(char, _racp_response(_RACP_ABORT, _RC_SUCCESS), link))
            elif link.racp_busy:
                raise _AttError(ATT_IN_PROGRESS, "a RACP procedure is in progress")
            else:
                link.racp_busy = True
                self._spawn(self._racp(link, char, value))
        else:
            char.value = value
        return {} if response else None

    def _configure(self, link: _Link, char: _Char, value: bytes) -> None:
        if len(value) != 2:
            raise _AttError(ATT_INVALID_LENGTH, "a CCCD value is 2 bytes")
        bits = int.from_bytes(value, "little") & 0x03
        if (bits & 0x01 and "notify" not in char.properties) or (
            bits & 0x02 and "indicate" not in char.properties
        ):
            raise _AttError(ATT_CCCD_IMPROPER, f"{char.uuid} does not support {value.hex()}")
        was = link.cccd.get(char.handle, 0)
        link.cccd[char.handle] = bits
        uuid16 = int(char.uuid[4:8], 16)
        if bits & 0x02 and not was & 0x02 and uuid16 in _BURST:
            self._spawn(self._burst(link, char, list(self._stored[uuid16])))

    async def _burst(self, link: _Link, char: _Char, records: list[bytes]) -> None:
        for record in records:
            if not await self._send(char, record, link):
                return

    async def _send(self, char: _Char, payload: bytes, link: _Link | None = None) -> bool:
        """Notify or indicate ``payload`` on ``char``; False when nobody listens."""
        link = link or self._link
        if link is None or link.closed:
            return False
        bits = link.cccd.get(char.handle, 0)
        frame: Message = {"op": "value", "handle": char.handle, "value": payload.hex()}
        if bits & 0x01:
            link.send({**frame, "indicate": False})
            await link.writer.drain()
            return True
        if not bits & 0x02:
            return False
        async with link.indicating:
            if link.closed:
                return False
            seq = next(link.sequence)
            waiter = asyncio.get_running_loop().create_future()
            link.confirms[seq] = waiter
            link.send({**frame, "indicate": True, "seq": seq})
            try:
                async with asyncio.timeout(CONFIRM_TIMEOUT_S):
                    await waiter
            except TimeoutError:
                log.warning("%s: indication not confirmed; dropping the link", self.name)
                link.close(abort=True)
                return False
            except ConnectionError:
                return False
        return True

    async def _racp(self, link: _Link, racp: _Char, request: bytes) -> None:
        try:
            response = await self._racp_procedure(link, request)
        finally:
            # The response ends the procedure: a client may send its next request as soon as
            # it has the response, before the sim has seen the confirmation.
            link.racp_busy = False
        if response is not None:
            await self._send(racp, response, link)

    async def _racp_procedure(self, link: _Link, request: bytes) -> bytes | None:
        """Run one RACP request; its response, or None when it was aborted."""
        opcode = request[0]
        if opcode not in (_RACP_REPORT, _RACP_COUNT):
            return _racp_response(opcode, _RC_NOT_SUPPORTED)
        selected = self._select(request)
        if isinstance(selected, int):
            return _racp_response(opcode, selected)
        if opcode == _RACP_COUNT:
            return bytes([_RACP_COUNT_RESPONSE, 0]) + len(selected).to_bytes(2, "little")
        glucose = self._char(_GLUCOSE)
        link.racp_abort = False
        for _, record in selected:
            if link.racp_abort:
                return None  # the abort request got the response
            await self._send(glucose, record, link)
        return _racp_response(opcode, _RC_SUCCESS if selected else _RC_NO_RECORDS)

    def _select(self, request: bytes) -> list[tuple[int, bytes]] | int:
        """The records a RACP request asks for, or its error response code."""
        if len(request) < 2 or request[1] == 0:
            return _RC_INVALID_OPERATOR
        operator, operand = request[1], request[2:]
        records = self._glucose
        if operator == _OP_ALL:
            return list(records)
        if operator == _OP_FIRST:
            return records[:1]
        if operator == _OP_LAST:
            return records[-1:]
        if operator == _OP_AT_LEAST:
            if len(operand) != 3 or operand[0] != _FILTER_SEQUENCE:
                return _RC_INVALID_OPERAND
            low = int.from_bytes(operand[1:3], "little")
            return [r for r in records if r[0] >= low]
        return _RC_OPERATOR_NOT_SUPPORTED

    # --- measurements -----------------------------------------------------------------------

    def _pick(self, values: dict[str, Number], name: str, low: int, high: int) -> Decimal:
        if name in values:
            return _decimal(values[name])
        return Decimal(self._rng.randint(low, high))

    async def _measure(self, values: dict[str, Number], pace: float) -> bytes:
        taken_at = self._clock()
        if self.kind == "bp":
            return await self._measure_bp(values, pace, taken_at)
        if self.kind == "thermometer":
            if "temperature" in values:
                celsius = _decimal(values["temperature"])
            else:  # 36.2-37.4 Cel, to the tenth a clinical thermometer shows
                celsius = Decimal(self._rng.randint(362, 374)).scaleb(-1)
            payload = encode_temperature(celsius, taken_at=taken_at, site=_ARMPIT)
            return await self._final(_TEMPERATURE, payload)
        if self.kind == "oximeter":
            spo2 = self._pick(values, "spo2", 95, 99)
            pulse = self._pick(values, "pulse", 62, 96)
            continuous = self._char(_CONTINUOUS)
            for wobble in (-1, 1, 0, 0):
                live = min(spo2 + wobble, Decimal(100))
                await self._send(continuous, encode_plx_continuous(live, pulse + wobble))
                await asyncio.sleep(pace)
            return await self._final(_SPOT, encode_plx_spot_check(spo2, pulse, taken_at=taken_at))
        if self.kind == "scale":
            if "weight" in values:
                weight = _decimal(values["weight"])
            else:  # a person of 45-85 kg, in 0.05 kg display steps
                weight = (Decimal(self._rng.randint(900, 1700)) * Decimal("0.05")).normalize()
            return await self._final(_WEIGHT, encode_weight(weight, taken_at=taken_at))
        glucose = self._pick(values, "glucose", 80, 160)
        sequence = next(self._glucose_sequence)
        payload = encode_glucose(sequence, glucose, taken_at=taken_at)
        self._glucose.append((sequence, payload))
        await self._send(self._char(_GLUCOSE), payload)
        return payload

    async def _measure_bp(
        self, values: dict[str, Number], pace: float, taken_at: datetime
    ) -> bytes:
        systolic = self._pick(values, "systolic", 105, 140)
        diastolic = self._pick(values, "diastolic", 65, 90)
        if "mean_arterial" in values:
            mean = _decimal(values["mean_arterial"])
        else:
            mean = ((systolic + 2 * diastolic) / 3).to_integral_value()
        pulse = self._pick(values, "pulse", 60, 95)
        # The cuff inflates past systolic, then deflates through it to below diastolic.
        peak = int(systolic) + 30
        rising = [peak * i // 4 for i in range(1, 5)]
        falling = [peak - (peak - int(diastolic) + 10) * i // 4 for i in range(1, 5)]
        cuff = self._char(_ICP)
        for pressure in rising + falling:
            await self._send(cuff, encode_intermediate_cuff_pressure(pressure))
            await asyncio.sleep(pace)
        payload = encode_blood_pressure(systolic, diastolic, mean, pulse=pulse, taken_at=taken_at)
        return await self._final(_BPM, payload)

    async def _final(self, uuid16: int, payload: bytes) -> bytes:
        self._stored[uuid16].append(payload)
        await self._send(self._char(uuid16), payload)
        return payload


def _racp_response(opcode: int, code: int) -> bytes:
    return bytes([_RACP_RESPONSE, 0, opcode, code])


def _failure(request: Message, text: str, att: int | None = None) -> Message:
    reply: Message = {"op": "result", "id": request.get("id"), "ok": False, "error": text}
    if att is not None:
        reply["att"] = att
    return reply


# --- bleak backends ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SimDetails:
    """``BLEDevice.details`` for a simulated device: where its simulator listens."""

    endpoint: str


def _advertisement_data(adv: Message, endpoint: str) -> AdvertisementData:
    return AdvertisementData(
        local_name=adv.get("name"),
        manufacturer_data={},
        service_data={},
        service_uuids=[normalize_uuid_str(u) for u in adv.get("services", [])],
        tx_power=None,
        rssi=int(adv.get("rssi", -127)),
        platform_data=(endpoint,),
    )


class SimScannerBackend(BaseBleakScanner):
    """Scans simulators instead of the air: polls each endpoint's advertisement while started.

    Endpoints are the class's ``endpoints`` (see ``for_endpoints``), else ``HWC_SPOKE_BLE_SIM``.
    """

    endpoints: ClassVar[tuple[str, ...] | None] = None
    interval: ClassVar[float] = 0.2  # seconds between polls, a typical advertising interval

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_endpoints(cls, endpoints: Iterable[str] | str) -> type[SimScannerBackend]:
        """A scanner backend class that sees exactly these simulators."""
        listed = (endpoints,) if isinstance(endpoints, str) else tuple(endpoints)
        for endpoint in listed:
            split_endpoint(endpoint)
        bound = type(cls.__name__, (cls,), {"endpoints": listed})
        return cast("type[SimScannerBackend]", bound)

    async def start(self) -> None:
        self.seen_devices = {}
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            # wait() neither raises the poll task's CancelledError nor hides our own
            await asyncio.wait({task})

    async def _poll(self) -> None:
        endpoints = self.endpoints if self.endpoints is not None else endpoints_from_env()
        while True:
            adverts = await asyncio.gather(*(_advertisement(e, 1.0) for e in endpoints))
            for endpoint, adv in zip(endpoints, adverts, strict=True):
                if adv is None:
                    continue
                try:
                    self._seen(endpoint, adv)
                except (TypeError, ValueError) as exc:  # a garbled advertisement: not a device
                    log.debug("advertisement from %s ignored: %r", endpoint, exc)
            await asyncio.sleep(self.interval)

    def _seen(self, endpoint: str, adv: Message) -> None:
        data = _advertisement_data(adv, endpoint)
        if not self.is_allowed_uuid(data.service_uuids):
            return
        address = str(adv.get("address", ""))
        device = self.create_or_update_device(
            address, address, data.local_name, SimDetails(endpoint), data
        )
        self.call_detection_callbacks(device, data)


async def _find_endpoint(address: str, timeout: float) -> str:
    """The simulator advertising ``address`` among ``HWC_SPOKE_BLE_SIM`` (bleak's implicit
    scan when a client is given an address instead of a BLEDevice)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for endpoint in endpoints_from_env():
            adv = await _advertisement(endpoint, 1.0)
            if adv is not None and str(adv.get("address", "")).lower() == address.lower():
                return endpoint
        if loop.time() >= deadline:
            raise BleakDeviceNotFoundError(address, f"Device with address {address} was not found")
        await asyncio.sleep(SimScannerBackend.interval)


class SimClientBackend(BaseBleakClient):
    """A bleak client backend whose radio is the hwc-ble-sim/1 socket protocol."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        services: set[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        details = getattr(address_or_ble_device, "details", None)
        self._endpoint = details.endpoint if isinstance(details, SimDetails) else None
        self._name = getattr(address_or_ble_device, "name", None) or self.address
        self._wanted = services
        self._mtu = 23
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[Message]] = {}
        self._ids = itertools.count(1)
        self._callbacks: dict[int, NotifyCallback] = {}
        self._connected = False
        self._closing = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def mtu_size(self) -> int:
        return self._mtu

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        if self._connected:
            return
        endpoint = self._endpoint or await _find_endpoint(self.address, self._timeout)
        try:
            host, port = split_endpoint(endpoint)
            async with asyncio.timeout(self._timeout):
                reader, writer = await asyncio.open_connection(host, port)
        except (OSError, ValueError, TimeoutError) as exc:
            raise BleakDeviceNotFoundError(
                self.address, f"Device with address {self.address} was not found"
            ) from exc
        try:
            writer.write(encode_frame({"op": "connect", "v": PROTOCOL_VERSION, "id": 0}))
            async with asyncio.timeout(self._timeout):
                reply = await read_frame(reader)
            if reply["op"] != "result" or not reply.get("ok"):
                raise BleakError(f"{self.address}: connection refused ({reply.get('error')})")
            self.services = self._collection(reply.get("services", []))
        except BaseException as exc:
            writer.close()  # also when cancelled: no socket outlives a failed connect
            if isinstance(exc, KeyError | TypeError | ValueError):
                raise BleakError(f"{self.address}: malformed GATT table ({exc!r})") from exc
            if isinstance(exc, OSError | ProtocolError | TimeoutError | EOFError):
                raise BleakError(f"{self.address}: connection failed ({exc!r})") from exc
            raise
        self._name = str(reply.get("name") or self._name)
        self._mtu = int(reply.get("mtu", 23))
        self._reader, self._writer = reader, writer
        self._closing = False
        self._connected = True
        self._reader_task = asyncio.create_task(self._read_loop(reader))

    def _collection(self, table: list[Message]) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for s in table:
            uuid = normalize_uuid_str(s["uuid"])
            if self._wanted is not None and uuid not in self._wanted:
                continue
            service = BleakGATTService(None, int(s["handle"]), uuid)
            collection.add_service(service)
            for c in s["characteristics"]:
                properties = cast("list[CharacteristicPropertyName]", list(c["properties"]))
                char = BleakGATTCharacteristic(
                    None,
                    int(c["handle"]),
                    normalize_uuid_str(c["uuid"]),
                    properties,
                    lambda: self._mtu - 3,
                    service,
                )
                collection.add_characteristic(char)
                for d in c["descriptors"]:
                    descriptor = BleakGATTDescriptor(
                        None, int(d["handle"]), normalize_uuid_str(d["uuid"]), char
                    )
                    collection.add_descriptor(descriptor)
        return collection

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                message = await read_frame(reader)
                if message["op"] == "result":
                    waiter = self._pending.pop(message.get("id", -1), None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(message)
                elif message["op"] == "value":
                    self._deliver(message)
        except _LINK_ENDED as exc:
            log.debug("%s: link ended: %r", self.address, exc)
        finally:
            self._lost()

    def _deliver(self, message: Message) -> None:
        callback = self._callbacks.get(message.get("handle", -1))
        if callback is not None:
            try:
                callback(bytearray.fromhex(str(message.get("value", ""))))
            except Exception:  # a callback bug must not end the link
                log.exception("%s: notification callback failed", self.address)
        if message.get("indicate") and self._writer is not None:
            self._writer.write(encode_frame({"op": "confirm", "seq": message.get("seq")}))

    def _lost(self) -> None:
        if not self._connected:
            return
        self._connected = False
        for waiter in self._pending.values():
            if not waiter.done():
                waiter.set_exception(BleakError(f"{self.address}: disconnected"))
        self._pending.clear()
        self._callbacks.clear()
        if self._writer is not None:
            self._writer.close()
        if not self._closing and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def _request(self, message: Message, *, reply: bool = True) -> Message:
        if not self._connected or self._writer is None:
            raise BleakError("Not connected")
        if not reply:
            self._writer.write(encode_frame(message))
            await self._writer.drain()
            return {}
        request_id = next(self._ids)
        waiter: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = waiter
        self._writer.write(encode_frame({**message, "id": request_id}))
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                result = await waiter
        except TimeoutError as exc:
            raise BleakError(f"{self.address}: no answer to {message['op']}") from exc
        finally:
            self._pending.pop(request_id, None)
        if not result.get("ok"):
            if "att" in result:
                raise BleakGATTProtocolError(int(result["att"]))
            raise BleakError(str(result.get("error", "request failed")))
        return result

    async def disconnect(self) -> None:
        if not self._connected:
            return
        self._closing = True
        try:
            with contextlib.suppress(BleakError):
                await self._request({"op": "disconnect"})
        finally:
            self._lost()  # also when cancelled: the socket must not outlive the client
            task, self._reader_task = self._reader_task, None
            if task is not None and task is not asyncio.current_task():
                task.cancel()
            if self._writer is not None:
                self._writer.close()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        log.debug("%s: simulated devices need no pairing", self.address)

    async def unpair(self) -> None:
        log.debug("%s: simulated devices need no unpairing", self.address)

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        result = await self._request({"op": "read", "handle": characteristic.handle})
        return bytearray.fromhex(str(result.get("value", "")))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        result = await self._request({"op": "read_descriptor", "handle": descriptor.handle})
        return bytearray.fromhex(str(result.get("value", "")))

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        message = {
            "op": "write",
            "handle": characteristic.handle,
            "value": bytes(data).hex(),
            "response": response,
        }
        await self._request(message, reply=response)

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        message = {
            "op": "write_descriptor",
            "handle": descriptor.handle,
            "value": bytes(data).hex(),
        }
        await self._request(message)

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        cccd = characteristic.get_descriptor(CCCD)
        if cccd is None:
            raise BleakError(f"{characteristic.uuid} can neither notify nor indicate")
        # bleak's rule: prefer notifications when a characteristic offers both
        value = b"\x01\x00" if "notify" in characteristic.properties else b"\x02\x00"
        self._callbacks[characteristic.handle] = callback
        try:
            await self.write_gatt_descriptor(cccd, value)
        except BaseException:
            self._callbacks.pop(characteristic.handle, None)
            raise

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        cccd = characteristic.get_descriptor(CCCD)
        self._callbacks.pop(characteristic.handle, None)
        if cccd is not None:
            await self.write_gatt_descriptor(cccd, b"\x00\x00")
