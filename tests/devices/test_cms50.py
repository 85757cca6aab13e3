"""Contec CMS50 legacy live (5-byte) and recorded (3-byte) parsers: devices reference §2.1, §5."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices.measurement import DecodeError, Measurement
from app.devices.parsers import cms50
from app.devices.parsers.cms50 import parse_live, parse_recorded
from app.domain.vitals import PULSE, SPO2


def live_view(m: Measurement) -> dict[str, object]:
    """The reference's ``expected`` shape for a live frame."""
    spo2, pulse = m.reading(SPO2), m.reading(PULSE)
    return {
        "signal_strength": m.info["signal_strength"],
        "finger_out": "finger_out" in m.flags,
        "spo2_dropping": "spo2_dropping" in m.flags,
        "beep": "beep" in m.flags,
        "pleth": m.info["pleth"],
        "bargraph": m.info["bargraph"],
        "probe_error": "probe_error" in m.flags,
        "searching": "searching" in m.flags,
        "pulse_rate": None if pulse is None else pulse.value,
        "spo2": None if spo2 is None else spo2.value,
    }


def live_frame(
    *,
    signal: int = 0,
    finger_out: bool = False,
    dropping: bool = False,
    beep: bool = False,
    pleth: int = 0,
    bar: int = 0,
    probe_error: bool = False,
    searching: bool = False,
    pulse: int = 72,
    spo2: int = 98,
) -> bytes:
    """A test-only encoder, from the field table (not from the parser)."""
    b0 = 0x80 | signal | (0x10 * finger_out) | (0x20 * dropping) | (0x40 * beep)
    b2 = bar | (0x10 * probe_error) | (0x20 * searching) | ((pulse & 0x80) >> 1)
    return bytes((b0, pleth, b2, pulse & 0x7F, spo2))


# --- §5 example vectors ---------------------------------------------------------------------


LIVE_VECTORS = [
    (
        "C5 40 06 48 62",
        {"signal_strength": 5, "finger_out": False, "spo2_dropping": False, "beep": True,
         "pleth": 64, "bargraph": 6, "probe_error": False, "searching": False,
         "pulse_rate": 72, "spo2": 98},
    ),
    (
        "83 10 43 16 5F",
        {"signal_strength": 3, "finger_out": False, "spo2_dropping": False, "beep": False,
         "pleth": 16, "bargraph": 3, "probe_error": False, "searching": False,
         "pulse_rate": 150, "spo2": 95},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("hex_", "expected"), LIVE_VECTORS)
def test_live_reference_vectors(hex_: str, expected: dict[str, object]) -> None:
    m = parse_live(bytes.fromhex(hex_))
    assert m.protocol == "cms50:live"
    assert live_view(m) == expected
    assert m.taken_at is None
    spo2, pulse = m.reading(SPO2), m.reading(PULSE)
    assert spo2 is not None and spo2.unit == "%" and spo2.exact == Decimal(expected["spo2"])  # type: ignore[arg-type]
    assert pulse is not None and pulse.unit == "/min"
    assert pulse.exact == Decimal(expected["pulse_rate"])  # type: ignore[arg-type]


@pytest.mark.parametrize(("hex_", "pulse", "spo2"), [("F0 C8 61", 72, 97), ("F1 96 5E", 150, 94)])
def test_recorded_reference_vectors(hex_: str, pulse: int, spo2: int) -> None:
    m = parse_recorded(bytes.fromhex(hex_))
    assert m.protocol == "cms50:recorded"
    assert m.reading(PULSE) is not None and m.reading(PULSE).value == pulse  # type: ignore[union-attr]
    assert m.reading(SPO2) is not None and m.reading(SPO2).value == spo2  # type: ignore[union-attr]
    assert m.reading(SPO2).unit == "%" and m.reading(PULSE).unit == "/min"  # type: ignore[union-attr]
    assert m.taken_at is None and m.flags == frozenset()


# --- every status bit -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byte", "mask", "flag"),
    [
        (0, 0x40, "beep"),
        (0, 0x20, "spo2_dropping"),
        (0, 0x10, "finger_out"),
        (2, 0x20, "searching"),
        (2, 0x10, "probe_error"),
    ],
)
def test_each_status_bit_is_its_own_flag(byte: int, mask: int, flag: str) -> None:
    frame = bytearray(live_frame())
    assert parse_live(bytes(frame)).flags == frozenset()
    frame[byte] |= mask
    m = parse_live(bytes(frame))
    assert m.flags == {flag}
    # the values are still decoded; the flag travels with them
    assert m.reading(SPO2).value == 98 and m.reading(PULSE).value == 72  # type: ignore[union-attr]


