"""BLE GATT health characteristic parsers (device reference 1.1-1.6, vectors in section 5).

The payload builders below are a small test-only encoder written from the reference tables.
"""

from __future__ import annotations

import struct
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.devices.measurement import DecodeError, Measurement
from app.devices.parsers.ble import MEAN_ARTERIAL_PRESSURE, PARSERS
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

KEYS = sorted(PARSERS)


def parse(key: str, hex_or_bytes: str | bytes) -> Measurement:
    data = bytes.fromhex(hex_or_bytes) if isinstance(hex_or_bytes, str) else hex_or_bytes
    return PARSERS[key](data)


def exact(m: Measurement, code: str) -> Decimal | None:
    r = m.reading(code)
    if r is None:
        return None
    assert r.exact is not None
    assert r.value == float(r.exact)
    return r.exact


def same(actual: object, expected: Decimal) -> None:
    """Equal as numbers and with the same digits and exponent (2 vs 2.0)."""
    assert isinstance(actual, Decimal), actual
    assert actual == expected
    assert actual.as_tuple() == expected.as_tuple()


# --- test-only encoder ------------------------------------------------------------------------

Fields = tuple[int, int, int, int, int, int]
SPECIAL_SFLOAT = {"nan": 0x07FF, "nres": 0x0800, "pos_inf": 0x07FE, "neg_inf": 0x0802,
                  "reserved": 0x0801}  # fmt: skip
SPECIAL_FLOAT = {"nan": 0x7FFFFF, "nres": 0x800000, "pos_inf": 0x7FFFFE, "neg_inf": 0x800002,
                 "reserved": 0x800001}  # fmt: skip


def sf(mantissa: int, exponent: int = 0) -> bytes:
    return (((exponent & 0xF) << 12) | (mantissa & 0xFFF)).to_bytes(2, "little")


def f32(mantissa: int, exponent: int = 0) -> bytes:
    return (((exponent & 0xFF) << 24) | (mantissa & 0xFFFFFF)).to_bytes(4, "little")


def sf_special(name: str) -> bytes:
    return SPECIAL_SFLOAT[name].to_bytes(2, "little")


def dt(fields: Fields) -> bytes:
    return struct.pack("<HBBBBB", *fields)


def u16(v: int) -> bytes:
    return v.to_bytes(2, "little")


# A value is either (bytes, Decimal) or (bytes, "nan" | "nres" | ...): what the parser must give.
Value = tuple[bytes, Decimal | str]

NOW: Fields = (2024, 3, 15, 10, 30, 0)


def expected_time(fields: Fields | None) -> datetime | None:
    if fields is None:
        return None
    y, mo, d, h, mi, s = fields
    if y < 1582 or mo == 0 or d == 0:
        return None
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


def check_value(m: Measurement, name: str, code: str, unit: str, expected: Decimal | str) -> None:
    r = m.reading(code)
    if isinstance(expected, str):
        assert r is None
        assert f"{name}_{expected}" in m.flags
    else:
        assert r is not None, (name, m)
        assert r.unit == unit
        same(r.exact, expected)
        assert r.value == float(expected)


def check_time(m: Measurement, fields: Fields | None) -> None:
    assert m.taken_at == expected_time(fields)
    if fields is None:
        assert "device_time" not in m.info
        assert not {"device_time_unknown", "device_time_invalid"} & m.flags
    else:
        assert m.info["device_time"] == fields
        if m.taken_at is None:
            assert {"device_time_unknown", "device_time_invalid"} & m.flags


# --- §5 example vectors -------------------------------------------------------------------------


def test_vector_bp_full_mmhg_year_unknown() -> None:
    m = parse("ble:2a35", "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00")
    assert m.protocol == "ble:2a35"
    assert m.info["unit"] == "mm[Hg]"
    check_value(m, "systolic", SYSTOLIC, "mm[Hg]", Decimal("138"))
    check_value(m, "diastolic", DIASTOLIC, "mm[Hg]", Decimal("88"))
    check_value(m, "mean_arterial", MEAN_ARTERIAL_PRESSURE, "mm[Hg]", Decimal("120"))
    check_value(m, "pulse_rate", PULSE, "/min", Decimal("60"))
    assert m.info["device_time"] == (0, 4, 17, 20, 41, 59)
    assert m.taken_at is None
    assert "device_time_unknown" in m.flags
    assert m.info["user_id"] == 1
    assert m.info["measurement_status"] == 39
    assert m.info["pulse_rate_range"] == "in_range"
    assert {"body_movement", "cuff_fit_loose", "irregular_pulse", "improper_position"} <= m.flags
    assert "pulse_rate_out_of_range" not in m.flags


def test_vector_bp_kpa_pulse_status() -> None:
    m = parse("ble:2a35", "15 BD F0 0B 00 9F F0 3C 00 12 00")
    assert m.info["unit"] == "kPa"
    check_value(m, "systolic", SYSTOLIC, "kPa", Decimal("18.9"))
    check_value(m, "diastolic", DIASTOLIC, "kPa", Decimal("11"))
    check_value(m, "mean_arterial", MEAN_ARTERIAL_PRESSURE, "kPa", Decimal("15.9"))
    check_value(m, "pulse_rate", PULSE, "/min", Decimal("60"))
    assert m.taken_at is None and "device_time" not in m.info
    assert "user_id" not in m.info
    assert m.info["measurement_status"] == 18
    assert m.info["pulse_rate_range"] == "below_lower_limit"
    assert m.flags == {"cuff_fit_loose", "pulse_rate_out_of_range"}


def test_vector_icp_150_unused_nan() -> None:
    m = parse("ble:2a36", "00 96 00 FF 07 FF 07")
    assert m.readings == ()
    assert m.info["unit"] == "mm[Hg]"
    same(m.info["cuff_pressure"], Decimal("150"))
    assert m.flags == {"intermediate"}  # the unused NaN slots are ignored, not flagged


