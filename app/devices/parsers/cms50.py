"""Contec CMS50D+/CMS50E/F pulse oximeters, both firmware generations (devices reference §2.1).

``cms50:live`` - the legacy (≈ v4.5 and older, §2.1 a) 5-byte live frame, about 60 a second:

    byte 0  bit7 = 1 (sync); bit6 beep; bit5 SpO2 dropping; bit4 finger out; bits3-0 signal
    byte 1  bit7 = 0; bits6-0 pleth waveform sample
    byte 2  bit7 = 0; bit6 pulse-rate bit 7; bit5 searching; bit4 probe error; bits3-0 bar graph
    byte 3  bit7 = 0; bits6-0 pulse-rate bits 6..0
    byte 4  bit7 = 0; bits6-0 SpO2 %

``cms50:recorded`` - one legacy 3-byte stored record (one per second, no timestamp):

    byte 0  0xF0 | pulse-rate bit 7 (top 7 bits must be 1111000)
    byte 1  bit7 = 1; bits6-0 pulse-rate bits 6..0
    byte 2  bit7 = 0; bits6-0 SpO2 %

``cms50:live9`` - the newer firmware's (v4.6+, CMS50E/F, §2.1 b) 9-byte live frame, sent at
about 60 Hz after the host asks with ``7D 81 A1 80 80 80 80 80 80``. The layout is
reverse-engineered (reference confidence: low):

    byte 0  0x01 packet type
    byte 1  0xE0 base; bit0 finger out, bit1 searching
    byte 2  0x80 base; bit6 heartbeat marker (flag ``beat``)
    byte 3  bit7 = 1; bits6-0 pleth waveform sample
    byte 4  bit7 = 1; bits6-0 a second waveform or bar graph (meaning unclear; ``info["byte4"]``)
    byte 5  bit7 = 1; bits6-0 pulse rate
    byte 6  bit7 = 1; bits6-0 SpO2 %
    byte 7, 8  observed 0xFF

Only the packet type and bit 7 of bytes 1-8 are checked: the other bits of bytes 1, 2, 7 and 8
are unconfirmed, so they do not reject a frame. How a pulse rate above 127 is sent is unverified
(no capture shows one), so the pulse rate is taken as 7 bits: 0 and 127 (all ones) mean "no
value", and this firmware's pulse reads 1..126 at most until a real capture settles it. One
guard against a silent misread: this firmware family's other replies carry bit 7 of byte n in
bit n-2 of byte 1 (the 0xE0 base matches: bits 5 and 6 are the top bits of the 0xFF bytes 7 and
8), so byte 1 bit 3 may be the pulse rate's bit 7. When it is set the 7-bit pulse could be the
real one minus 128 (150 read as 22), so the frame gets the flag ``pulse_high_bit`` and no pulse.

"No value": SpO2 127 (the 7-bit all-ones marker), 0 (finger out) and anything above 100 never
become a reading; nor do pulse rates 255 and 0 (127 and 0 in ``cms50:live9``). The raw numbers
stay in ``info`` and the flags ``no_spo2`` / ``no_pulse`` say which is missing. Readings are
kept when a status bit such as ``finger_out`` is set: the flags travel with them and the
driver/domain decides.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from app.devices.measurement import DecodeError, Measurement, Reading
from app.domain.vitals import PULSE, SPO2

__all__ = ["PARSERS", "parse_live", "parse_live9", "parse_recorded"]

LIVE = "cms50:live"
LIVE9 = "cms50:live9"
RECORDED = "cms50:recorded"

SPO2_NO_VALUE = 127
PULSE_NO_VALUE = 255
PULSE_NO_VALUE_7BIT = 127  # the v4.6+ frame carries 7 pulse bits (§2.1 b)
V46_PACKET_LIVE = 0x01


def _spo2(raw: int) -> Reading | None:
    if 1 <= raw <= 100:
        return Reading(SPO2, float(raw), "%", Decimal(raw))
    return None  # 0 (finger out), 101..126 (out of range), 127 (no value)


def _pulse(raw: int, no_value: int) -> Reading | None:
    if 1 <= raw < no_value:
        return Reading(PULSE, float(raw), "/min", Decimal(raw))
    return None  # 0 (finger out) or the all-ones "no value" marker


def _values(
    pulse_raw: int, spo2_raw: int, flags: set[str], pulse_no_value: int = PULSE_NO_VALUE
) -> tuple[Reading, ...]:
    readings: list[Reading] = []
    spo2 = _spo2(spo2_raw)
    if spo2 is None:
        flags.add("no_spo2")
    else:
        readings.append(spo2)
    pulse = _pulse(pulse_raw, pulse_no_value)
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


def parse_live9(data: bytes) -> Measurement:
    """One v4.6+ live frame (layout in the module docstring; reference §2.1 b, §5 vectors)."""
    if len(data) != 9:
        kind = "truncated" if len(data) < 9 else "too long"
        raise DecodeError(f"{LIVE9}: frame is {kind}: {len(data)} bytes, expected 9")
    if data[0] != V46_PACKET_LIVE:
        raise DecodeError(f"{LIVE9}: packet type is 0x{data[0]:02X}, expected 0x01 (live data)")
    for index in range(1, 9):
        if not data[index] & 0x80:
            raise DecodeError(
                f"{LIVE9}: bit 7 of byte {index} is clear (0x{data[index]:02X}); out of sync"
            )
    b1, b2 = data[1], data[2]
    flags: set[str] = set()
    if b1 & 0x01:
        flags.add("finger_out")
    if b1 & 0x02:
        flags.add("searching")
    if b2 & 0x40:
        flags.add("beat")
    pulse_raw = data[5] & 0x7F
    spo2_raw = data[6] & 0x7F
    if b1 & 0x08:
        flags.add("pulse_high_bit")  # possibly pulse >= 128: never show pulse - 128
        readings = _values(0, spo2_raw, flags)
    else:
        readings = _values(pulse_raw, spo2_raw, flags, PULSE_NO_VALUE_7BIT)
    info: dict[str, object] = {
        "pleth": data[3] & 0x7F,
        "byte4": data[4] & 0x7F,
        "pulse_rate_raw": pulse_raw,
        "spo2_raw": spo2_raw,
    }
    return Measurement(LIVE9, readings, None, frozenset(flags), info)


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
    LIVE9: parse_live9,
    RECORDED: parse_recorded,
}
