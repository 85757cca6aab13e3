"""Contec CMS50 v4.6+ firmware (devices reference §2.1 b, §5): the 9-byte live parser, its framer,
the simulator's encoder and command handling, and the driver's firmware detection and keep-alive.

The parser, framer and encoder tests are pure; the driver's rules run with a fake clock through
``feed``; the end-to-end tests run simulator -> pty -> SerialLink -> driver -> sink and wait by
polling with a deadline. Nothing asserts on elapsed time.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import serial
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices import decode
from app.devices.driver import ConnectionState, DeviceKind, DeviceSpec, Driver
from app.devices.drivers.cms50 import (
    DETECT_WINDOW,
    START_LIVE,
    V46_SETTINGS,
    Cms50Driver,
)
from app.devices.framing import Cms50Framer, Cms50V46Framer
from app.devices.measurement import DecodeError, Measurement
from app.devices.parsers import cms50
from app.devices.parsers.cms50 import parse_live9
from app.devices.simulators.serial_sims import (
    OximeterSimulator,
    encode_cms50_live,
    encode_cms50_v46_live,
)
from app.domain.vitals import PULSE, SPO2
from tests.devices.test_serial_drivers import NOW, RATE, Clock, Sink, vitals, wait_until

V1 = bytes.fromhex("01 E0 80 C5 81 C8 E2 FF FF")
V2 = bytes.fromhex("01 E0 C0 F0 81 CB E1 FF FF")


def view(m: Measurement) -> dict[str, object]:
    """The reference's ``expected`` shape for a v4.6 live frame."""
    spo2, pulse = m.reading(SPO2), m.reading(PULSE)
    return {
        "finger_out": "finger_out" in m.flags,
        "searching": "searching" in m.flags,
        "beat": "beat" in m.flags,
        "pleth": m.info["pleth"],
        "pulse_rate": None if pulse is None else pulse.value,
        "spo2": None if spo2 is None else spo2.value,
    }


def frame(
    *,
    spo2: int = 98,
    pulse: int = 72,
    pleth: int = 69,
    byte4: int = 1,
    finger_out: bool = False,
    searching: bool = False,
    beat: bool = False,
) -> bytes:
    """A test-only encoder, from the field table in §2.1 b (not from the simulator's)."""
    b1 = 0xE0 | (0x01 * finger_out) | (0x02 * searching)
    b2 = 0x80 | (0x40 * beat)
    return bytes((1, b1, b2, 0x80 | pleth, 0x80 | byte4, 0x80 | pulse, 0x80 | spo2, 0xFF, 0xFF))


# --- §5 vectors and the parser --------------------------------------------------------------


VECTORS = [
    (V1, {"finger_out": False, "searching": False, "beat": False, "pleth": 69,
          "pulse_rate": 72, "spo2": 98}),
    (V2, {"finger_out": False, "searching": False, "beat": True, "pleth": 112,
          "pulse_rate": 75, "spo2": 97}),
]  # fmt: skip


@pytest.mark.parametrize(("data", "expected"), VECTORS)
def test_reference_vectors(data: bytes, expected: dict[str, object]) -> None:
    m = parse_live9(data)
    assert m.protocol == "cms50:live9"
    assert view(m) == expected
    assert m.taken_at is None
    spo2, pulse = m.reading(SPO2), m.reading(PULSE)
    assert spo2 is not None and spo2.unit == "%" and spo2.exact == Decimal(expected["spo2"])  # type: ignore[arg-type]
    assert pulse is not None and pulse.unit == "/min"
    assert pulse.exact == Decimal(expected["pulse_rate"])  # type: ignore[arg-type]
    assert m.info["byte4"] == 1
    assert decode("cms50:live9", data) == m
    assert frame(spo2=98, pulse=72, pleth=69) == V1  # the test encoder agrees with §5 too