def test_vector_icp_kpa_pulse_status() -> None:
    m = parse("ble:2a36", "15 6F F0 00 00 00 00 3C 00 12 00")
    assert m.info["unit"] == "kPa"
    same(m.info["cuff_pressure"], Decimal("11.1"))
    same(m.info["pulse_rate"], Decimal("60"))
    assert m.info["measurement_status"] == 18
    assert m.info["pulse_rate_range"] == "below_lower_limit"
    assert m.flags == {"intermediate", "cuff_fit_loose", "pulse_rate_out_of_range"}
    assert m.readings == ()


def test_vector_temperature_timestamp_finger() -> None:
    m = parse("ble:2a1c", "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04")
    check_value(m, "temperature", TEMPERATURE, "Cel", Decimal("37.60"))
    assert m.taken_at == datetime(2012, 12, 5, 11, 50, 27)
    assert m.info["temperature_type"] == 4
    assert m.info["temperature_site"] == "finger"
    assert m.flags == frozenset()


def test_vector_temperature_minimal() -> None:
    m = parse("ble:2a1c", "00 6E 01 00 FF")
    check_value(m, "temperature", TEMPERATURE, "Cel", Decimal("36.6"))
    assert m.taken_at is None
    assert "temperature_type" not in m.info


def test_vector_spot_check_minimal() -> None:
    m = parse("ble:2a5e", "00 62 00 48 00")
    check_value(m, "spo2", SPO2, "%", Decimal("98"))
    check_value(m, "pulse_rate", PULSE, "/min", Decimal("72"))
    assert "device_clock_not_set" not in m.flags
    assert m.taken_at is None


def test_vector_spot_check_timestamp() -> None:
    m = parse("ble:2a5e", "01 61 00 4B 00 E8 07 03 0F 0A 1E 00")
    check_value(m, "spo2", SPO2, "%", Decimal("97"))
    check_value(m, "pulse_rate", PULSE, "/min", Decimal("75"))
    assert "device_clock_not_set" not in m.flags
    assert m.taken_at == datetime(2024, 3, 15, 10, 30, 0)


def test_vector_continuous_normal_only() -> None:
    m = parse("ble:2a5f", "00 62 00 48 00")
    check_value(m, "spo2", SPO2, "%", Decimal("98"))
    check_value(m, "pulse_rate", PULSE, "/min", Decimal("72"))
    assert m.taken_at is None
    assert m.flags == frozenset()


def test_vector_continuous_fast_slow() -> None:
    m = parse("ble:2a5f", "03 61 00 4B 00 60 00 4C 00 61 00 4A 00")
    check_value(m, "spo2", SPO2, "%", Decimal("97"))
    check_value(m, "pulse_rate", PULSE, "/min", Decimal("75"))
    same(m.info["spo2_fast"], Decimal("96"))
    same(m.info["pulse_rate_fast"], Decimal("76"))
    same(m.info["spo2_slow"], Decimal("97"))
    same(m.info["pulse_rate_slow"], Decimal("74"))
    assert len(m.readings) == 2


def test_vector_weight_minimal() -> None:
    m = parse("ble:2a9d", "00 98 3A")
    assert m.info["weight_raw"] == 15000
    check_value(m, "weight", WEIGHT, "kg", Decimal("75.000"))
    assert len(m.readings) == 1


def test_vector_weight_full() -> None:
    m = parse("ble:2a9d", "0E 14 37 E8 07 03 0F 0A 1E 00 01 F4 00 A4 06")
    assert m.info["weight_raw"] == 14100
    check_value(m, "weight", WEIGHT, "kg", Decimal("70.500"))
    assert m.taken_at == datetime(2024, 3, 15, 10, 30, 0)
    assert m.info["user_id"] == 1
    check_value(m, "bmi", BMI, "kg/m2", Decimal("24.4"))
    check_value(m, "height", HEIGHT, "cm", Decimal("170.0"))  # 1.700 m


def test_vector_glucose_offset_status_context() -> None:
    m = parse("ble:2a18", "1B 01 00 E3 07 02 1B 0B 0A 1E FB FF 1E 00 12 05 01")
    assert m.info["sequence_number"] == 1
    assert m.info["device_time"] == (2019, 2, 27, 11, 10, 30)
    assert m.info["context_follows"] is True
    assert m.info["time_offset_minutes"] == -5
    assert m.taken_at == datetime(2019, 2, 27, 11, 5, 30)
    same(m.info["concentration"], Decimal("30"))
    assert m.info["concentration_unit"] == "kg/L"
    check_value(m, "glucose", GLUCOSE_RANDOM, "mg/dL", Decimal("30E5"))  # 30 kg/L, as sent
    assert m.info["sample_type"] == 2
    assert m.info["sample_location"] == 1
    assert m.info["sensor_status"] == 261
    assert m.flags == {"battery_low", "sample_size_insufficient", "temperature_too_low"}


def test_vector_glucose_95_mg_dl() -> None:
    m = parse("ble:2a18", "02 05 00 E8 07 03 0F 07 2D 00 5F B0 11")
    assert m.info["sequence_number"] == 5
    assert m.taken_at == datetime(2024, 3, 15, 7, 45, 0)
    assert m.info["context_follows"] is False
    same(m.info["concentration"], Decimal("0.00095"))
    check_value(m, "glucose", GLUCOSE_RANDOM, "mg/dL", Decimal("95"))
    assert m.info["sample_type"] == 1
    assert m.info["sample_type_name"] == "capillary_whole_blood"
    assert m.info["sample_location"] == 1
    assert m.info["sample_location_name"] == "finger"
    assert m.flags == frozenset()


def test_vector_heart_rate_uint8() -> None:
    m = parse("ble:2a37", "00 55")
    check_value(m, "heart_rate", PULSE, "/min", Decimal("85"))
    assert m.info["sensor_contact"] is None


def test_vector_heart_rate_no_contact() -> None:
    m = parse("ble:2a37", "04 FF")
    check_value(m, "heart_rate", PULSE, "/min", Decimal("255"))
    assert m.info["sensor_contact"] is False
    assert "no_sensor_contact" in m.flags


# --- every flag byte: a valid payload decodes; every truncation raises ---------------------------


