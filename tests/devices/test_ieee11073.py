"""IEEE-11073 SFLOAT / FLOAT / Date Time helpers (device reference 1.0 and 5)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices.measurement import DecodeError
from app.devices.parsers.ieee11073 import (
    Special,
    date_time,
    date_time_known,
    float32,
    read_date_time_fields,
    read_float32,
    read_sfloat,
    sfloat,
)

SFLOAT_SPECIALS = {
    0x07FF: Special.NAN,
    0x0800: Special.NRES,
    0x07FE: Special.POS_INF,
    0x0802: Special.NEG_INF,
    0x0801: Special.RESERVED,
}
FLOAT_SPECIALS = {
    0x007FFFFF: Special.NAN,
    0x00800000: Special.NRES,
    0x007FFFFE: Special.POS_INF,
    0x00800002: Special.NEG_INF,
    0x00800001: Special.RESERVED,
}


def enc_sfloat(mantissa: int, exponent: int) -> bytes:
    return (((exponent & 0xF) << 12) | (mantissa & 0xFFF)).to_bytes(2, "little")


def enc_float32(mantissa: int, exponent: int) -> bytes:
    return (((exponent & 0xFF) << 24) | (mantissa & 0xFFFFFF)).to_bytes(4, "little")


def same(actual: object, expected: Decimal) -> None:
    """Equal as numbers AND with the same digits and exponent (2 vs 2.0)."""
    assert isinstance(actual, Decimal)
    assert actual == expected
    assert actual.as_tuple() == expected.as_tuple()


# --- §5 vectors ---------------------------------------------------------------------------------


def test_sfloat_vector_120() -> None:
    same(read_sfloat(bytes.fromhex("78 00"), 0), Decimal("120"))


def test_sfloat_vector_2_0() -> None:
    value = read_sfloat(bytes.fromhex("14 F0"), 0)
    same(value, Decimal("2.0"))
    assert isinstance(value, Decimal) and value.as_tuple().exponent == -1


def test_float32_vector_36_6() -> None:
    same(read_float32(bytes.fromhex("6E 01 00 FF"), 0), Decimal("36.6"))


def test_float32_vector_37_60() -> None:
    same(read_float32(bytes.fromhex("B0 0E 00 FE"), 0), Decimal("37.60"))


def test_date_time_vector_2024() -> None:
    fields = read_date_time_fields(bytes.fromhex("E8 07 03 0F 0A 1E 00"), 0)
    assert fields == (2024, 3, 15, 10, 30, 0)
    assert date_time(fields) == datetime(2024, 3, 15, 10, 30, 0)


def test_date_time_vector_unknown_year() -> None:
    fields = read_date_time_fields(bytes.fromhex("00 00 04 11 14 29 3B"), 0)
    assert fields == (0, 4, 17, 20, 41, 59)
    assert date_time(fields) is None
    assert not date_time_known(fields)


# --- derived --------------------------------------------------------------------------------------


def test_exponent_is_twos_complement_not_offset_binary() -> None:
    # §6: a public decoder reads nibble 8 as 10^0 and sends 120 mmHg as `78 80`. It is 120e-8.
    same(read_sfloat(bytes.fromhex("78 80"), 0), Decimal("120E-8"))
    same(sfloat(0x7001), Decimal("1E+7"))
    same(float32(0x80000001), Decimal("1E-128"))
    same(float32(0x7F000001), Decimal("1E+127"))


def test_negative_mantissas() -> None:
    same(sfloat(0x0FFF), Decimal("-1"))
    same(sfloat(0xF7FD), Decimal("204.5"))  # mantissa 0x7FD = 2045, exponent -1
    same(sfloat(0xF803), Decimal("-204.5"))  # mantissa 0x803 = -2045
    same(sfloat(0x0803), Decimal("-2045"))
    same(float32(0x00FFFB2E), Decimal("-1234"))  # HL7 PHD IG worked example
    same(float32(0x00FFFFFF), Decimal("-1"))


@pytest.mark.parametrize(("raw", "special"), sorted(SFLOAT_SPECIALS.items()))
def test_sfloat_specials(raw: int, special: Special) -> None:
    assert sfloat(raw) is special
    assert read_sfloat(raw.to_bytes(2, "little"), 0) is special


@pytest.mark.parametrize(("raw", "special"), sorted(FLOAT_SPECIALS.items()))
def test_float32_specials(raw: int, special: Special) -> None:
    assert float32(raw) is special
    assert read_float32(raw.to_bytes(4, "little"), 0) is special


@pytest.mark.parametrize("exponent", [e for e in range(-8, 8) if e != 0])
@pytest.mark.parametrize("mantissa_bits", range(0x7FE, 0x803))
def test_special_mantissa_with_exponent_is_invalid(exponent: int, mantissa_bits: int) -> None:
    raw = ((exponent & 0xF) << 12) | mantissa_bits
    assert sfloat(raw) is Special.RESERVED
    raw32 = ((exponent & 0xFF) << 24) | (mantissa_bits - 0x7FE + 0x7FFFFE)
    assert float32(raw32) is Special.RESERVED


def test_every_sfloat_raw_value() -> None:
    for raw in range(0x10000):
        value = sfloat(raw)
        mantissa_bits, exponent_bits = raw & 0xFFF, raw >> 12
        if 0x7FE <= mantissa_bits <= 0x802:
            assert isinstance(value, Special), hex(raw)
            continue
        mantissa = mantissa_bits - 0x1000 if mantissa_bits & 0x800 else mantissa_bits
        exponent = exponent_bits - 0x10 if exponent_bits & 0x8 else exponent_bits
        same(value, Decimal(f"{mantissa}E{exponent}"))
        assert enc_sfloat(mantissa, exponent) == raw.to_bytes(2, "little")


@given(
    st.integers(-0x7FFFFD, 0x7FFFFD),
    st.integers(-128, 127),
)
@settings(max_examples=500)
def test_float32_round_trip(mantissa: int, exponent: int) -> None:
    same(read_float32(enc_float32(mantissa, exponent), 0), Decimal(f"{mantissa}E{exponent}"))


def test_out_of_range_raw_values() -> None:
    for bad in (-1, 0x10000):
        with pytest.raises(DecodeError):
            sfloat(bad)
    for bad in (-1, 0x100000000):
        with pytest.raises(DecodeError):
            float32(bad)


def test_reads_past_the_end_raise() -> None:
    with pytest.raises(DecodeError):
        read_sfloat(b"\x01", 0)
    with pytest.raises(DecodeError):
        read_sfloat(b"\x01\x02\x03", 2)
    with pytest.raises(DecodeError):
        read_float32(b"\x01\x02\x03", 0)
    with pytest.raises(DecodeError):
        read_date_time_fields(bytes(6), 0)
    with pytest.raises(DecodeError):
        read_date_time_fields(bytes(8), 2)
    assert read_sfloat(b"\x00\x78\x00", 1) == Decimal(120)


@pytest.mark.parametrize(
    "fields",
    [
        (0, 3, 15, 10, 30, 0),  # year not known
        (2024, 0, 15, 10, 30, 0),  # month not known
        (2024, 3, 0, 10, 30, 0),  # day not known
        (0, 0, 0, 0, 0, 0),
    ],
)
def test_unknown_dates(fields: tuple[int, int, int, int, int, int]) -> None:
    assert date_time(fields) is None
    assert not date_time_known(fields)


@pytest.mark.parametrize(
    "fields",
    [
        (2023, 2, 29, 0, 0, 0),  # not a leap year
        (2024, 4, 31, 0, 0, 0),
        (2024, 13, 1, 0, 0, 0),
        (2024, 1, 32, 0, 0, 0),
        (2024, 1, 1, 24, 0, 0),
        (2024, 1, 1, 0, 60, 0),
        (2024, 1, 1, 0, 0, 60),
        (1581, 1, 1, 0, 0, 0),  # before the Date Time range
        (10000, 1, 1, 0, 0, 0),
        (65535, 255, 255, 255, 255, 255),
    ],
)
def test_invalid_dates(fields: tuple[int, int, int, int, int, int]) -> None:
    assert date_time(fields) is None
    assert date_time_known(fields)


def test_valid_date_edges() -> None:
    assert date_time((1582, 1, 1, 0, 0, 0)) == datetime(1582, 1, 1)
    assert date_time((9999, 12, 31, 23, 59, 59)) == datetime(9999, 12, 31, 23, 59, 59)
    assert date_time((2024, 2, 29, 12, 0, 0)) == datetime(2024, 2, 29, 12)


@given(st.binary(min_size=7, max_size=7))
@settings(max_examples=500)
def test_any_date_time_bytes(data: bytes) -> None:
    fields = read_date_time_fields(data, 0)
    when = date_time(fields)
    assert when is None or (when.year, when.month, when.day) == fields[:3]