@pytest.mark.parametrize(
    ("byte", "mask", "flag"), [(1, 0x01, "finger_out"), (1, 0x02, "searching"), (2, 0x40, "beat")]
)
def test_each_status_bit_is_its_own_flag(byte: int, mask: int, flag: str) -> None:
    data = bytearray(V1)
    data[byte] |= mask
    m = parse_live9(bytes(data))
    assert m.flags == {flag}
    assert vitals_of(m) == (98, 72)  # the values are still decoded; the flag travels with them


def vitals_of(m: Measurement) -> tuple[float | None, float | None]:
    spo2, pulse = m.reading(SPO2), m.reading(PULSE)
    return (None if spo2 is None else spo2.value, None if pulse is None else pulse.value)


@pytest.mark.parametrize("spo2", [0, 101, 126, 127])
def test_spo2_out_of_range_is_no_reading(spo2: int) -> None:
    m = parse_live9(frame(spo2=spo2))
    assert vitals_of(m) == (None, 72)
    assert "no_spo2" in m.flags and m.info["spo2_raw"] == spo2


@pytest.mark.parametrize("pulse", [0, 127])
def test_pulse_0_and_127_are_no_reading(pulse: int) -> None:
    m = parse_live9(frame(pulse=pulse))
    assert vitals_of(m) == (98, None)
    assert "no_pulse" in m.flags and m.info["pulse_rate_raw"] == pulse


@pytest.mark.parametrize("pulse", [1, 40, 126])
def test_pulse_is_seven_bits(pulse: int) -> None:
    assert vitals_of(parse_live9(frame(pulse=pulse))) == (98, pulse)


def test_a_possible_pulse_high_bit_never_shows_pulse_minus_128() -> None:
    data = bytearray(frame(pulse=150 - 128))
    data[1] |= 0x08  # where this firmware family's other replies put bit 7 of byte 5
    m = parse_live9(bytes(data))
    assert vitals_of(m) == (98, None)
    assert {"pulse_high_bit", "no_pulse"} <= m.flags


def test_finger_out_frame_has_no_values() -> None:
    m = parse_live9(frame(spo2=0, pulse=0, finger_out=True))
    assert m.readings == ()
    assert m.flags == {"finger_out", "no_spo2", "no_pulse"}


@pytest.mark.parametrize("n", [0, 1, 8, 10, 18])
def test_wrong_length(n: int) -> None:
    with pytest.raises(DecodeError, match="truncated" if n < 9 else "too long"):
        parse_live9((V1 * 2)[:n])


@pytest.mark.parametrize("first", [0x00, 0x02, 0x0C, 0x7D, 0x81])
def test_other_packet_types_are_refused(first: int) -> None:
    with pytest.raises(DecodeError, match="packet type"):
        parse_live9(bytes((first,)) + V1[1:])


@pytest.mark.parametrize("index", range(1, 9))
def test_bit7_clear_in_a_later_byte_is_out_of_sync(index: int) -> None:
    data = bytearray(V1)
    data[index] &= 0x7F
    with pytest.raises(DecodeError, match=f"byte {index} "):
        parse_live9(bytes(data))


def test_registered_beside_the_legacy_parsers() -> None:
    assert cms50.PARSERS["cms50:live9"] is parse_live9
    with pytest.raises(DecodeError, match=r"^cms50:live9: "):
        decode("cms50:live9", b"\x01")


@settings(max_examples=1000)
@given(st.binary(max_size=20))
def test_random_bytes_only_decode_error(data: bytes) -> None:
    try:
        m = parse_live9(data)
    except DecodeError as exc:
        assert str(exc).startswith("cms50:live9: ")
    else:
        assert len(data) == 9 and m.protocol == "cms50:live9"


@settings(max_examples=500)
@given(st.binary(min_size=8, max_size=8))
def test_every_well_framed_packet_parses(tail: bytes) -> None:
    data = b"\x01" + bytes(b | 0x80 for b in tail)
    m = parse_live9(data)
    spo2, pulse = vitals_of(m)
    assert spo2 is None or 1 <= spo2 <= 100
    assert pulse is None or 1 <= pulse <= 126


