"""The serial simulators: the CMS50 frame encoder against the reference vectors, and the bytes
both simulators put on a real pty, read back with pyserial like the app does.

Waits poll with a deadline; nothing asserts on elapsed time.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import serial
from hypothesis import given
from hypothesis import strategies as st

from app.devices import decode
from app.devices.framing import Cms50Framer, LineFramer
from app.devices.measurement import Measurement
from app.devices.simulators.serial_sims import (
    OximeterSimulator,
    ScaleSimulator,
    encode_cms50_live,
)
from app.domain.vitals import PULSE, SPO2, WEIGHT
from tests.polling import wait_until

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the simulators need a POSIX pty")


class PortReader:
    """The app's side of a simulator: pyserial on the pty path, bytes framed as they come."""

    def __init__(self, port: str, framer: Cms50Framer | LineFramer) -> None:
        self.serial = serial.Serial(port, timeout=0.05)
        self.framer = framer
        self.frames: list[bytes] = []

    def pump(self) -> None:
        self.frames += self.framer.feed(self.serial.read(max(1, self.serial.in_waiting)))

    def until(self, predicate: Callable[[list[bytes]], bool]) -> bool:
        def check() -> bool:
            self.pump()
            return predicate(self.frames)

        return wait_until(check)

    def close(self) -> None:
        self.serial.close()


@pytest.fixture
def oximeter() -> Iterator[OximeterSimulator]:
    sim = OximeterSimulator(spo2=96, pulse=150, jitter=False, seed=1, search_s=0.2)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def scale() -> Iterator[ScaleSimulator]:
    sim = ScaleSimulator(weight_kg=62.4, lines_per_s=40, seed=2)
    sim.start()
    yield sim
    sim.stop()


def live(frame: bytes) -> Measurement:
    return decode("cms50:live", frame)


# -- the CMS50 encoder -----------------------------------------------------------------------


def test_encoder_matches_the_reference_vectors() -> None:
    assert encode_cms50_live(
        spo2=98, pulse=72, pleth=64, bargraph=6, signal=5, beep=True
    ) == bytes.fromhex("C5 40 06 48 62")
    assert encode_cms50_live(spo2=95, pulse=150, pleth=16, bargraph=3, signal=3) == bytes.fromhex(
        "83 10 43 16 5F"
    )