def full_payload(key: str, flags: int) -> bytes:
    """A valid payload with every field the flags announce (reserved bits just ride along)."""
    f = bytes([flags])
    if key in ("ble:2a35", "ble:2a36"):
        return (
            f
            + sf(120)
            + sf(80)
            + sf(93)
            + (dt(NOW) if flags & 0x02 else b"")
            + (sf(60) if flags & 0x04 else b"")
            + (b"\x01" if flags & 0x08 else b"")
            + (u16(0x0027) if flags & 0x10 else b"")
        )
    if key == "ble:2a1c":
        return (
            f + f32(366, -1) + (dt(NOW) if flags & 0x02 else b"") + (b"\x02" if flags & 4 else b"")
        )
    if key == "ble:2a5e":
        return (
            f
            + sf(98)
            + sf(72)
            + (dt(NOW) if flags & 0x01 else b"")
            + (u16(0x0080) if flags & 0x02 else b"")
            + (b"\x00\x00\x00" if flags & 0x04 else b"")
            + (sf(35, -1) if flags & 0x08 else b"")
        )
    if key == "ble:2a5f":
        return (
            f
            + sf(98)
            + sf(72)
            + (sf(97) + sf(73) if flags & 0x01 else b"")
            + (sf(96) + sf(71) if flags & 0x02 else b"")
            + (u16(0x0080) if flags & 0x04 else b"")
            + (b"\x00\x00\x00" if flags & 0x08 else b"")
            + (sf(35, -1) if flags & 0x10 else b"")
        )
    if key == "ble:2a9d":
        return (
            f
            + u16(14100)
            + (dt(NOW) if flags & 0x02 else b"")
            + (b"\x01" if flags & 0x04 else b"")
            + (u16(244) + u16(1700) if flags & 0x08 else b"")
        )
    if key == "ble:2a18":
        return (
            f
            + u16(7)
            + dt(NOW)
            + (u16(5) if flags & 0x01 else b"")
            + (sf(95, -5) + b"\x11" if flags & 0x02 else b"")
            + (u16(0) if flags & 0x08 else b"")
        )
    if key == "ble:2a37":
        return (
            f
            + (u16(72) if flags & 0x01 else b"\x48")
            + (u16(100) if flags & 0x08 else b"")
            + (u16(1024) if flags & 0x10 else b"")
        )
    raise AssertionError(key)


@pytest.mark.parametrize("key", KEYS)
def test_every_flag_byte_and_every_truncation(key: str) -> None:
    for flags in range(256):
        payload = full_payload(key, flags)
        m = PARSERS[key](payload)
        assert m.protocol == key
        for n in range(len(payload)):
            with pytest.raises(DecodeError, match=key):
                PARSERS[key](payload[:n])
        # unknown trailing bytes are ignored (for 2a37 with RR they are more RR intervals)
        if not (key == "ble:2a37" and flags & 0x10):
            longer = PARSERS[key](payload + b"\xaa\xbb\xcc")
            assert longer == m


@pytest.mark.parametrize("key", KEYS)
def test_empty_payload(key: str) -> None:
    with pytest.raises(DecodeError, match=f"{key}: 0 bytes"):
        PARSERS[key](b"")


def test_error_message_names_the_flags_and_length() -> None:
    payload = bytes.fromhex("1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00")
    with pytest.raises(DecodeError, match=r"^ble:2a35: 7 bytes, but flags 0x1E need 19$"):
        parse("ble:2a35", payload[:7])
    with pytest.raises(DecodeError, match=r"^ble:2a35: 6 bytes, but at least 7 are needed$"):
        parse("ble:2a35", payload[:6])


def test_reserved_flag_bits_are_ignored() -> None:
    base = parse("ble:2a35", "15 BD F0 0B 00 9F F0 3C 00 12 00")
    assert parse("ble:2a35", "F5 BD F0 0B 00 9F F0 3C 00 12 00") == base
    assert parse("ble:2a1c", "F8 6E 01 00 FF") == parse("ble:2a1c", "00 6E 01 00 FF")
    assert parse("ble:2a9d", "F0 98 3A") == parse("ble:2a9d", "00 98 3A")
    assert parse("ble:2a18", "E2 05 00 E8 07 03 0F 07 2D 00 5F B0 11") == parse(
        "ble:2a18", "02 05 00 E8 07 03 0F 07 2D 00 5F B0 11"
    )
    assert parse("ble:2a37", "E0 55") == parse("ble:2a37", "00 55")
    assert parse("ble:2a5f", "E0 62 00 48 00") == parse("ble:2a5f", "00 62 00 48 00")
    assert parse("ble:2a5e", "E0 62 00 48 00") == parse("ble:2a5e", "00 62 00 48 00")


def test_reserved_status_bits_are_ignored() -> None:
    m = parse("ble:2a35", bytes([0x10]) + sf(120) + sf(80) + sf(93) + u16(0xFFC0))
    assert m.flags == frozenset()
    m = parse("ble:2a5e", bytes([0x06]) + sf(98) + sf(72) + u16(0x001F) + bytes([0, 0, 0xFF]))
    assert m.flags == frozenset()
    m = parse("ble:2a18", bytes([0x08]) + u16(1) + dt(NOW) + u16(0xF000))
    assert m.flags == frozenset()


# --- blood pressure -------------------------------------------------------------------------------


@pytest.mark.parametrize("special", sorted(SPECIAL_SFLOAT))
def test_bp_special_systolic_keeps_the_rest(special: str) -> None:
    m = parse("ble:2a35", bytes([0x04]) + sf_special(special) + sf(80) + sf(93) + sf(60))
    assert m.reading(SYSTOLIC) is None
    assert f"systolic_{special}" in m.flags
    check_value(m, "diastolic", DIASTOLIC, "mm[Hg]", Decimal(80))
    check_value(m, "pulse_rate", PULSE, "/min", Decimal(60))