# --- the framer -----------------------------------------------------------------------------

STREAM = (
    b"\x7f\x80\xff"  # garbage before the first 0x01: 3
    + V1
    + V2[:4]  # a frame cut short by the next 0x01: 4
    + V2
    + b"\x01\xe0\x80\x45"  # bit 7 clear inside a frame: 4 dropped
    + V1
    + b"\x00\xff"  # stray bytes after a frame: 2
    + V2
    + V1[:5]  # unfinished at the end: pending 5
)


def run(framer: Cms50V46Framer, chunks: list[bytes]) -> tuple[list[bytes], int, int]:
    frames: list[bytes] = []
    for chunk in chunks:
        frames += framer.feed(chunk)
    return frames, framer.discarded, framer.pending


def test_framer_stream_with_garbage_and_resync() -> None:
    assert run(Cms50V46Framer(), [STREAM]) == ([V1, V2, V1, V2], 3 + 4 + 4 + 2, 5)


def test_framer_every_chunk_size() -> None:
    whole = run(Cms50V46Framer(), [STREAM])
    for size in range(1, len(STREAM) + 1):
        chunks = [STREAM[i : i + size] for i in range(0, len(STREAM), size)]
        assert run(Cms50V46Framer(), chunks) == whole, f"chunk size {size}"


def test_framer_all_start_bytes_keep_one() -> None:
    framer = Cms50V46Framer()
    assert framer.feed(b"\x01" * 1000) == []
    assert (framer.pending, framer.discarded) == (1, 999)


def test_the_two_firmwares_streams_never_frame_as_each_other() -> None:
    # on a pty, where baud rates mean nothing, this is what lets detection go by content
    legacy = b"".join(
        encode_cms50_live(spo2=s, pulse=p, pleth=1, bargraph=1, signal=1)
        for s, p in itertools.product([1, 97, 127], [1, 129, 255])
    )
    v46 = b"".join(
        encode_cms50_v46_live(spo2=s, pulse=p, pleth=1) for s, p in [(0, 0), (97, 76), (127, 127)]
    )
    assert Cms50V46Framer().feed(legacy * 3) == []
    assert Cms50Framer().feed(v46 * 3) == []


