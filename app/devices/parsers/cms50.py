"""Contec CMS50D+/CMS50E pulse oximeter, legacy firmware (devices reference §2.1 a).

``cms50:live`` - the 5-byte live frame streamed at about 60 Hz:

    byte 0  bit7 = 1 (sync); bit6 beep; bit5 SpO2 dropping; bit4 finger out; bits3-0 signal
    byte 1  bit7 = 0; bits6-0 pleth waveform sample
    byte 2  bit7 = 0; bit6 pulse-rate bit 7; bit5 searching; bit4 probe error; bits3-0 bar graph
    byte 3  bit7 = 0; bits6-0 pulse-rate bits 6..0
    byte 4  bit7 = 0; bits6-0 SpO2 %

``cms50:recorded`` - one 3-byte stored record (one per second, no timestamp):

    byte 0  0xF0 | pulse-rate bit 7 (top 7 bits must be 1111000)
    byte 1  bit7 = 1; bits6-0 pulse-rate bits 6..0
    byte 2  bit7 = 0; bits6-0 SpO2 %

"No value": SpO2 127 (the 7-bit all-ones marker), 0 (finger out) and anything above 100 never
become a reading; nor do pulse rates 255 and 0. The raw numbers stay in ``info`` and the flags
``no_spo2`` / ``no_pulse`` say which is missing. Readings are kept when a status bit such as
``finger_out`` is set: the flags travel with them and the driver/domain decides.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from app.devices.measurement import DecodeError, Measurement, Reading
from app.domain.vitals import PULSE, SPO2

__all__ = ["PARSERS", "parse_live", "parse_recorded"]

LIVE = "cms50:live"
RECORDED = "cms50:recorded"

SPO2_NO_VALUE = 127
PULSE_NO_VALUE = 255


def _spo2(raw: int) -> Reading | None:
    if 1 <= raw <= 100:
        return Reading(SPO2, float(raw), "%", Decimal(raw))
    return None  # 0 (finger out), 101..126 (out of range), 127 (no value)


def _pulse(raw: int) -> Reading | None:
    if 1 <= raw <= 254:
        return Reading(PULSE, float(raw), "/min", Decimal(raw))
    return None  # 0 (finger out) or 255 (no value)


def _values(pulse_raw: int, spo2_raw: int, flags: set[str]) -> tuple[Reading, ...]:
    readings: list[Reading] = []
    spo2 = _spo2(spo2_raw)
    if spo2 is None:
        flags.add("no_spo2")
    else:
        readings.append(spo2)
    pulse = _pulse(pulse_raw)
    if pulse is None:
        flags.add("no_pulse")
    else:
        readings.append(pulse)
    return tuple(readings)


def parse_live(data: bytes) -> Measurement:
    if len(data) != 5:
        kind = "truncated" if len(data) < 5 else "too long"
        raise DecodeError(f"{LIVE}: frame is {kind}: {len(data)} bytes, expected 5")
    b0, b1, b2, b3, b4 = data
    if not b0 & 0x80:
        raise DecodeError(f"{LIVE}: sync bit 7 of byte 0 is clear (0x{b0:02X})")
    for index, byte in enumerate((b1, b2, b3, b4), start=1):
        if byte & 0x80:
            raise DecodeError(f"{LIVE}: bit 7 of byte {index} is set (0x{byte:02X}); out of sync")
    flags: set[str] = set()
    if b0 & 0x40:
        flags.add("beep")
    if b0 & 0x20:
        flags.add("spo2_dropping")
    if b0 & 0x10:
        flags.add("finger_out")
    if b2 & 0x20:
        flags.add("searching")
    if b2 & 0x10:
        flags.add("probe_error")
    pulse_raw = ((b2 & 0x40) << 1) | b3
    spo2_raw = b4
    readings = _values(pulse_raw, spo2_raw, flags)
    info: dict[str, object] = {
        "signal_strength": b0 & 0x0F,
        "pleth": b1,
        "bargraph": b2 & 0x0F,
        "pulse_rate_raw": pulse_raw,
        "spo2_raw": spo2_raw,
    }
    return Measurement(LIVE, readings, None, frozenset(flags), info)


def parse_recorded(data: bytes) -> Measurement:
    if len(data) != 3:
        kind = "truncated" if len(data) < 3 else "too long"
        raise DecodeError(f"{RECORDED}: record is {kind}: {len(data)} bytes, expected 3")
    b0, b1, b2 = data
    if b0 & 0xFE != 0xF0:
        raise DecodeError(f"{RECORDED}: byte 0 is 0x{b0:02X}, expected 0xF0 or 0xF1 (sync)")
    if not b1 & 0x80:
        raise DecodeError(f"{RECORDED}: bit 7 of byte 1 is clear (0x{b1:02X}); out of sync")
    if b2 & 0x80:
        raise DecodeError(f"{RECORDED}: bit 7 of byte 2 is set (0x{b2:02X}); out of sync")
    pulse_raw = ((b0 & 0x01) << 7) | (b1 & 0x7F)
    spo2_raw = b2
    flags: set[str] = set()
    readings = _values(pulse_raw, spo2_raw, flags)
    info: dict[str, object] = {"pulse_rate_raw": pulse_raw, "spo2_raw": spo2_raw}
    return Measurement(RECORDED, readings, None, frozenset(flags), info)


PARSERS: dict[str, Callable[[bytes], Measurement]] = {
    LIVE: parse_live,
    RECORDED: parse_recorded,
}
