"""IEEE 11073-20601 number and date formats used by the Bluetooth LE health profiles.

Device reference (``devices.md``) section 1.0:

* **SFLOAT** (16 bit, little-endian): exponent bits 15..12, 4-bit *two's complement*; mantissa
  bits 11..0, 12-bit two's complement. value = mantissa x 10^exponent.
* **FLOAT** (32 bit, little-endian): exponent bits 31..24 (8-bit two's complement), mantissa
  bits 23..0 (24-bit two's complement).
* **Date Time** (7 bytes): uint16 year, month, day, hours, minutes, seconds; 0 in year, month
  or day means "not known".

The exponent is two's complement, never offset-binary (section 6: a public decoder reads the
nibble 8 as 10^0 and is wrong by powers of ten). Special values are matched on the exact bit
pattern (exponent 0), not on the mantissa alone. A mantissa in the special range
(0x7FE..0x802, resp. 0x7FFFFE..0x800002) with a non-zero exponent is undefined in practice;
the reference says to treat it as invalid, so it is reported as ``Special.RESERVED``.

Values are returned as exact ``Decimal`` (mantissa and exponent kept, so 2 and 2.0 differ).
Pure functions; the only error raised is ``DecodeError``.
"""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from app.devices.measurement import DecodeError


class Special(StrEnum):
    """An IEEE-11073 value that is not a number; the string is used in flag names."""

    NAN = "nan"
    NRES = "nres"
    POS_INF = "pos_inf"
    NEG_INF = "neg_inf"
    RESERVED = "reserved"


_SFLOAT_SPECIAL: dict[int, Special] = {
    0x07FF: Special.NAN,
    0x0800: Special.NRES,
    0x07FE: Special.POS_INF,
    0x0802: Special.NEG_INF,
    0x0801: Special.RESERVED,
}

_FLOAT_SPECIAL: dict[int, Special] = {
    0x007FFFFF: Special.NAN,
    0x00800000: Special.NRES,
    0x007FFFFE: Special.POS_INF,
    0x00800002: Special.NEG_INF,
    0x00800001: Special.RESERVED,
}

DATE_TIME_SIZE = 7
MIN_YEAR = 1582  # Date Time year range 1582..9999 (0 = not known)


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def _exact(mantissa: int, exponent: int) -> Decimal:
    sign = 1 if mantissa < 0 else 0
    digits = tuple(int(d) for d in str(abs(mantissa)))
    return Decimal((sign, digits, exponent))


@functools.lru_cache(maxsize=4096)  # decoded values recur; Decimal is immutable, so sharing is safe
def sfloat(raw: int) -> Decimal | Special:
    """Decode a 16-bit SFLOAT given as its unsigned integer (already little-endian decoded)."""
    if not 0 <= raw <= 0xFFFF:
        raise DecodeError(f"SFLOAT raw value {raw} is not 16 bits")
    special = _SFLOAT_SPECIAL.get(raw)
    if special is not None:
        return special
    mantissa_bits = raw & 0x0FFF
    if 0x07FE <= mantissa_bits <= 0x0802:
        return Special.RESERVED  # special mantissa with a non-zero exponent: undefined
    return _exact(_signed(mantissa_bits, 12), _signed(raw >> 12, 4))


def float32(raw: int) -> Decimal | Special:
    """Decode a 32-bit FLOAT given as its unsigned integer (already little-endian decoded)."""
    if not 0 <= raw <= 0xFFFFFFFF:
        raise DecodeError(f"FLOAT raw value {raw} is not 32 bits")
    special = _FLOAT_SPECIAL.get(raw)
    if special is not None:
        return special
    mantissa_bits = raw & 0x00FFFFFF
    if 0x007FFFFE <= mantissa_bits <= 0x00800002:
        return Special.RESERVED
    return _exact(_signed(mantissa_bits, 24), _signed(raw >> 24, 8))


def _need(data: bytes, offset: int, size: int, what: str) -> None:
    if offset < 0 or offset + size > len(data):
        raise DecodeError(f"{what}: need {size} bytes at offset {offset}, have {len(data)}")


def read_sfloat(data: bytes, offset: int) -> Decimal | Special:
    _need(data, offset, 2, "SFLOAT")
    return sfloat(int.from_bytes(data[offset : offset + 2], "little"))


def read_float32(data: bytes, offset: int) -> Decimal | Special:
    _need(data, offset, 4, "FLOAT")
    return float32(int.from_bytes(data[offset : offset + 4], "little"))


DateFields = tuple[int, int, int, int, int, int]  # year, month, day, hours, minutes, seconds


def read_date_time_fields(data: bytes, offset: int) -> DateFields:
    """The seven-byte Date Time as its raw fields (nothing checked)."""
    _need(data, offset, DATE_TIME_SIZE, "Date Time")
    year = int.from_bytes(data[offset : offset + 2], "little")
    month, day, hours, minutes, seconds = data[offset + 2 : offset + 7]
    return (year, month, day, hours, minutes, seconds)


def date_time(fields: DateFields) -> datetime | None:
    """A naive datetime, or None when the date is not known (0) or not a valid date/time."""
    year, month, day, hours, minutes, seconds = fields
    if year == 0 or month == 0 or day == 0 or year < MIN_YEAR:
        return None
    try:
        return datetime(year, month, day, hours, minutes, seconds)
    except ValueError:  # day 31 in April, hours 24, year 10000, ...
        return None


def date_time_known(fields: DateFields) -> bool:
    """False when year, month or day is 0 ("not known"), as opposed to invalid."""
    return fields[0] != 0 and fields[1] != 0 and fields[2] != 0