streams = st.lists(
    st.sampled_from([V1, V2, V1[:4], b"\x01", b"\xff", b"\x00", b"\x7d\x81\xa1"])
    | st.binary(max_size=30),
    max_size=25,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(stream=streams, cuts=st.lists(st.integers(0, 10_000), max_size=30))
def test_random_splits_give_identical_output(stream: bytes, cuts: list[int]) -> None:
    points = sorted({c % (len(stream) + 1) for c in cuts})
    chunks = [stream[a:b] for a, b in itertools.pairwise([0, *points, len(stream)])]
    assert run(Cms50V46Framer(), chunks) == run(Cms50V46Framer(), [stream])


@settings(max_examples=300, deadline=None)
@given(chunks=st.lists(st.binary(max_size=200), max_size=40))
def test_garbage_never_raises_and_the_buffer_stays_bounded(chunks: list[bytes]) -> None:
    framer = Cms50V46Framer()
    total = 0
    for chunk in chunks:
        frames = framer.feed(chunk)
        assert framer.pending <= 8
        for f in frames:
            assert len(f) == 9
            parse_live9(f)  # whatever the framer passes, the parser reads
        total += sum(map(len, frames))
    assert total + framer.discarded + framer.pending == sum(map(len, chunks))


# --- the simulator's encoder ----------------------------------------------------------------


def test_encoder_reproduces_the_reference_vectors() -> None:
    assert encode_cms50_v46_live(spo2=98, pulse=72, pleth=69) == V1
    assert encode_cms50_v46_live(spo2=97, pulse=75, pleth=112, beat=True) == V2


@settings(max_examples=300)
@given(
    spo2=st.integers(1, 100),
    pulse=st.integers(1, 126),
    pleth=st.integers(0, 127),
    byte4=st.integers(0, 127),
    bits=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_encoder_round_trips_through_framer_and_parser(
    spo2: int, pulse: int, pleth: int, byte4: int, bits: list[bool]
) -> None:
    finger_out, searching, beat = bits
    data = encode_cms50_v46_live(
        spo2=spo2, pulse=pulse, pleth=pleth, byte4=byte4,
        finger_out=finger_out, searching=searching, beat=beat,
    )  # fmt: skip
    assert Cms50V46Framer().feed(data) == [data]
    m = parse_live9(data)
    assert vitals_of(m) == (spo2, pulse)
    assert m.info == {"pleth": pleth, "byte4": byte4, "pulse_rate_raw": pulse, "spo2_raw": spo2}
    flags = {"finger_out": finger_out, "searching": searching, "beat": beat}
    assert m.flags == {name for name, on in flags.items() if on}


@pytest.mark.parametrize(
    "fields", [{"spo2": 128, "pulse": 70}, {"spo2": 97, "pulse": 128},
               {"spo2": 97, "pulse": 70, "pleth": -1}, {"spo2": 97, "pulse": 70, "byte4": 200}],
)  # fmt: skip
def test_encoder_refuses_values_that_do_not_fit(fields: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        encode_cms50_v46_live(**fields)


# --- the driver's rules, with a fake clock --------------------------------------------------


def oximeter(sink: Sink, clock: Clock, **options: str) -> Cms50Driver:
    spec = DeviceSpec("ox-46", DeviceKind.CMS50, "Oximeter", "/dev/null-oximeter", options)
    return Cms50Driver(spec, sink, lambda: NOW, clock=clock)


def play(driver: Cms50Driver, clock: Clock, frames: list[bytes]) -> None:
    for data in frames:
        clock.t += 1 / RATE
        driver.feed(data)


def steady(seconds: float, spo2: int = 97, pulse: int = 76) -> list[bytes]:
    return [frame(spo2=spo2, pulse=pulse, pleth=50)] * round(seconds * RATE)


FINGER_OUT = frame(spo2=0, pulse=0, finger_out=True)
SEARCHING = frame(spo2=127, pulse=127, searching=True)


def test_v46_steady_finger_gives_one_final_and_throttled_lives() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock, protocol="v46")
    assert driver.firmware == "v46"
    play(driver, clock, steady(2.9))
    assert sink.finals() == []
    play(driver, clock, steady(0.2) + steady(10))
    [final] = sink.finals()
    assert vitals(final) == (97.0, 76.0)
    assert len(final.raw) == 9 and decode("cms50:live9", final.raw) == final.measurement
    lives = sink.lives()
    assert 13.1 * 4 <= len(lives) <= 13.1 * 5 + 1  # about 5 a second, as with legacy frames
    assert all(r.measurement.protocol == "cms50:live9" for r in sink.readings())
    assert sink.problems() == []


def test_v46_finger_out_and_in_gives_a_second_final() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock, protocol="V46", steady_seconds="1")
    play(driver, clock, steady(1.5))
    play(driver, clock, [FINGER_OUT] * RATE + [SEARCHING] * 30)
    assert len(sink.finals()) == 1
    assert any("finger_out" in r.measurement.flags for r in sink.lives())
    play(driver, clock, steady(1.5))
    assert [vitals(r) for r in sink.finals()] == [(97.0, 76.0)] * 2


def test_v46_pulse_high_bit_frames_are_never_final() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock, protocol="v46", steady_seconds="1")
    high = bytearray(frame(spo2=97, pulse=22))
    high[1] |= 0x08
    play(driver, clock, [bytes(high)] * 3 * RATE)
    assert sink.finals() == []
    assert all(r.measurement.reading(PULSE) is None for r in sink.lives())


def test_v46_garbage_is_a_rate_limited_problem() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock, protocol="v46")
    driver.feed(V1[3:])  # the port was opened in the middle of a frame: not a problem
    play(driver, clock, steady(0.5))
    assert sink.problems() == []
    driver.feed(b"\x02\x03\x04")
    assert sink.problems() == ["cms50:live9: 3 bytes out of sync dropped"]
    driver.feed(b"\x05")
    assert len(sink.problems()) == 1  # within a second: logged only