@pytest.mark.parametrize("signal", range(16))
def test_signal_strength_and_bargraph_nibbles(signal: int) -> None:
    m = parse_live(live_frame(signal=signal, bar=15 - signal))
    assert m.info["signal_strength"] == signal
    assert m.info["bargraph"] == 15 - signal
    assert m.flags == frozenset()


@pytest.mark.parametrize("pleth", [0, 1, 64, 127])
def test_pleth_is_seven_bits(pleth: int) -> None:
    assert parse_live(live_frame(pleth=pleth)).info["pleth"] == pleth


@pytest.mark.parametrize("pulse", [1, 30, 127, 128, 129, 200, 254])
def test_pulse_rate_bit7_comes_from_byte2(pulse: int) -> None:
    m = parse_live(live_frame(pulse=pulse))
    assert m.reading(PULSE).value == pulse  # type: ignore[union-attr]
    assert m.reading(PULSE).exact == Decimal(pulse)  # type: ignore[union-attr]


def test_all_flags_at_once() -> None:
    m = parse_live(
        live_frame(finger_out=True, dropping=True, beep=True, probe_error=True, searching=True)
    )
    assert m.flags == {"beep", "spo2_dropping", "finger_out", "searching", "probe_error"}


# --- "no value" markers ---------------------------------------------------------------------


@pytest.mark.parametrize("spo2", [127, 0, 101, 126])
def test_spo2_no_value_never_becomes_a_number(spo2: int) -> None:
    m = parse_live(live_frame(spo2=spo2))
    assert m.reading(SPO2) is None
    assert "no_spo2" in m.flags
    assert m.info["spo2_raw"] == spo2
    assert m.reading(PULSE).value == 72  # type: ignore[union-attr]


@pytest.mark.parametrize("pulse", [255, 0])
def test_pulse_no_value_never_becomes_a_number(pulse: int) -> None:
    m = parse_live(live_frame(pulse=pulse))
    assert m.reading(PULSE) is None
    assert "no_pulse" in m.flags
    assert m.info["pulse_rate_raw"] == pulse
    assert m.reading(SPO2).value == 98  # type: ignore[union-attr]


def test_finger_out_frame_with_markers() -> None:
    m = parse_live(live_frame(finger_out=True, searching=True, pulse=255, spo2=127))
    assert m.readings == ()
    assert m.flags == {"finger_out", "searching", "no_spo2", "no_pulse"}


@pytest.mark.parametrize(("hex_", "flags"), [("F1 FF 7F", {"no_pulse", "no_spo2"}),
                                            ("F0 80 00", {"no_pulse", "no_spo2"}),
                                            ("F0 C8 7F", {"no_spo2"})])  # fmt: skip
def test_recorded_no_value_markers(hex_: str, flags: set[str]) -> None:
    m = parse_recorded(bytes.fromhex(hex_))
    assert m.flags == flags
    assert all(r.code not in {SPO2, PULSE} or r.value < 255 for r in m.readings)
    if "no_spo2" in flags:
        assert m.reading(SPO2) is None


# --- malformed and truncated ----------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 6, 10])
def test_live_wrong_length(n: int) -> None:
    data = (live_frame() * 3)[:n]
    with pytest.raises(DecodeError, match="truncated" if n < 5 else "too long"):
        parse_live(data)


def test_live_sync_bit_missing() -> None:
    with pytest.raises(DecodeError, match="sync"):
        parse_live(bytes.fromhex("45 40 06 48 62"))