def test_bp_all_special_is_not_a_decode_error() -> None:
    nan = sf_special("nan")
    m = parse("ble:2a35", bytes([0x04]) + nan + sf_special("nres") + sf_special("pos_inf") + nan)
    assert m.readings == ()
    assert {"systolic_nan", "diastolic_nres", "mean_arterial_pos_inf", "pulse_rate_nan"} <= m.flags


def test_bp_special_pattern_with_exponent_is_reserved() -> None:
    m = parse("ble:2a35", bytes([0]) + sf(2047, -1) + sf(80) + sf(93))
    assert m.reading(SYSTOLIC) is None
    assert "systolic_reserved" in m.flags


def test_bp_offset_binary_bytes_are_not_120() -> None:
    # §6: `78 80` is what an offset-binary encoder sends for 120; two's complement says 120e-8.
    m = parse("ble:2a35", "00 78 80 50 00 5D 00")
    check_value(m, "systolic", SYSTOLIC, "mm[Hg]", Decimal("120E-8"))


@pytest.mark.parametrize(
    ("status", "flags", "range_name"),
    [
        (0x0000, set(), "in_range"),
        (0x0001, {"body_movement"}, "in_range"),
        (0x0002, {"cuff_fit_loose"}, "in_range"),
        (0x0004, {"irregular_pulse"}, "in_range"),
        (0x0008, {"pulse_rate_out_of_range"}, "above_upper_limit"),
        (0x0010, {"pulse_rate_out_of_range"}, "below_lower_limit"),
        (0x0018, set(), "reserved"),
        (0x0020, {"improper_position"}, "in_range"),
    ],
)
def test_bp_status_bits(status: int, flags: set[str], range_name: str) -> None:
    m = parse("ble:2a35", bytes([0x10]) + sf(120) + sf(80) + sf(93) + u16(status))
    assert m.flags == flags
    assert m.info["pulse_rate_range"] == range_name
    assert m.info["measurement_status"] == status


def test_bp_user_unknown() -> None:
    m = parse("ble:2a35", bytes([0x08]) + sf(120) + sf(80) + sf(93) + b"\xff")
    assert m.info["user_id"] is None


@pytest.mark.parametrize(
    ("fields", "flag"),
    [
        ((0, 4, 17, 20, 41, 59), "device_time_unknown"),
        ((2024, 0, 17, 20, 41, 59), "device_time_unknown"),
        ((2024, 4, 0, 20, 41, 59), "device_time_unknown"),
        ((2024, 2, 30, 20, 41, 59), "device_time_invalid"),
        ((2024, 4, 17, 24, 0, 0), "device_time_invalid"),
        ((1200, 4, 17, 20, 41, 59), "device_time_invalid"),
    ],
)
def test_timestamps_unknown_or_invalid(fields: Fields, flag: str) -> None:
    m = parse("ble:2a35", bytes([0x02]) + sf(120) + sf(80) + sf(93) + dt(fields))
    assert m.taken_at is None
    assert flag in m.flags
    assert m.info["device_time"] == fields
    m = parse("ble:2a1c", bytes([0x02]) + f32(366, -1) + dt(fields))
    assert m.taken_at is None and flag in m.flags
    m = parse("ble:2a9d", bytes([0x02]) + u16(14100) + dt(fields))
    assert m.taken_at is None and flag in m.flags
    m = parse("ble:2a5e", bytes([0x01]) + sf(98) + sf(72) + dt(fields))
    assert m.taken_at is None and flag in m.flags
    m = parse("ble:2a18", bytes([0x01]) + u16(1) + dt(fields) + u16(5))
    assert m.taken_at is None and flag in m.flags


def test_icp_special_cuff_pressure() -> None:
    m = parse("ble:2a36", bytes([0x04]) + sf_special("nan") + sf(0) + sf(0) + sf_special("nres"))
    assert "cuff_pressure" not in m.info and "pulse_rate" not in m.info
    assert m.flags == {"intermediate", "cuff_pressure_nan", "pulse_rate_nres"}


def test_icp_ignores_diastolic_and_map_slots() -> None:
    a = parse("ble:2a36", bytes([0]) + sf(150) + sf_special("nan") + sf_special("nan"))
    b = parse("ble:2a36", bytes([0]) + sf(150) + sf(0) + sf(0))
    c = parse("ble:2a36", bytes([0]) + sf(150) + sf_special("reserved") + sf(2047, 3))
    assert a == b == c


# --- temperature ----------------------------------------------------------------------------------


def test_temperature_fahrenheit() -> None:
    m = parse("ble:2a1c", bytes([0x05]) + f32(9860, -2) + b"\x06")
    check_value(m, "temperature", TEMPERATURE, "[degF]", Decimal("98.60"))
    assert m.info["temperature_site"] == "mouth"


@pytest.mark.parametrize("special", sorted(SPECIAL_FLOAT))
def test_temperature_special(special: str) -> None:
    m = parse("ble:2a1c", bytes([0]) + SPECIAL_FLOAT[special].to_bytes(4, "little"))
    assert m.readings == ()
    assert m.flags == {f"temperature_{special}"}


@pytest.mark.parametrize("code", [0, 10, 255])
def test_temperature_reserved_type(code: int) -> None:
    m = parse("ble:2a1c", bytes([0x04]) + f32(366, -1) + bytes([code]))
    assert m.info["temperature_type"] == code
    assert m.info["temperature_site"] == "reserved"


# --- PLX ------------------------------------------------------------------------------------------


def test_spot_check_all_fields() -> None:
    payload = (
        bytes([0x1F])
        + sf(95)
        + sf(80)
        + dt(NOW)
        + u16(1 << 14 | 1 << 7)
        + (1 << 5 | 1 << 3).to_bytes(3, "little")
        + sf(35, -1)
    )
    m = parse("ble:2a5e", payload)
    check_value(m, "spo2", SPO2, "%", Decimal(95))
    assert m.taken_at is None  # the device says its clock is not set
    assert m.info["device_time"] == NOW
    assert m.info["measurement_status"] == 1 << 14 | 1 << 7
    assert m.info["device_sensor_status"] == 0x28
    same(m.info["pulse_amplitude_index"], Decimal("3.5"))
    assert m.flags == {
        "device_clock_not_set",
        "questionable_measurement",
        "validated_data",
        "unreliable",
        "low_perfusion",
        "inadequate_signal",
    }