def test_auto_confirms_v46_by_its_frames_and_keeps_quiet_before() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)  # no "protocol": auto, as for pairings made before v4.6
    assert driver.mode == "auto" and driver.firmware is None
    driver.feed(b"\x00\x13\x7f\xff" * 20)  # noise while the unit wakes up
    play(driver, clock, steady(0.02))  # one frame is not yet evidence
    assert driver.firmware is None
    assert sink.readings() == [] and sink.problems() == []
    play(driver, clock, steady(1.5))
    assert driver.firmware == "v46"
    assert len(sink.lives()) >= 5 and sink.problems() == []
    driver.feed(b"\x02\x03")  # from now on garbage is news
    assert sink.problems() == ["cms50:live9: 2 bytes out of sync dropped"]


def test_auto_does_not_read_legacy_frames_at_v46_settings() -> None:
    sink, clock = Sink(), Clock()
    driver = oximeter(sink, clock)
    legacy = encode_cms50_live(spo2=97, pulse=76, pleth=50, bargraph=6, signal=6)
    play(driver, clock, [legacy] * 2 * RATE)
    assert driver.firmware is None  # the legacy firmware is tried at its own settings
    assert sink.readings() == [] and sink.problems() == []


def test_protocol_and_line_options() -> None:
    sink, clock = Sink(), Clock()
    auto = oximeter(sink, clock, baudrate="19200")  # what the pairing dialog stores
    assert auto.mode == "auto"
    assert auto.link.settings == V46_SETTINGS  # auto starts with v4.6, at its own settings
    v46 = oximeter(sink, clock, protocol="v46", baudrate="57600")
    assert (v46.link.settings.baudrate, v46.link.settings.parity) == (57600, "N")
    legacy = oximeter(sink, clock, protocol=" Legacy ", baudrate="9600")
    assert (legacy.link.settings.baudrate, legacy.link.settings.parity) == (9600, "O")
    assert oximeter(sink, clock, protocol="legacy").link.settings.baudrate == 19200
    assert oximeter(sink, clock, protocol="v46").link.settings.baudrate == 115200
    with pytest.raises(ValueError, match="protocol"):
        oximeter(sink, clock, protocol="v47")
    with pytest.raises(ValueError, match="baudrate"):
        oximeter(sink, clock, baudrate="fast")  # checked in auto too, though not used


# --- the v4.6 simulator ---------------------------------------------------------------------

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="the simulators need a POSIX pty")

HELLO = bytes.fromhex("7D 81 A7 80 80 80 80 80 80")


@posix_only
def test_simulator_is_silent_until_asked_and_stops_when_not_kept_alive() -> None:
    sim = OximeterSimulator(protocol="v46", jitter=False, idle_timeout_s=0.3)
    try:
        # the frame generator alone, without its thread
        assert sim._tick() == b"" and not sim.streaming
        with sim._lock:
            sim._heard(HELLO + b"\x00\x7d\x81")  # a hello and a command cut short: no stream
        assert sim._tick() == b""
        with sim._lock:
            sim._heard(START_LIVE[2:])  # ... completed: start live data
        assert sim.streaming
        m = parse_live9(sim._tick())
        assert vitals_of(m) == (97, 76)
        assert wait_until(lambda: not sim.streaming)  # no command for idle_timeout_s
        assert sim._tick() == b""
    finally:
        sim.stop()