@pytest.mark.parametrize("index", [1, 2, 3, 4])
def test_live_bit7_in_a_later_byte_is_out_of_sync(index: int) -> None:
    frame = bytearray(live_frame())
    frame[index] |= 0x80
    with pytest.raises(DecodeError, match=f"byte {index}"):
        parse_live(bytes(frame))


@pytest.mark.parametrize("n", [0, 1, 2, 4])
def test_recorded_wrong_length(n: int) -> None:
    with pytest.raises(DecodeError, match="truncated" if n < 3 else "too long"):
        parse_recorded(bytes.fromhex("F0 C8 61 F0")[:n])


@pytest.mark.parametrize(
    ("hex_", "what"),
    [
        ("F2 C8 61", "byte 0"),
        ("E0 C8 61", "byte 0"),
        ("70 C8 61", "byte 0"),
        ("C5 C8 61", "byte 0"),
        ("F0 48 61", "byte 1"),
        ("F0 C8 E1", "byte 2"),
    ],
)
def test_recorded_sync_errors(hex_: str, what: str) -> None:
    with pytest.raises(DecodeError, match=what):
        parse_recorded(bytes.fromhex(hex_))


def test_registry_keys() -> None:
    assert set(cms50.PARSERS) == {"cms50:live", "cms50:live9", "cms50:recorded"}


def test_through_app_decode() -> None:
    from app.devices import decode

    m = decode("cms50:live", bytes.fromhex("83 10 43 16 5F"))
    assert m.reading(PULSE).value == 150  # type: ignore[union-attr]
    m = decode("cms50:recorded", bytearray.fromhex("F1 96 5E"))  # type: ignore[arg-type]
    assert m.reading(SPO2).value == 94  # type: ignore[union-attr]
    with pytest.raises(DecodeError):
        decode("cms50:live", b"\x00")


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=2000)
@given(st.binary(max_size=12))
def test_live_random_bytes_only_decode_error(data: bytes) -> None:
    try:
        m = parse_live(data)
    except DecodeError as exc:
        assert str(exc).startswith("cms50:live: ")
    else:
        assert len(data) == 5 and m.protocol == "cms50:live"


@settings(max_examples=2000)
@given(st.binary(max_size=8))
def test_recorded_random_bytes_only_decode_error(data: bytes) -> None:
    try:
        parse_recorded(data)
    except DecodeError as exc:
        assert str(exc).startswith("cms50:recorded: ")


@settings(max_examples=500)
@given(
    signal=st.integers(0, 15),
    bar=st.integers(0, 15),
    pleth=st.integers(0, 127),
    pulse=st.integers(0, 255),
    spo2=st.integers(0, 127),
    bits=st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_live_round_trip(
    signal: int, bar: int, pleth: int, pulse: int, spo2: int, bits: list[bool]
) -> None:
    finger_out, dropping, beep, probe_error, searching = bits
    m = parse_live(
        live_frame(signal=signal, bar=bar, pleth=pleth, pulse=pulse, spo2=spo2,
                   finger_out=finger_out, dropping=dropping, beep=beep,
                   probe_error=probe_error, searching=searching)
    )  # fmt: skip
    view = live_view(m)
    assert view["signal_strength"] == signal and view["bargraph"] == bar
    assert view["pleth"] == pleth
    assert view["finger_out"] == finger_out and view["beep"] == beep
    assert view["spo2_dropping"] == dropping
    assert view["probe_error"] == probe_error and view["searching"] == searching
    assert view["pulse_rate"] == (pulse if 1 <= pulse <= 254 else None)
    assert view["spo2"] == (spo2 if 1 <= spo2 <= 100 else None)


@settings(max_examples=300)
@given(pulse=st.integers(0, 255), spo2=st.integers(0, 127))
def test_recorded_round_trip(pulse: int, spo2: int) -> None:
    data = bytes((0xF0 | (pulse >> 7), 0x80 | (pulse & 0x7F), spo2))
    m = parse_recorded(data)
    assert m.info["pulse_rate_raw"] == pulse and m.info["spo2_raw"] == spo2
    reading = m.reading(PULSE)
    assert (reading.value if reading else None) == (pulse if 1 <= pulse <= 254 else None)