@pytest.mark.parametrize("bit", [13, 14, 15])
def test_plx_unreliable_measurement_status(bit: int) -> None:
    for key in ("ble:2a5e", "ble:2a5f"):
        m = parse(
            key, bytes([0x02 if key == "ble:2a5e" else 0x04]) + sf(98) + sf(72) + u16(1 << bit)
        )
        assert "unreliable" in m.flags
        assert len(m.readings) == 2


@pytest.mark.parametrize("bit", range(24))
def test_plx_device_status_bits(bit: int) -> None:
    m = parse("ble:2a5f", bytes([0x08]) + sf(98) + sf(72) + (1 << bit).to_bytes(3, "little"))
    assert m.info["device_sensor_status"] == 1 << bit
    if bit >= 16:
        assert m.flags == frozenset()
    else:
        assert len(m.flags - {"unreliable"}) == 1
        assert ("unreliable" in m.flags) == (bit in (1, 11, 13, 14, 15))


@pytest.mark.parametrize("key", ["ble:2a5e", "ble:2a5f"])
def test_plx_nan_spo2(key: str) -> None:
    m = parse(key, bytes([0]) + sf_special("nan") + sf(72))
    assert m.reading(SPO2) is None
    check_value(m, "pulse_rate", PULSE, "/min", Decimal(72))
    assert {"spo2_nan", "unreliable"} <= m.flags


def test_continuous_all_fields_and_specials() -> None:
    payload = (
        bytes([0x1F])
        + sf(98)
        + sf(72)
        + sf_special("nan")
        + sf(73)
        + sf(96)
        + sf_special("nres")
        + u16(1 << 5)
        + bytes(3)
        + sf_special("pos_inf")
    )
    m = parse("ble:2a5f", payload)
    assert len(m.readings) == 2
    assert "spo2_fast" not in m.info
    same(m.info["pulse_rate_fast"], Decimal(73))
    same(m.info["spo2_slow"], Decimal(96))
    assert "pulse_rate_slow" not in m.info
    assert "pulse_amplitude_index" not in m.info
    assert m.flags == {
        "spo2_fast_nan",
        "pulse_rate_slow_nres",
        "pulse_amplitude_index_pos_inf",
        "measurement_ongoing",
    }
    assert m.taken_at is None


# --- weight ---------------------------------------------------------------------------------------


def test_weight_imperial() -> None:
    m = parse("ble:2a9d", bytes([0x09]) + u16(15432) + u16(244) + u16(669))
    check_value(m, "weight", WEIGHT, "[lb_av]", Decimal("154.32"))
    check_value(m, "bmi", BMI, "kg/m2", Decimal("24.4"))
    check_value(m, "height", HEIGHT, "[in_i]", Decimal("66.9"))


def test_weight_uses_fixed_lsb_not_feature_resolution() -> None:
    # 0.1 kg steps arrive as multiples of 20 LSB; a raw 1 is still 0.005 kg.
    check_value(parse("ble:2a9d", "00 01 00"), "weight", WEIGHT, "kg", Decimal("0.005"))
    check_value(parse("ble:2a9d", "01 01 00"), "weight", WEIGHT, "[lb_av]", Decimal("0.01"))
    check_value(parse("ble:2a9d", "00 FE FF"), "weight", WEIGHT, "kg", Decimal("327.670"))


@pytest.mark.parametrize("flags", [0x00, 0x01, 0x0F])
def test_weight_unsuccessful(flags: int) -> None:
    m = parse("ble:2a9d", full_payload("ble:2a9d", flags)[:1] + b"\xff\xff" + full_payload(
        "ble:2a9d", flags)[3:])  # fmt: skip
    assert m.reading(WEIGHT) is None
    assert "weight_unsuccessful" in m.flags
    assert m.info["weight_raw"] == 0xFFFF


def test_weight_user_unknown() -> None:
    assert parse("ble:2a9d", "04 98 3A FF").info["user_id"] is None


# --- glucose --------------------------------------------------------------------------------------


def test_glucose_mmol() -> None:
    m = parse("ble:2a18", bytes([0x06]) + u16(9) + dt(NOW) + sf(53, -4) + b"\x11")
    same(m.info["concentration"], Decimal("0.0053"))
    assert m.info["concentration_unit"] == "mol/L"
    check_value(m, "glucose", GLUCOSE_RANDOM, "mmol/L", Decimal("5.3"))


@pytest.mark.parametrize("nibbles", [0x1A, 0x41, 0x4A, 0xFA])
def test_glucose_control_solution_is_never_a_reading(nibbles: int) -> None:
    m = parse("ble:2a18", bytes([0x02]) + u16(9) + dt(NOW) + sf(95, -5) + bytes([nibbles]))
    assert m.readings == ()
    assert "control_solution" in m.flags
    same(m.info["control_solution_value"], Decimal("95"))


def test_glucose_no_concentration() -> None:
    m = parse("ble:2a18", bytes([0x00]) + u16(65535) + dt(NOW))
    assert m.readings == ()
    assert m.info["sequence_number"] == 65535
    assert m.taken_at == datetime(2024, 3, 15, 10, 30)


@pytest.mark.parametrize("special", sorted(SPECIAL_SFLOAT))
def test_glucose_special(special: str) -> None:
    m = parse("ble:2a18", bytes([0x02]) + u16(1) + dt(NOW) + sf_special(special) + b"\x11")
    assert m.readings == ()
    assert f"glucose_{special}" in m.flags
    assert "concentration" not in m.info