@posix_only
def test_simulator_answers_the_start_command_on_its_pty() -> None:
    sim = OximeterSimulator(spo2=95, pulse=120, protocol="v46", jitter=False, idle_timeout_s=1.0)
    sim.start()
    port = serial.Serial(sim.port, timeout=0.05)
    framer, frames = Cms50V46Framer(), []

    def pump(n: int) -> bool:
        frames.extend(framer.feed(port.read(max(1, port.in_waiting))))
        return len(frames) >= n

    try:
        port.write(START_LIVE)
        assert wait_until(lambda: pump(45))  # 120 beats a minute: a beat every 30 frames
        assert sim.received() == START_LIVE
        assert all(vitals_of(parse_live9(f)) == (95, 120) for f in frames)
        assert any("beat" in parse_live9(f).flags for f in frames)
        assert framer.discarded == 0  # silent before the command: nothing to cut
        assert wait_until(lambda: not sim.streaming)
        port.write(START_LIVE)
        count = len(frames)
        assert wait_until(lambda: pump(count + 30))
    finally:
        port.close()
        sim.stop()


def test_simulator_options_are_checked() -> None:
    with pytest.raises(ValueError, match="pulse"):
        OximeterSimulator(pulse=127, protocol="v46")  # 7 bits, and 127 means "no value"
    with pytest.raises(ValueError, match="protocol"):
        OximeterSimulator(protocol="v5")


# --- end to end over a real pty -------------------------------------------------------------

Thing = Driver | OximeterSimulator


@pytest.fixture
def cleanup() -> Iterator[list[Thing]]:
    if sys.platform == "win32":
        pytest.skip("the simulators need a POSIX pty")
    things: list[Thing] = []
    yield things
    for thing in reversed(things):
        thing.stop(2.0)


def started(cleanup: list[Thing], thing: Thing) -> Thing:
    cleanup.append(thing)
    thing.start()
    return thing


def protocols(sink: Sink) -> set[str]:
    return {r.measurement.protocol for r in sink.readings()}


def test_e2e_auto_finds_a_v46_oximeter(cleanup: list[Thing]) -> None:
    sim = OximeterSimulator(spo2=97, pulse=76, protocol="v46", jitter=False, seed=1)
    started(cleanup, sim)
    sink = Sink()
    spec = DeviceSpec("ox-v46", DeviceKind.CMS50, "Oximeter", sim.port, {"steady_seconds": "1"})
    driver = Cms50Driver(spec, sink, lambda: NOW)
    started(cleanup, driver)

    assert wait_until(lambda: len(sink.finals()) == 1)
    assert wait_until(lambda: sink.lives_after_last_final() >= 3)  # still streaming
    [final] = sink.finals()
    assert vitals(final) == (97.0, 76.0)
    assert len(final.raw) == 9
    assert protocols(sink) == {"cms50:live9"}
    assert driver.firmware == "v46"
    assert driver.link.settings == V46_SETTINGS
    assert sim.received().startswith(START_LIVE)  # the start command went out
    assert sink.states() == [
        (ConnectionState.CONNECTING, f"opening {sim.port}"),
        (ConnectionState.CONNECTED, sim.port),
    ]
    assert sink.problems() == []
    assert sink.threads == {f"hwc-serial {sim.port}"}


def test_e2e_auto_falls_back_to_a_legacy_oximeter(cleanup: list[Thing]) -> None:
    sim = OximeterSimulator(spo2=96, pulse=150, jitter=False, seed=2)  # legacy: PR above 127
    started(cleanup, sim)
    sink = Sink()
    spec = DeviceSpec(
        "ox-old", DeviceKind.CMS50, "Oximeter", sim.port,
        {"baudrate": "19200", "steady_seconds": "1"},  # an old pairing: no "protocol"
    )  # fmt: skip
    driver = Cms50Driver(spec, sink, lambda: NOW)
    started(cleanup, driver)

    assert wait_until(lambda: len(sink.finals()) == 1, DETECT_WINDOW + 8)
    assert wait_until(lambda: sink.lives_after_last_final() >= 3)
    assert [vitals(r) for r in sink.finals()] == [(96.0, 150.0)]
    assert protocols(sink) == {"cms50:live"}
    assert driver.firmware == "legacy"
    assert (driver.link.settings.baudrate, driver.link.settings.parity) == (19200, "O")
    assert sim.received().startswith(START_LIVE)  # v4.6 was asked first
    # the re-open at legacy settings is not news: one CONNECTED, no problems
    assert sink.states() == [
        (ConnectionState.CONNECTING, f"opening {sim.port}"),
        (ConnectionState.CONNECTED, sim.port),
    ]
    assert sink.problems() == []


