"""The BLE simulator: encoders against the reference vectors and the decoders, and the
hwc-ble-sim/1 peripheral driven through bleak's real BleakScanner/BleakClient.

Loopback TCP on port 0 only; waits are deadlines, never fixed sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakError, BleakGATTProtocolError, BleakGATTProtocolErrorCode
from bleak.uuids import normalize_uuid_16
from hypothesis import given
from hypothesis import strategies as st

from app.devices import decode
from app.devices.measurement import Measurement
from app.devices.parsers.ble import MEAN_ARTERIAL_PRESSURE
from app.devices.parsers.ieee11073 import Special, float32, sfloat
from app.devices.simulators.ble_sim import (
    ENV_ENDPOINTS,
    BleSimPeripheral,
    SimClientBackend,
    SimScannerBackend,
    encode_blood_pressure,
    encode_float32,
    encode_glucose,
    encode_intermediate_cuff_pressure,
    encode_plx_continuous,
    encode_plx_spot_check,
    encode_sfloat,
    encode_temperature,
    encode_weight,
    split_endpoint,
)
from app.domain.vitals import (
    BMI,
    DIASTOLIC,
    GLUCOSE_RANDOM,
    HEIGHT,
    PULSE,
    SPO2,
    SYSTOLIC,
    TEMPERATURE,
    WEIGHT,
)

T = TypeVar("T")
WHEN = datetime(2024, 3, 15, 10, 30, 0)
BP_SERVICE = normalize_uuid_16(0x1810)
GLUCOSE_CHAR = normalize_uuid_16(0x2A18)
RACP = normalize_uuid_16(0x2A52)


def run(coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


def exact(m: Measurement, code: str) -> Decimal | None:
    r = m.reading(code)
    return None if r is None else r.exact


@pytest.fixture
def bp() -> Iterator[BleSimPeripheral]:
    with BleSimPeripheral("bp", pace=0.0, seed=1) as sim:
        yield sim


@pytest.fixture
def glucometer() -> Iterator[BleSimPeripheral]:
    with BleSimPeripheral("glucometer", seed=2) as sim:
        yield sim


# --- encoders: reference section 5 vectors ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "hex_"),
    [(120, "7800"), (Decimal("2.0"), "14f0"), (Special.NAN, "ff07"), (0, "0000")],
)
def test_sfloat_vectors(value: Decimal | int | Special, hex_: str) -> None:
    assert encode_sfloat(value).hex() == hex_


@pytest.mark.parametrize(
    ("value", "hex_"), [(Decimal("36.6"), "6e0100ff"), (Decimal("37.60"), "b00e00fe")]
)
def test_float32_vectors(value: Decimal, hex_: str) -> None:
    assert encode_float32(value).hex() == hex_


def test_characteristic_vectors() -> None:
    vectors = {
        "15 BD F0 0B 00 9F F0 3C 00 12 00": encode_blood_pressure(
            Decimal("18.9"), 11, Decimal("15.9"), pulse=60, status=0x12, kpa=True
        ),
        "00 96 00 FF 07 FF 07": encode_intermediate_cuff_pressure(150),
        "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04": encode_temperature(
            Decimal("37.60"), taken_at=datetime(2012, 12, 5, 11, 50, 27), site=4
        ),
        "00 6E 01 00 FF": encode_temperature(Decimal("36.6")),
        "01 61 00 4B 00 E8 07 03 0F 0A 1E 00": encode_plx_spot_check(97, 75, taken_at=WHEN),
        "00 62 00 48 00": encode_plx_continuous(98, 72),
        "00 98 3A": encode_weight(75),
        "0E 14 37 E8 07 03 0F 0A 1E 00 01 F4 00 A4 06": encode_weight(
            Decimal("70.5"), taken_at=WHEN, user_id=1, bmi=Decimal("24.4"), height=170
        ),
        "02 05 00 E8 07 03 0F 07 2D 00 5F B0 11": encode_glucose(
            5, 95, taken_at=datetime(2024, 3, 15, 7, 45, 0)
        ),
    }
    for hex_, payload in vectors.items():
        assert payload == bytes.fromhex(hex_), hex_


@pytest.mark.parametrize(
    "bad",
    [
        lambda: encode_sfloat(2047),  # mantissa in the special range, no trailing zero
        lambda: encode_sfloat(Decimal("1E-9")),  # exponent below -8
        lambda: encode_float32(Decimal("NaN")),
        lambda: encode_weight(Decimal("70.001")),  # not a 0.005 kg step
        lambda: encode_weight(400),  # beyond 0xFFFE steps
        lambda: encode_weight(70, bmi=24),  # BMI without height
    ],
)
def test_encoders_refuse_what_the_field_cannot_carry(bad: Any) -> None:
    with pytest.raises(ValueError):
        bad()


def test_large_values_shift_the_exponent_exactly() -> None:
    assert sfloat(int.from_bytes(encode_sfloat(30000), "little")) == Decimal(30000)
    # as many digits as fit are kept: 300 x 10^2, not 3 x 10^4
    assert encode_sfloat(30000) == encode_sfloat(Decimal("300E2")) == bytes.fromhex("2c21")


# --- encoders round-trip through decode() ------------------------------------------------------

mantissa12 = st.integers(-2045, 2045)
mantissa24 = st.integers(-8388605, 8388605)
timestamps = st.datetimes(min_value=datetime(1582, 1, 1), max_value=datetime(9999, 12, 31))
optional_timestamps = st.none() | timestamps.map(lambda d: d.replace(microsecond=0))


@given(mantissa12, st.integers(-8, 7))
def test_sfloat_round_trip(mantissa: int, exponent: int) -> None:
    value = Decimal(mantissa).scaleb(exponent)
    assert sfloat(int.from_bytes(encode_sfloat(value), "little")) == value


@given(mantissa24, st.integers(-128, 127))
def test_float32_round_trip(mantissa: int, exponent: int) -> None:
    value = Decimal(mantissa).scaleb(exponent)
    assert float32(int.from_bytes(encode_float32(value), "little")) == value


# Whole mmHg, or tenths (kPa) while 12 bits of mantissa hold them (204.5 at most)
pressures = st.integers(0, 300).map(Decimal) | st.decimals(min_value=0, max_value="204.5", places=1)


@given(
    pressures,
    pressures,
    pressures,
    st.none() | st.integers(20, 250),
    optional_timestamps,
    st.none() | st.integers(0, 254),
    st.booleans(),
)
def test_blood_pressure_round_trip(
    systolic: Decimal,
    diastolic: Decimal,
    mean: Decimal,
    pulse: int | None,
    taken_at: datetime | None,
    user: int | None,
    kpa: bool,
) -> None:
    payload = encode_blood_pressure(
        systolic, diastolic, mean, pulse=pulse, taken_at=taken_at, user_id=user, kpa=kpa
    )
    m = decode("ble:2a35", payload)
    assert exact(m, SYSTOLIC) == systolic
    assert exact(m, DIASTOLIC) == diastolic
    assert exact(m, MEAN_ARTERIAL_PRESSURE) == mean
    assert exact(m, PULSE) == (None if pulse is None else Decimal(pulse))
    assert m.taken_at == taken_at
    assert m.info.get("user_id") == user
    assert m.info["unit"] == ("kPa" if kpa else "mm[Hg]")


@given(
    st.decimals(min_value=-50, max_value=120, places=2),
    optional_timestamps,
    st.none() | st.integers(1, 9),
    st.booleans(),
)
def test_temperature_round_trip(
    value: Decimal, taken_at: datetime | None, site: int | None, fahrenheit: bool
) -> None:
    m = decode(
        "ble:2a1c", encode_temperature(value, taken_at=taken_at, site=site, fahrenheit=fahrenheit)
    )
    assert exact(m, TEMPERATURE) == value
    assert m.readings[0].unit == ("[degF]" if fahrenheit else "Cel")
    assert m.taken_at == taken_at
    assert m.info.get("temperature_type") == site


@given(
    st.integers(0, 0xFFFE),
    st.booleans(),
    optional_timestamps,
    st.none() | st.tuples(st.integers(0, 999), st.integers(0, 2500)),
)
def test_weight_round_trip(
    raw: int, pounds: bool, taken_at: datetime | None, bmi_height: tuple[int, int] | None
) -> None:
    weight = Decimal(raw) * (Decimal("0.01") if pounds else Decimal("0.005"))
    bmi = height = None
    if bmi_height is not None:
        bmi, height = (Decimal(v).scaleb(-1) for v in bmi_height)
    payload = encode_weight(weight, pounds=pounds, taken_at=taken_at, bmi=bmi, height=height)
    m = decode("ble:2a9d", payload)
    assert exact(m, WEIGHT) == weight
    assert m.reading(WEIGHT) is not None
    assert m.reading(WEIGHT).unit == ("[lb_av]" if pounds else "kg")  # type: ignore[union-attr]
    assert m.taken_at == taken_at
    assert exact(m, BMI) == bmi
    assert exact(m, HEIGHT) == height


def test_unsuccessful_weight_is_no_reading() -> None:
    m = decode("ble:2a9d", encode_weight(None))
    assert m.readings == () and "weight_unsuccessful" in m.flags


@given(
    st.integers(0, 0xFFFF), st.integers(20, 600), timestamps.map(lambda d: d.replace(microsecond=0))
)
def test_glucose_round_trip(sequence: int, mg_dl: int, taken_at: datetime) -> None:
    m = decode("ble:2a18", encode_glucose(sequence, mg_dl, taken_at=taken_at))
    assert m.info["sequence_number"] == sequence
    assert exact(m, GLUCOSE_RANDOM) == mg_dl
    assert m.taken_at == taken_at


def test_plx_round_trip() -> None:
    spot = decode("ble:2a5e", encode_plx_spot_check(97, 75, taken_at=WHEN, clock_not_set=True))
    assert (exact(spot, SPO2), exact(spot, PULSE)) == (Decimal(97), Decimal(75))
    assert spot.taken_at is None and "device_clock_not_set" in spot.flags
    live = decode("ble:2a5f", encode_plx_continuous(Decimal("96.5"), 80, measurement_status=1 << 5))
    assert exact(live, SPO2) == Decimal("96.5") and "measurement_ongoing" in live.flags


# --- the peripheral over the socket, through bleak's public API -------------------------------


def test_split_endpoint() -> None:
    assert split_endpoint("127.0.0.1:5001") == ("127.0.0.1", 5001)
    assert split_endpoint("[::1]:5001") == ("::1", 5001)
    for bad in ("127.0.0.1", "host:", ":80", "h:99999"):
        with pytest.raises(ValueError):
            split_endpoint(bad)


def test_unknown_kind_and_values_are_refused(bp: BleSimPeripheral) -> None:
    with pytest.raises(ValueError):
        BleSimPeripheral("toaster")
    with pytest.raises(ValueError):
        bp.measure(weight=70)


def test_scan_connect_read_and_busy(bp: BleSimPeripheral) -> None:
    backend = SimScannerBackend.for_endpoints([bp.endpoint])

    async def scenario() -> None:
        seen = await BleakScanner.discover(
            0.3, return_adv=True, service_uuids=[BP_SERVICE], backend=backend
        )
        device, adv = seen[bp.address]
        assert adv.local_name == bp.name and BP_SERVICE in adv.service_uuids
        async with BleakClient(device, backend=SimClientBackend) as client:
            assert client.name == bp.name
            maker = await client.read_gatt_char(normalize_uuid_16(0x2A29))
            assert maker == b"HWC Spoke simulator"
            # a connected peripheral stops advertising, and takes no second central
            again = await BleakScanner.discover(0.3, return_adv=True, backend=backend)
            assert again == {}
            with pytest.raises(BleakError, match="busy"):
                async with BleakClient(device, backend=SimClientBackend):
                    pass
            with pytest.raises(BleakGATTProtocolError) as refused:
                await client.write_gatt_char(normalize_uuid_16(0x2A35), b"\x00", response=True)
            assert refused.value.code is BleakGATTProtocolErrorCode.WRITE_NOT_PERMITTED
        assert not client.is_connected

    run(scenario())


def test_scanner_filters_by_service(bp: BleSimPeripheral) -> None:
    backend = SimScannerBackend.for_endpoints([bp.endpoint])

    async def scenario() -> dict[str, Any]:
        return await BleakScanner.discover(
            0.3, service_uuids=[normalize_uuid_16(0x1808)], return_adv=True, backend=backend
        )

    assert run(scenario()) == {}


def test_env_endpoints_and_address_connect(
    bp: BleSimPeripheral, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_ENDPOINTS, f"127.0.0.1:1,{bp.endpoint}")  # the first one is dead

    async def scenario() -> None:
        found = await BleakScanner.find_device_by_address(
            bp.address, timeout=3, backend=SimScannerBackend
        )
        assert found is not None and found.name == bp.name
        # an address string instead of a BLEDevice: the backend scans the env endpoints
        async with BleakClient(bp.address, backend=SimClientBackend, timeout=3) as client:
            assert client.is_connected

    run(scenario())


def test_stored_burst_on_subscribe_and_indication_confirms(bp: BleSimPeripheral) -> None:
    first = bp.measure(systolic=120, diastolic=80, pulse=70).result(5)  # nobody connected
    second = bp.measure(systolic=124, diastolic=81, pulse=72).result(5)

    async def scenario() -> list[bytes]:
        got: list[bytes] = []
        scan = SimScannerBackend.for_endpoints(bp.endpoint)
        device = await BleakScanner.find_device_by_address(bp.address, timeout=3, backend=scan)
        assert device is not None
        async with BleakClient(device, backend=SimClientBackend) as client:
            await client.start_notify(normalize_uuid_16(0x2A35), lambda _, d: got.append(bytes(d)))
            while len(got) < 2:
                await asyncio.sleep(0.01)
            third = await asyncio.wrap_future(bp.measure(systolic=118, diastolic=79, pulse=66))
            # measure() resolves only once the indication was confirmed, i.e. delivered
            assert got[-1] == third
        return got

    assert run(scenario())[:2] == [first, second]


def test_glucose_racp(glucometer: BleSimPeripheral) -> None:
    stored = [glucometer.measure(glucose=g).result(5) for g in (95, 110, 142)]

    async def scenario() -> tuple[list[bytes], list[bytes]]:
        records: list[bytes] = []
        answers: list[bytes] = []
        scan = SimScannerBackend.for_endpoints(glucometer.endpoint)
        device = await BleakScanner.find_device_by_address(
            glucometer.address, timeout=3, backend=scan
        )
        assert device is not None
        async with BleakClient(device, backend=SimClientBackend) as client:
            with pytest.raises(BleakGATTProtocolError) as refused:  # RACP indications off
                await client.write_gatt_char(RACP, b"\x01\x01", response=True)
            assert refused.value.code is BleakGATTProtocolErrorCode.CCCD_IMPROPERLY_CONFIGURED
            await client.start_notify(GLUCOSE_CHAR, lambda _, d: records.append(bytes(d)))
            await client.start_notify(RACP, lambda _, d: answers.append(bytes(d)))
            requests = (b"\x01\x01", b"\x04\x01", b"\x01\x03\x01\x02\x00", b"\x07\x01", b"\x03\x00")
            for request in requests:
                count = len(answers)
                await client.write_gatt_char(RACP, request, response=True)
                while len(answers) == count:
                    await asyncio.sleep(0.01)
        return records, answers

    records, answers = run(scenario())
    assert records == stored + stored[1:]  # all, then sequence number >= 2
    assert answers == [
        bytes.fromhex("06000101"),  # report all: success
        bytes.fromhex("05000300"),  # number of records: 3
        bytes.fromhex("06000101"),  # report >= 2: success
        bytes.fromhex("06000702"),  # op code 7: not supported
        bytes.fromhex("06000301"),  # abort: success
    ]
    sequences = [decode("ble:2a18", r).info["sequence_number"] for r in records]
    assert sequences == [1, 2, 3, 2, 3]


def test_drop_connection_reaches_the_client(bp: BleSimPeripheral) -> None:
    async def scenario() -> None:
        lost = asyncio.Event()
        scan = SimScannerBackend.for_endpoints(bp.endpoint)
        device = await BleakScanner.find_device_by_address(bp.address, timeout=3, backend=scan)
        assert device is not None
        client = BleakClient(device, lambda _: lost.set(), backend=SimClientBackend)
        await client.connect()
        await asyncio.get_running_loop().run_in_executor(None, bp.drop_connection)
        await lost.wait()
        assert not client.is_connected
        # the dropped peripheral advertises again
        assert await BleakScanner.find_device_by_address(bp.address, timeout=3, backend=scan)

    run(scenario())


def test_send_raw_without_a_listener_is_not_delivered(bp: BleSimPeripheral) -> None:
    assert bp.send_raw("2a35", b"\x00").result(5) is False