def test_glucose_offsets() -> None:
    m = parse("ble:2a18", bytes([0x01]) + u16(1) + dt(NOW) + u16(0x7FFF))
    assert m.taken_at == datetime(2024, 3, 15, 10, 30) + timedelta(minutes=32767)
    m = parse("ble:2a18", bytes([0x01]) + u16(1) + dt(NOW) + u16(0x8000))
    assert m.taken_at == datetime(2024, 3, 15, 10, 30) - timedelta(minutes=32768)
    m = parse("ble:2a18", bytes([0x01]) + u16(1) + dt((9999, 12, 31, 23, 0, 0)) + u16(120))
    assert m.taken_at is None
    assert "device_time_invalid" in m.flags
    m = parse("ble:2a18", bytes([0x01]) + u16(1) + dt((0, 0, 0, 0, 0, 0)) + u16(120))
    assert m.taken_at is None
    assert "device_time_unknown" in m.flags


@pytest.mark.parametrize("bit", range(16))
def test_glucose_sensor_status_bits(bit: int) -> None:
    m = parse("ble:2a18", bytes([0x08]) + u16(1) + dt(NOW) + u16(1 << bit))
    assert len(m.flags) == (1 if bit < 12 else 0)


# --- heart rate -----------------------------------------------------------------------------------


def test_heart_rate_uint16_energy_rr() -> None:
    m = parse("ble:2a37", bytes([0x1F]) + u16(300) + u16(1234) + u16(1024) + u16(512) + b"\x01")
    check_value(m, "heart_rate", PULSE, "/min", Decimal(300))
    assert m.info["sensor_contact"] is True
    assert m.info["energy_expended_kj"] == 1234
    assert m.info["rr_intervals_1024"] == (1024, 512)
    assert m.info["rr_intervals_s"] == (Decimal(1), Decimal("0.5"))
    assert m.flags == frozenset()


def test_heart_rate_rr_needs_one_interval() -> None:
    with pytest.raises(DecodeError, match="flags 0x10 need 4"):
        parse("ble:2a37", "10 48 01")


def test_heart_rate_rr_exact() -> None:
    m = parse("ble:2a37", bytes([0x10, 60]) + u16(1) + u16(65535))
    assert m.info["rr_intervals_s"] == (Decimal("0.0009765625"), Decimal("63.9990234375"))