@given(
    spo2=st.integers(1, 100),
    pulse=st.integers(1, 254),
    pleth=st.integers(0, 127),
    bargraph=st.integers(0, 15),
    signal=st.integers(0, 15),
    beep=st.booleans(),
    spo2_dropping=st.booleans(),
    finger_out=st.booleans(),
    searching=st.booleans(),
    probe_error=st.booleans(),
)
def test_encoder_round_trips_through_the_parser(
    spo2: int,
    pulse: int,
    pleth: int,
    bargraph: int,
    signal: int,
    beep: bool,
    spo2_dropping: bool,
    finger_out: bool,
    searching: bool,
    probe_error: bool,
) -> None:
    flags = {
        "beep": beep,
        "spo2_dropping": spo2_dropping,
        "finger_out": finger_out,
        "searching": searching,
        "probe_error": probe_error,
    }
    frame = encode_cms50_live(
        spo2=spo2, pulse=pulse, pleth=pleth, bargraph=bargraph, signal=signal, **flags
    )
    assert Cms50Framer().feed(frame) == [frame]
    m = live(frame)
    assert m.reading(SPO2) is not None and m.reading(SPO2).value == spo2  # type: ignore[union-attr]
    assert m.reading(PULSE) is not None and m.reading(PULSE).value == pulse  # type: ignore[union-attr]
    assert m.flags == {name for name, on in flags.items() if on}
    assert m.info == {
        "signal_strength": signal,
        "pleth": pleth,
        "bargraph": bargraph,
        "pulse_rate_raw": pulse,
        "spo2_raw": spo2,
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"spo2": 128, "pulse": 70},
        {"spo2": 97, "pulse": 256},
        {"spo2": 97, "pulse": 70, "pleth": 128},
        {"spo2": 97, "pulse": 70, "bargraph": 16},
        {"spo2": -1, "pulse": 70},
    ],
)
def test_encoder_refuses_values_that_do_not_fit(fields: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        encode_cms50_live(**fields)


# -- the oximeter on a pty -------------------------------------------------------------------


def test_oximeter_streams_frames_the_parser_reads(oximeter: OximeterSimulator) -> None:
    reader = PortReader(oximeter.port, Cms50Framer())
    try:
        assert reader.until(lambda frames: len(frames) >= 30)
        ms = [live(f) for f in reader.frames]
        assert all(m.reading(SPO2).value == 96 for m in ms)  # type: ignore[union-attr]
        assert all(m.reading(PULSE).value == 150 for m in ms)  # type: ignore[union-attr]
        assert any("beep" in m.flags for m in ms)  # 150 beats a minute: a beat every 24 frames
        assert len({m.info["pleth"] for m in ms}) > 5  # a waveform, not a constant
        assert reader.framer.discarded <= 4  # at most the frame the port was opened in
    finally:
        reader.close()


def test_oximeter_finger_out_search_and_values(oximeter: OximeterSimulator) -> None:
    reader = PortReader(oximeter.port, Cms50Framer())
    try:
        assert reader.until(lambda frames: len(frames) >= 1)
        oximeter.finger_out()
        assert reader.until(lambda frames: "finger_out" in live(frames[-1]).flags)
        m = live(reader.frames[-1])
        assert m.readings == ()
        assert m.info["spo2_raw"] == 0 and m.info["pulse_rate_raw"] == 0
        oximeter.set_values(spo2=91, pulse=64)
        oximeter.finger_in()
        assert reader.until(lambda frames: "searching" in live(frames[-1]).flags)
        assert reader.until(lambda frames: live(frames[-1]).reading(SPO2) is not None)
        m = live(reader.frames[-1])
        assert (m.reading(SPO2).value, m.reading(PULSE).value) == (91, 64)  # type: ignore[union-attr]
        assert not m.flags & {"finger_out", "searching"}
    finally:
        reader.close()


def test_oximeter_garbage_holds_no_whole_frame(oximeter: OximeterSimulator) -> None:
    reader = PortReader(oximeter.port, Cms50Framer())
    try:
        assert reader.until(lambda frames: len(frames) >= 1)
        before = reader.framer.discarded
        oximeter.garbage(16)
        assert reader.until(lambda frames: reader.framer.discarded >= before + 19)
        count = len(reader.frames)
        assert reader.until(lambda frames: len(frames) >= count + 5)  # the stream goes on
        assert reader.framer.discarded == before + 19
        assert all(live(f).reading(SPO2).value == 96 for f in reader.frames)  # type: ignore[union-attr]
    finally:
        reader.close()


def test_jitter_stays_within_what_the_driver_calls_steady() -> None:
    sim = OximeterSimulator(spo2=97, pulse=76, rate_hz=60, jitter=True, seed=9)
    try:
        # the frame generator alone, without its clock: twenty simulated seconds at once
        values = [live(sim._tick()) for _ in range(20 * 60)]
    finally:
        sim.stop()
    spo2s = [m.reading(SPO2).value for m in values]  # type: ignore[union-attr]
    pulses = [m.reading(PULSE).value for m in values]  # type: ignore[union-attr]
    assert set(spo2s) <= {96, 97} and set(pulses) <= {75, 76, 77}
    assert len(set(spo2s)) + len(set(pulses)) > 2  # it does move
    # the numbers change once a second (on every 60th frame), as on the device's display
    assert all(len(set(spo2s[i : i + 60])) == 1 for i in range(59, len(spo2s), 60))


def test_app_writes_reach_the_simulator(oximeter: OximeterSimulator) -> None:
    port = serial.Serial(oximeter.port, timeout=0.05)
    try:
        port.write(b"\xf5\xf5")
        assert wait_until(lambda: oximeter.received() == b"\xf5\xf5")
    finally:
        port.close()


def test_simulator_values_are_checked() -> None:
    with pytest.raises(ValueError):
        OximeterSimulator(spo2=101)
    sim = OximeterSimulator()
    try:
        with pytest.raises(ValueError):
            sim.set_values(pulse=0)
    finally:
        sim.stop()


# -- the scale on a pty ----------------------------------------------------------------------


def weight_lines(frames: list[bytes]) -> list[tuple[str, Decimal | None]]:
    out = []
    for f in frames:
        m = decode("scale:ascii", f)
        w = m.reading(WEIGHT)
        out.append((str(m.info["status"]), None if w is None else w.exact))
    return out


def test_scale_line_format() -> None:
    assert ScaleSimulator.line("ST", Decimal("62.4")) == b"ST,GS,+  62.40kg\r\n"
    assert ScaleSimulator.line("US", Decimal("-0.05")) == b"US,GS,-   0.05kg\r\n"


def test_scale_step_on_ramps_then_settles(scale: ScaleSimulator) -> None:
    reader = PortReader(scale.port, LineFramer())
    try:
        assert reader.until(lambda frames: len(frames) >= 1)
        assert weight_lines(reader.frames[-1:]) == [("stable", Decimal("0.00"))]
        start = len(reader.frames)
        scale.step_on()
        assert reader.until(lambda frames: len(frames) >= start + 6 + 3)
        seen = weight_lines(reader.frames[start:])
        statuses = [s for s, _ in seen]
        first_stable = statuses.index("stable")
        assert first_stable == 6  # the ramp of unstable lines, then stable
        assert all(s == "stable" and w == Decimal("62.40") for s, w in seen[first_stable:])
        ramp = [w for _, w in seen[:first_stable]]
        assert ramp[0] is not None and ramp[0] < Decimal("62.40")
        assert all(w is not None and w % Decimal("0.05") == 0 for w in ramp)
        assert b"ST,GS,+  62.40kg" in reader.frames

        start = len(reader.frames)
        scale.step_off()
        assert reader.until(
            lambda frames: (
                weight_lines(frames[-1:]) == [("stable", Decimal("0.00"))]
                and len(frames) > start + 6
            )
        )
    finally:
        reader.close()


def test_scale_overload_lines(scale: ScaleSimulator) -> None:
    reader = PortReader(scale.port, LineFramer())
    try:
        scale.overload()
        assert reader.until(lambda frames: bool(frames) and frames[-1].startswith(b"OL"))
        assert "overload" in decode("scale:ascii", reader.frames[-1]).flags
        scale.step_on(80)
        assert reader.until(lambda frames: frames[-1] == b"ST,GS,+  80.00kg")
    finally:
        reader.close()


def test_write_raw_bytes_arrive_between_lines(scale: ScaleSimulator) -> None:
    reader = PortReader(scale.port, LineFramer())
    try:
        assert reader.until(lambda frames: len(frames) >= 1)
        scale.write_raw(b"NOT,A,LINE\r\n")
        assert reader.until(lambda frames: b"NOT,A,LINE" in frames)
        assert all(f == b"NOT,A,LINE" or f.startswith(b"ST,GS,") for f in reader.frames)
    finally:
        reader.close()


# -- life cycle and the guard ----------------------------------------------------------------


def test_stop_closes_the_pty_and_cannot_restart() -> None:
    sim = ScaleSimulator()
    port = sim.port
    assert os.path.exists(port)
    with sim:
        assert sim.running
    assert not sim.running
    assert not os.path.exists(port)
    sim.stop()  # again: nothing left to do
    with pytest.raises(RuntimeError):
        sim.start()


def test_nobody_reading_does_not_block_the_simulator() -> None:
    sim = OximeterSimulator()
    try:
        sim._send(b"\x00" * 1_000_000)  # far more than a pty holds: dropped, not blocked on
        sim.start()
        reader = PortReader(sim.port, Cms50Framer())
        try:
            assert reader.until(lambda frames: len(frames) >= 10)
        finally:
            reader.close()
        assert sim.running
    finally:
        sim.stop()


def test_simulators_do_not_load_outside_demo_and_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["app.devices.simulators", "app.devices.simulators.serial_sims"]
    saved = {name: sys.modules[name] for name in names}
    monkeypatch.delenv("HWC_SPOKE_SIMULATORS")
    try:
        for name in names:
            del sys.modules[name]
        with pytest.raises(RuntimeError, match="demo mode"):
            importlib.import_module("app.devices.simulators.serial_sims")
    finally:
        sys.modules.update(saved)