def plug(link: Path, sim: OximeterSimulator) -> None:
    """Point the "USB port" ``link`` at ``sim``'s pty, as one step."""
    tmp = link.with_suffix(".new")
    tmp.symlink_to(sim.port)
    os.replace(tmp, link)


def test_e2e_after_the_port_is_lost_detection_starts_again(
    cleanup: list[Thing], tmp_path: Path
) -> None:
    port = tmp_path / "ttyUSB0"
    first = started(cleanup, OximeterSimulator(spo2=95, pulse=70, jitter=False))
    assert isinstance(first, OximeterSimulator)
    plug(port, first)
    sink = Sink()
    spec = DeviceSpec("ox-re", DeviceKind.CMS50, "Oximeter", str(port))
    driver = Cms50Driver(spec, sink, lambda: NOW, reconnect_delay=(0.1, 0.2), detect_window=0.5)
    started(cleanup, driver)
    assert wait_until(lambda: driver.firmware == "legacy" and len(sink.lives()) >= 1)

    # the same kind of oximeter comes back: the firmware that worked is tried first
    second = OximeterSimulator(spo2=93, pulse=71, jitter=False)
    started(cleanup, second)
    plug(port, second)
    first.stop()  # the cable is pulled
    assert wait_until(lambda: any(vitals(r) == (93.0, 71.0) for r in sink.lives()))
    assert second.received() == b""  # no detour through v4.6
    assert driver.firmware == "legacy"

    # a v4.6 unit is plugged in instead: legacy settings find nothing, v4.6 is asked next
    third = OximeterSimulator(spo2=99, pulse=64, protocol="v46", jitter=False)
    started(cleanup, third)
    plug(port, third)
    second.stop()
    assert wait_until(lambda: any(vitals(r) == (99.0, 64.0) for r in sink.lives()))
    assert driver.firmware == "v46"
    assert third.received().startswith(START_LIVE)
    assert sink.lives()[-1].measurement.protocol == "cms50:live9"
    assert sink.has_state(ConnectionState.ERROR, "disconnected")
    assert sink.states()[-1] == (ConnectionState.CONNECTED, str(port))


def test_e2e_keep_alive_holds_a_v46_stream_past_the_units_timeout(cleanup: list[Thing]) -> None:
    # two units that stop after 0.8 s without a command; only one driver resends in time
    kept = OximeterSimulator(spo2=97, pulse=80, protocol="v46", jitter=False, idle_timeout_s=0.8)
    lapsed = OximeterSimulator(spo2=97, pulse=80, protocol="v46", jitter=False, idle_timeout_s=0.8)
    sinks = {"kept": Sink(), "lapsed": Sink()}
    for sim, name, keepalive in ((kept, "kept", 0.2), (lapsed, "lapsed", 60.0)):
        started(cleanup, sim)
        spec = DeviceSpec(name, DeviceKind.CMS50, name, sim.port, {"protocol": "v46"})
        started(cleanup, Cms50Driver(spec, sinks[name], lambda: NOW, keepalive=keepalive))

    assert wait_until(lambda: all(len(s.lives()) >= 1 for s in sinks.values()))
    assert wait_until(lambda: not lapsed.streaming)  # the one without keep-alive fell silent
    assert lapsed.received() == START_LIVE  # it was asked once, on connect
    # eight commands (two of the unit's timeouts or more) later the other one still streams
    assert wait_until(lambda: kept.received().count(START_LIVE) >= 8)
    assert kept.streaming
    count = len(sinks["kept"].lives())
    assert wait_until(lambda: len(sinks["kept"].lives()) >= count + 3)
    assert all(s.problems() == [] for s in sinks.values())