# --- property tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
@given(data=st.binary(max_size=48))
@settings(max_examples=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_bytes_raise_only_decode_error(key: str, data: bytes) -> None:
    try:
        m = PARSERS[key](data)
    except DecodeError:
        return
    assert isinstance(m, Measurement)
    for r in m.readings:
        assert r.exact is not None and r.exact.is_finite()
        assert r.value == float(r.exact)


@pytest.mark.parametrize("key", KEYS)
@given(flags=st.integers(0, 255), tail=st.binary(max_size=24), cut=st.integers(0, 40))
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_mutated_valid_payloads(key: str, flags: int, tail: bytes, cut: int) -> None:
    full = full_payload(key, flags)
    payload = (full + tail)[:cut]
    if cut < len(full):
        with pytest.raises(DecodeError):
            PARSERS[key](payload)
    else:
        assert PARSERS[key](payload).protocol == key


# Round trips: generated field values -> test encoder -> parser -> the same values.

numbers16 = st.tuples(st.integers(-2045, 2045), st.integers(-8, 7))


def sfloat_value() -> st.SearchStrategy[Value]:
    number = numbers16.map(lambda me: (sf(*me), Decimal(f"{me[0]}E{me[1]}")))
    special = st.sampled_from(sorted(SPECIAL_SFLOAT)).map(lambda k: (sf_special(k), k))
    return st.one_of(number, number, number, special)


def float_value() -> st.SearchStrategy[Value]:
    number = st.tuples(st.integers(-0x7FFFFD, 0x7FFFFD), st.integers(-128, 127)).map(
        lambda me: (f32(*me), Decimal(f"{me[0]}E{me[1]}"))
    )
    special = st.sampled_from(sorted(SPECIAL_FLOAT)).map(
        lambda k: (SPECIAL_FLOAT[k].to_bytes(4, "little"), k)
    )
    return st.one_of(number, number, number, special)


byte_fields = st.integers(0, 255)
timestamps = st.one_of(
    st.datetimes(datetime(1582, 1, 1), datetime(9999, 12, 31, 23, 59, 59)).map(
        lambda d: (d.year, d.month, d.day, d.hour, d.minute, d.second)
    ),
    st.tuples(st.integers(0, 0xFFFF), byte_fields, byte_fields, byte_fields, byte_fields,
              byte_fields),
)  # fmt: skip


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@given(
    kpa=st.booleans(),
    reserved=st.integers(0, 7),
    values=st.tuples(sfloat_value(), sfloat_value(), sfloat_value()),
    when=maybe(timestamps),
    pulse=maybe(sfloat_value()),
    user=maybe(byte_fields),
    status=maybe(st.integers(0, 0xFFFF)),
    intermediate=st.booleans(),
)
@settings(max_examples=400)
def test_round_trip_blood_pressure(
    kpa: bool,
    reserved: int,
    values: tuple[Value, Value, Value],
    when: Fields | None,
    pulse: Value | None,
    user: int | None,
    status: int | None,
    intermediate: bool,
) -> None:
    flags = (
        int(kpa)
        | (0x02 if when else 0)
        | (0x04 if pulse else 0)
        | (0x08 if user is not None else 0)
        | (0x10 if status is not None else 0)
        | reserved << 5
    )
    payload = bytes([flags]) + b"".join(v[0] for v in values)
    payload += (dt(when) if when else b"") + (pulse[0] if pulse else b"")
    payload += (bytes([user]) if user is not None else b"") + (
        u16(status) if status is not None else b""
    )
    m = parse("ble:2a36" if intermediate else "ble:2a35", payload)
    unit = "kPa" if kpa else "mm[Hg]"
    assert m.info["unit"] == unit
    check_time(m, when)
    if intermediate:
        assert m.readings == ()
        assert "intermediate" in m.flags
        sys_expected = values[0][1]
        if isinstance(sys_expected, str):
            assert f"cuff_pressure_{sys_expected}" in m.flags
        else:
            same(m.info["cuff_pressure"], sys_expected)
    else:
        check_value(m, "systolic", SYSTOLIC, unit, values[0][1])
        check_value(m, "diastolic", DIASTOLIC, unit, values[1][1])
        check_value(m, "mean_arterial", MEAN_ARTERIAL_PRESSURE, unit, values[2][1])
        if pulse:
            check_value(m, "pulse_rate", PULSE, "/min", pulse[1])
        else:
            assert m.reading(PULSE) is None
    assert m.info.get("user_id", "absent") == (
        "absent" if user is None else (None if user == 255 else user)
    )
    assert m.info.get("measurement_status") == status
    if status is not None:
        assert ("body_movement" in m.flags) == bool(status & 1)
        assert ("cuff_fit_loose" in m.flags) == bool(status & 2)
        assert ("irregular_pulse" in m.flags) == bool(status & 4)
        assert ("pulse_rate_out_of_range" in m.flags) == (status >> 3 & 3 in (1, 2))
        assert ("improper_position" in m.flags) == bool(status & 0x20)


@given(
    fahrenheit=st.booleans(),
    value=float_value(),
    when=maybe(timestamps),
    kind=maybe(byte_fields),
)
@settings(max_examples=300)
def test_round_trip_temperature(
    fahrenheit: bool, value: Value, when: Fields | None, kind: int | None
) -> None:
    flags = int(fahrenheit) | (0x02 if when else 0) | (0x04 if kind is not None else 0)
    payload = bytes([flags]) + value[0] + (dt(when) if when else b"")
    payload += bytes([kind]) if kind is not None else b""
    m = parse("ble:2a1c", payload)
    check_value(m, "temperature", TEMPERATURE, "[degF]" if fahrenheit else "Cel", value[1])
    check_time(m, when)
    assert m.info.get("temperature_type") == kind


@given(
    spo2=sfloat_value(),
    pulse=sfloat_value(),
    when=maybe(timestamps),
    status=maybe(st.integers(0, 0xFFFF)),
    device=maybe(st.integers(0, 0xFFFFFF)),
    pai=maybe(sfloat_value()),
    clock_not_set=st.booleans(),
)
@settings(max_examples=400)
def test_round_trip_spot_check(
    spo2: Value,
    pulse: Value,
    when: Fields | None,
    status: int | None,
    device: int | None,
    pai: Value | None,
    clock_not_set: bool,
) -> None:
    flags = (
        (0x01 if when else 0)
        | (0x02 if status is not None else 0)
        | (0x04 if device is not None else 0)
        | (0x08 if pai else 0)
        | (0x10 if clock_not_set else 0)
    )
    payload = bytes([flags]) + spo2[0] + pulse[0] + (dt(when) if when else b"")
    payload += u16(status) if status is not None else b""
    payload += device.to_bytes(3, "little") if device is not None else b""
    payload += pai[0] if pai else b""
    m = parse("ble:2a5e", payload)
    check_value(m, "spo2", SPO2, "%", spo2[1])
    check_value(m, "pulse_rate", PULSE, "/min", pulse[1])
    assert ("device_clock_not_set" in m.flags) == clock_not_set
    if clock_not_set:
        assert m.taken_at is None
    else:
        check_time(m, when)
    assert m.info.get("measurement_status") == status
    assert m.info.get("device_sensor_status") == device
    unreliable = (
        isinstance(spo2[1], str)
        or isinstance(pulse[1], str)
        or (status is not None and status & 0xE000 != 0)
        or (device is not None and device & 0xE802 != 0)
    )
    assert ("unreliable" in m.flags) == unreliable
    if pai and not isinstance(pai[1], str):
        same(m.info["pulse_amplitude_index"], pai[1])
    else:
        assert "pulse_amplitude_index" not in m.info


@given(
    normal=st.tuples(sfloat_value(), sfloat_value()),
    fast=maybe(st.tuples(sfloat_value(), sfloat_value())),
    slow=maybe(st.tuples(sfloat_value(), sfloat_value())),
    status=maybe(st.integers(0, 0xFFFF)),
    device=maybe(st.integers(0, 0xFFFFFF)),
    pai=maybe(sfloat_value()),
)
@settings(max_examples=400)
def test_round_trip_continuous(
    normal: tuple[Value, Value],
    fast: tuple[Value, Value] | None,
    slow: tuple[Value, Value] | None,
    status: int | None,
    device: int | None,
    pai: Value | None,
) -> None:
    flags = (
        (0x01 if fast else 0)
        | (0x02 if slow else 0)
        | (0x04 if status is not None else 0)
        | (0x08 if device is not None else 0)
        | (0x10 if pai else 0)
    )
    payload = bytes([flags]) + normal[0][0] + normal[1][0]
    for pair in (fast, slow):
        payload += pair[0][0] + pair[1][0] if pair else b""
    payload += u16(status) if status is not None else b""
    payload += device.to_bytes(3, "little") if device is not None else b""
    payload += pai[0] if pai else b""
    m = parse("ble:2a5f", payload)
    check_value(m, "spo2", SPO2, "%", normal[0][1])
    check_value(m, "pulse_rate", PULSE, "/min", normal[1][1])
    for suffix, pair in (("fast", fast), ("slow", slow)):
        for name, value in zip(
            (f"spo2_{suffix}", f"pulse_rate_{suffix}"), pair or (), strict=False
        ):
            if isinstance(value[1], str):
                assert f"{name}_{value[1]}" in m.flags and name not in m.info
            else:
                same(m.info[name], value[1])
        if pair is None:
            assert f"spo2_{suffix}" not in m.info
    assert m.taken_at is None
    assert m.info.get("measurement_status") == status
    assert m.info.get("device_sensor_status") == device


@given(
    imperial=st.booleans(),
    weight=st.integers(0, 0xFFFF),
    when=maybe(timestamps),
    user=maybe(byte_fields),
    bmi_height=maybe(st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF))),
)
@settings(max_examples=400)
def test_round_trip_weight(
    imperial: bool,
    weight: int,
    when: Fields | None,
    user: int | None,
    bmi_height: tuple[int, int] | None,
) -> None:
    flags = (
        int(imperial)
        | (0x02 if when else 0)
        | (0x04 if user is not None else 0)
        | (0x08 if bmi_height else 0)
    )
    payload = bytes([flags]) + u16(weight) + (dt(when) if when else b"")
    payload += bytes([user]) if user is not None else b""
    payload += u16(bmi_height[0]) + u16(bmi_height[1]) if bmi_height else b""
    m = parse("ble:2a9d", payload)
    if weight == 0xFFFF:
        assert m.reading(WEIGHT) is None and "weight_unsuccessful" in m.flags
    elif imperial:
        check_value(m, "weight", WEIGHT, "[lb_av]", Decimal(weight).scaleb(-2))
    else:
        check_value(m, "weight", WEIGHT, "kg", Decimal(weight * 5).scaleb(-3))
        assert exact(m, WEIGHT) == Decimal(weight) * Decimal("0.005")
    check_time(m, when)
    if bmi_height:
        check_value(m, "bmi", BMI, "kg/m2", Decimal(bmi_height[0]).scaleb(-1))
        expected_height = Decimal(bmi_height[1]).scaleb(-1)
        check_value(m, "height", HEIGHT, "[in_i]" if imperial else "cm", expected_height)
        if not imperial:  # 0.001 m steps, in cm
            assert expected_height == Decimal(bmi_height[1]) * Decimal("0.001") * 100
    else:
        assert m.reading(BMI) is None and m.reading(HEIGHT) is None


@given(
    seq=st.integers(0, 0xFFFF),
    base=timestamps,
    offset=maybe(st.integers(-0x8000, 0x7FFF)),
    concentration=maybe(st.tuples(sfloat_value(), st.integers(0, 15), st.integers(0, 15))),
    molar=st.booleans(),
    status=maybe(st.integers(0, 0xFFFF)),
    context=st.booleans(),
)
@settings(max_examples=400)
def test_round_trip_glucose(
    seq: int,
    base: Fields,
    offset: int | None,
    concentration: tuple[Value, int, int] | None,
    molar: bool,
    status: int | None,
    context: bool,
) -> None:
    flags = (
        (0x01 if offset is not None else 0)
        | (0x02 if concentration else 0)
        | (0x04 if molar else 0)
        | (0x08 if status is not None else 0)
        | (0x10 if context else 0)
    )
    payload = bytes([flags]) + u16(seq) + dt(base)
    payload += offset.to_bytes(2, "little", signed=True) if offset is not None else b""
    if concentration:
        value, kind, location = concentration
        payload += value[0] + bytes([location << 4 | kind])
    payload += u16(status) if status is not None else b""
    m = parse("ble:2a18", payload)
    assert m.info["sequence_number"] == seq
    assert m.info["context_follows"] is context
    when = expected_time(base)
    if when is not None and offset is not None:
        try:
            when += timedelta(minutes=offset)
        except OverflowError:
            when = None
    assert m.taken_at == when
    if concentration:
        value, kind, location = concentration
        control = kind == 10 or location == 4
        assert ("control_solution" in m.flags) == control
        unit = "mmol/L" if molar else "mg/dL"
        if isinstance(value[1], str):
            assert m.readings == () and f"glucose_{value[1]}" in m.flags
        elif control:
            assert m.readings == ()
            same(m.info["control_solution_value"], value[1].scaleb(3 if molar else 5))
        else:
            check_value(m, "glucose", GLUCOSE_RANDOM, unit, value[1].scaleb(3 if molar else 5))
            factor = Decimal(1000) if molar else Decimal(100000)
            assert exact(m, GLUCOSE_RANDOM) == value[1] * factor
        assert m.info["sample_type"] == kind
        assert m.info["sample_location"] == location
    else:
        assert m.readings == ()
    assert m.info.get("sensor_status") == status


@given(
    wide=st.booleans(),
    rate=st.integers(0, 0xFFFF),
    contact=st.integers(0, 3),
    energy=maybe(st.integers(0, 0xFFFF)),
    rr=maybe(st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=9)),
)
@settings(max_examples=400)
def test_round_trip_heart_rate(
    wide: bool, rate: int, contact: int, energy: int | None, rr: list[int] | None
) -> None:
    if not wide:
        rate &= 0xFF
    flags = int(wide) | contact << 1 | (0x08 if energy is not None else 0) | (0x10 if rr else 0)
    payload = bytes([flags]) + (u16(rate) if wide else bytes([rate]))
    payload += u16(energy) if energy is not None else b""
    payload += b"".join(u16(r) for r in rr) if rr else b""
    m = parse("ble:2a37", payload)
    check_value(m, "heart_rate", PULSE, "/min", Decimal(rate))
    assert m.info["sensor_contact"] == (None if contact < 2 else contact == 3)
    assert ("no_sensor_contact" in m.flags) == (contact == 2)
    assert m.info.get("energy_expended_kj") == energy
    if rr:
        assert m.info["rr_intervals_1024"] == tuple(rr)
        seconds = m.info["rr_intervals_s"]
        assert isinstance(seconds, tuple)
        assert [s * 1024 for s in seconds] == rr
    else:
        assert "rr_intervals_1024" not in m.info


# --- through the registry -------------------------------------------------------------------------


def _registry_ready() -> bool:
    try:
        import app.devices.parsers as registry

        return hasattr(registry, "PARSERS")
    except ImportError:
        return False


@pytest.mark.skipif(not _registry_ready(), reason="sibling parser modules not written yet")
def test_decode_through_app_devices() -> None:
    from app.devices import decode, protocols

    assert set(KEYS) <= set(protocols())
    m = decode("ble:2a35", bytes.fromhex("15 BD F0 0B 00 9F F0 3C 00 12 00"))
    check_value(m, "systolic", SYSTOLIC, "kPa", Decimal("18.9"))
    m = decode("ble:2a35", bytes.fromhex("00 78 00 50 00 5D 00"))
    check_value(m, "systolic", SYSTOLIC, "mm[Hg]", Decimal("120"))
    with pytest.raises(DecodeError, match="ble:2a35"):
        decode("ble:2a35", b"\x1e\x8a\x00")
